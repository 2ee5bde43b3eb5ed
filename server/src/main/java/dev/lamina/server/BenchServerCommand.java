package dev.lamina.server;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lamina bench-server}: a bounded streaming load test against a running server (loopback). */
@Command(name = "bench-server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs CLIENTS concurrent streaming chat clients against an OpenAI-compatible server for SECONDS,",
                "checks every stream, and prints generated tokens/s and time-to-first-token p50/p99.",
                "Exit status 1 if any request failed. scripts/bench-server.sh compares --parallel settings."})
public final class BenchServerCommand implements Callable<Integer> {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL",
            description = "The server (default: ${DEFAULT-VALUE}); only loopback addresses are accepted.")
    URI url;

    @Option(names = "--clients", defaultValue = "32", paramLabel = "N", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--seconds", defaultValue = "30", paramLabel = "S",
            description = "How long clients start new requests; running ones then finish (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--max-tokens", defaultValue = "64", paramLabel = "N", description = "max_tokens of each request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Bearer key, if the server wants one.")
    String apiKey;

    @Option(names = "--model", paramLabel = "ID", description = "The model field of the requests (default: none).")
    String model;

    @Override
    public Integer call() throws Exception {
        java.net.InetAddress address = java.net.InetAddress.getByName(url.getHost());
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("bench-server only targets loopback addresses, not " + url.getHost());
        }
        if (clients < 1 || clients > 1024 || seconds < 1 || seconds > 3600 || maxTokens < 1) {
            throw new IllegalArgumentException("--clients must be 1..1024, --seconds 1..3600, --max-tokens >= 1");
        }
        LoadClient.Result r = LoadClient.run(url, apiKey, model, clients, Duration.ofSeconds(seconds), maxTokens);
        System.out.println(r);
        r.failures().forEach(f -> System.out.println("  failed: " + f));
        return r.errors() == 0 ? 0 : 1;
    }
}
