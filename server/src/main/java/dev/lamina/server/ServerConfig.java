package dev.lamina.server;

import dev.lamina.KvType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@link LaminaServer} needs to start, validated here so the command line and tests
 * build it the same way.
 *
 * @param model          the GGUF file
 * @param modelId        the id {@code /v1/models} lists and requests may name (the file name by default)
 * @param host           address to bind (loopback by default)
 * @param port           TCP port; 0 = any free one ({@link LaminaServer#port()} tells which)
 * @param parallel       sequences generated together (slots of the batch)
 * @param contextLength  tokens one request may hold (prompt + completion); 0 = the model's, at most 4096
 * @param threads        worker threads; 0 = all online CPUs
 * @param kvType         KV cache type; null = the library's default
 * @param apiKey         bearer key every /v1 request must carry; null = no authentication
 * @param maxBodyBytes   largest request body accepted (413 above)
 * @param maxQueue       requests that may wait for a slot (503 above)
 * @param batchTokens    most tokens one forward pass evaluates (prompt chunks + one per generating slot)
 * @param requestTimeout longest a generation may run before it is stopped
 * @param bodyTimeout    longest a client may take to send its request body (408 after)
 * @param shutdownGrace  how long a graceful shutdown waits for in-flight requests before cancelling them
 * @param accessLog      whether one JSON line per request goes to stderr
 */
public record ServerConfig(Path model, String modelId, String host, int port, int parallel, int contextLength,
                           int threads, KvType kvType, String apiKey, long maxBodyBytes, int maxQueue,
                           int batchTokens, Duration requestTimeout, Duration bodyTimeout, Duration shutdownGrace,
                           boolean accessLog) {
    public ServerConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(host, "host");
        if (modelId == null || modelId.isBlank()) {
            Path name = model.getFileName();
            modelId = name == null ? model.toString() : name.toString();
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (parallel < 1 || parallel > 64) {
            throw new IllegalArgumentException("parallel must be 1..64, was " + parallel);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("context length must be >= 0, was " + contextLength);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, was " + threads);
        }
        if (apiKey != null && apiKey.isEmpty()) {
            throw new IllegalArgumentException("the API key must not be empty");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("the body limit must be at least 1024 bytes, was " + maxBodyBytes);
        }
        if (maxQueue < 0) {
            throw new IllegalArgumentException("the queue limit must be >= 0, was " + maxQueue);
        }
        if (batchTokens < parallel) {
            throw new IllegalArgumentException("batch tokens (" + batchTokens + ") must be at least parallel (" + parallel
                    + "): every generating slot adds one token per step");
        }
        requirePositive(requestTimeout, "request timeout");
        requirePositive(bodyTimeout, "body timeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace must be >= 0, was " + shutdownGrace);
        }
    }

    private static void requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
    }

    /** Defaults for a model file: loopback, port 8080, one slot, no key. */
    public static ServerConfig defaults(Path model) {
        return new ServerConfig(model, null, "127.0.0.1", 8080, 1, 0, 0, null, null, 8L << 20, 64, 512,
                Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofSeconds(10), true);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(model, modelId, host, p, parallel, contextLength, threads, kvType, apiKey, maxBodyBytes,
                maxQueue, batchTokens, requestTimeout, bodyTimeout, shutdownGrace, accessLog);
    }

    public ServerConfig withParallel(int n) {
        return new ServerConfig(model, modelId, host, port, n, contextLength, threads, kvType, apiKey, maxBodyBytes,
                maxQueue, Math.max(batchTokens, n), requestTimeout, bodyTimeout, shutdownGrace, accessLog);
    }

    public ServerConfig withApiKey(String key) {
        return new ServerConfig(model, modelId, host, port, parallel, contextLength, threads, kvType, key, maxBodyBytes,
                maxQueue, batchTokens, requestTimeout, bodyTimeout, shutdownGrace, accessLog);
    }

    public ServerConfig withLimits(long bodyBytes, int queue, Duration body, Duration request) {
        return new ServerConfig(model, modelId, host, port, parallel, contextLength, threads, kvType, apiKey, bodyBytes,
                queue, batchTokens, request, body, shutdownGrace, accessLog);
    }

    public ServerConfig withAccessLogOff() {
        return new ServerConfig(model, modelId, host, port, parallel, contextLength, threads, kvType, apiKey, maxBodyBytes,
                maxQueue, batchTokens, requestTimeout, bodyTimeout, shutdownGrace, false);
    }

    public ServerConfig withContextLength(int ctx) {
        return new ServerConfig(model, modelId, host, port, parallel, ctx, threads, kvType, apiKey, maxBodyBytes,
                maxQueue, batchTokens, requestTimeout, bodyTimeout, shutdownGrace, accessLog);
    }
}
