package dev.lamina.server;

import dev.lamina.KvType;
import dev.lamina.template.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lamina serve}: the OpenAI-compatible server (registered by the CLI). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves a model over OpenAI's HTTP API: POST /v1/chat/completions, /v1/completions and"
                + " /v1/embeddings; GET /v1/models, /health and /metrics (Prometheus text).",
                "Requests are batched continuously: up to --parallel generate together in one forward pass, and a"
                + " prompt reuses the longest prefix any slot has cached.",
                "SIGTERM or Ctrl-C stops gracefully: new requests get 503, running ones have --shutdown-grace"
                + " seconds to finish, and the exit status is 0.", ""},
        footer = {"", "Example:",
                "  lamina serve -m model.gguf --parallel 4 --api-key secret",
                "  curl -s localhost:8080/v1/chat/completions -H 'Authorization: Bearer secret' \\",
                "       -d '{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":32}'"})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The GGUF model file.")
    Path model;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 = every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N", description = "TCP port; 0 = any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-np", "--parallel"}, defaultValue = "1", paramLabel = "N",
            description = "Requests generated at once, in one batch (1..64; default: ${DEFAULT-VALUE}). More wait in the queue.")
    int parallel;

    @Option(names = {"-c", "--ctx"}, defaultValue = "0", paramLabel = "N",
            description = "Context per request in tokens (prompt + answer); the KV cache holds --parallel times this."
                    + " 0 = the model's training context, at most 4096 (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Require 'Authorization: Bearer KEY' on /v1 requests (default: none; also $LAMINA_API_KEY).")
    String apiKey;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", paramLabel = "N",
            description = "Worker threads; 0 = all online CPUs (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--kv-type", paramLabel = "TYPE", description = "KV cache type: f16, q8_0 or f32 (default: the library's, f16).")
    String kvType;

    @Option(names = "--model-id", paramLabel = "ID",
            description = "The model name /v1/models lists and requests must use (default: the file name).")
    String modelId;

    @Option(names = "--chat-template", paramLabel = "FILE",
            description = "A Jinja chat template to use instead of the model's (default: the model's; ChatML if it has none).")
    Path chatTemplate;

    @Option(names = "--batch-tokens", defaultValue = "512", paramLabel = "N",
            description = "Most tokens in one forward pass: one per generating request plus prompt chunks (default: ${DEFAULT-VALUE}).")
    int batchTokens;

    @Option(names = "--queue", defaultValue = "64", paramLabel = "N",
            description = "Requests that may wait for a slot; beyond that the answer is 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-body", defaultValue = "8388608", paramLabel = "BYTES",
            description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--body-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Time a client has to send its request body; slower ones get 408 (default: ${DEFAULT-VALUE}).")
    long bodyTimeout;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "Longest a generation may run; then it stops with 504 (default: ${DEFAULT-VALUE}).")
    long timeout;

    @Option(names = "--shutdown-grace", defaultValue = "10", paramLabel = "SECONDS",
            description = "On SIGTERM/SIGINT, how long running requests may take to finish before they are cancelled (default: ${DEFAULT-VALUE}).")
    long grace;

    @Option(names = "--no-access-log", description = "Do not print one JSON line per request to stderr.")
    boolean noAccessLog;

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv("LAMINA_API_KEY");
        if (key != null && key.isEmpty()) {
            key = null;
        }
        ServerConfig config = new ServerConfig(model, modelId, host, port, parallel, ctx, threads,
                kvType == null ? null : KvType.fromName(kvType), key, maxBody, queue, batchTokens,
                Duration.ofSeconds(timeout), Duration.ofSeconds(bodyTimeout), Duration.ofSeconds(grace), !noAccessLog);
        ChatTemplate template = chatTemplate == null ? null : ChatTemplate.parse(Files.readString(chatTemplate));
        LaminaServer server = LaminaServer.start(config, template);
        System.err.printf("lamina serve: %s on http://%s:%d (parallel %d, context %d per request)%n",
                config.modelId(), host, server.port(), parallel, server.contextLength());
        CountDownLatch stop = new CountDownLatch(1);
        ShutdownSignals.onTerminate(stop::countDown);
        stop.await();
        System.err.println("lamina serve: shutting down");
        server.shutdown();
        System.err.println("lamina serve: stopped");
        return 0;
    }
}
