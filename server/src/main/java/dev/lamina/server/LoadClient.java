package dev.lamina.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded load test of an OpenAI-compatible server: {@code clients} concurrent clients each send
 * streaming chat completions back to back until {@code duration} has passed (requests in flight
 * then finish), checking every stream's framing (role first, JSON chunks, a finish reason, usage,
 * {@code data: [DONE]} last). Reports generated tokens per second and time to first token.
 * Loopback use only: it is a benchmark and test tool, not a traffic generator.
 */
public final class LoadClient {
    /**
     * @param tokensPerSecond completion tokens (from each stream's usage) over the wall time
     * @param failures        the first few failures, described
     */
    public record Result(int requests, int errors, long completionTokens, double seconds, double tokensPerSecond,
                         double ttftP50Millis, double ttftP99Millis, List<String> failures) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "requests %d, errors %d, completion tokens %d in %.1f s: %.1f tokens/s; time to first token p50 %.0f ms, p99 %.0f ms",
                    requests, errors, completionTokens, seconds, tokensPerSecond, ttftP50Millis, ttftP99Millis);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private LoadClient() {}

    public static Result run(URI base, String apiKey, String model, int clients, Duration duration, int maxTokens) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicLong tokens = new AtomicLong();
        List<Long> ttfts = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                pool.submit(() -> {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        requests.incrementAndGet();
                        try {
                            long[] got = oneStream(http, base, apiKey, model, client, i, maxTokens);
                            tokens.addAndGet(got[0]);
                            ttfts.add(got[1]);
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            if (failures.size() < 10) {
                                failures.add("client " + client + " request " + i + ": " + e.getMessage());
                            }
                        }
                    }
                });
            }
        }
        http.close();
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(ttfts);
        Collections.sort(sorted);
        return new Result(requests.get(), errors.get(), tokens.get(), seconds, tokens.get() / seconds,
                percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, List.copyOf(failures));
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }

    /** One checked stream: {completion tokens, nanoseconds to the first content}. */
    private static long[] oneStream(HttpClient http, URI base, String apiKey, String model, int client, int i,
                                    int maxTokens) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        if (model != null) {
            body.put("model", model);
        }
        body.putArray("messages").addObject().put("role", "user")
                .put("content", "Client " + client + ", request " + i + ": tell me a story about llamas.");
        body.put("max_tokens", maxTokens).put("temperature", 0.8).put("seed", client * 1000L + i).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null) {
            r.header("Authorization", "Bearer " + apiKey);
        }
        long sent = System.nanoTime();
        HttpResponse<java.util.stream.Stream<String>> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofLines());
        try (java.util.stream.Stream<String> lines = resp.body()) {
            if (resp.statusCode() != 200) {
                throw new IllegalStateException("status " + resp.statusCode() + ": " + String.join("\n", lines.toList()));
            }
            long firstContent = -1;
            boolean role = false;
            boolean done = false;
            String finish = null;
            long usageTokens = -1;
            int contentChunks = 0;
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.isEmpty() || line.startsWith(":")) {
                    continue;
                }
                if (done) {
                    throw new IllegalStateException("data after [DONE]: " + line);
                }
                if (!line.startsWith("data: ")) {
                    throw new IllegalStateException("not an SSE data line: " + line);
                }
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    done = true;
                    continue;
                }
                JsonNode chunk = JSON.readTree(data);
                if (chunk.has("error")) {
                    throw new IllegalStateException("error event: " + data);
                }
                if (chunk.hasNonNull("usage")) {
                    usageTokens = chunk.get("usage").get("completion_tokens").asLong();
                    continue;
                }
                JsonNode choice = chunk.get("choices").get(0);
                JsonNode delta = choice.get("delta");
                if (delta.has("role")) {
                    role = true;
                }
                if (delta.hasNonNull("content")) {
                    contentChunks++;
                    if (firstContent < 0) {
                        firstContent = System.nanoTime() - sent;
                    }
                }
                if (choice.hasNonNull("finish_reason")) {
                    finish = choice.get("finish_reason").asText();
                }
            }
            if (!done || !role || finish == null || usageTokens < 0) {
                throw new IllegalStateException("incomplete stream: done=" + done + " role=" + role + " finish=" + finish
                        + " usage=" + usageTokens);
            }
            if (contentChunks > usageTokens) {
                throw new IllegalStateException(contentChunks + " content chunks but usage says " + usageTokens + " tokens");
            }
            return new long[] {usageTokens, firstContent < 0 ? System.nanoTime() - sent : firstContent};
        }
    }
}
