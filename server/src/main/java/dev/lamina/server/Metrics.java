package dev.lamina.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The server's counters in Prometheus' text exposition format (version 0.0.4): requests by
 * endpoint and status, prompt and generated tokens, prefix-cache reuse, queue depth, active slots,
 * recent generation speed and a time-to-first-token histogram.
 */
final class Metrics {
    /** Upper bounds of the time-to-first-token buckets, in seconds. */
    static final double[] TTFT_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder generatedTokens = new LongAdder();
    private final LongAdder cachedTokens = new LongAdder();
    private final LongAdder[] ttftBuckets = new LongAdder[TTFT_BUCKETS.length];
    private final LongAdder ttftCount = new LongAdder();
    private final AtomicLong ttftSumMicros = new AtomicLong();
    /** Generated tokens per one-second bucket over the last 10 s, for the recent rate. */
    private final long[] perSecond = new long[10];
    private long perSecondEpoch;
    private volatile IntSupplier queueDepth = () -> 0;
    private volatile IntSupplier activeSlots = () -> 0;

    Metrics() {
        for (int i = 0; i < ttftBuckets.length; i++) {
            ttftBuckets[i] = new LongAdder();
        }
    }

    void gauges(IntSupplier queue, IntSupplier active) {
        this.queueDepth = queue;
        this.activeSlots = active;
    }

    void request(String endpoint, int status) {
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
    }

    void prompt(int tokens, int cached) {
        promptTokens.add(tokens);
        cachedTokens.add(cached);
    }

    void generated(int tokens) {
        generatedTokens.add(tokens);
        long second = System.nanoTime() / 1_000_000_000L;
        synchronized (perSecond) {
            advance(second);
            perSecond[(int) (second % perSecond.length)] += tokens;
        }
    }

    void timeToFirstToken(long nanos) {
        double s = nanos / 1e9;
        for (int i = 0; i < TTFT_BUCKETS.length; i++) {
            if (s <= TTFT_BUCKETS[i]) {
                ttftBuckets[i].increment();
            }
        }
        ttftCount.increment();
        ttftSumMicros.addAndGet(nanos / 1000);
    }

    private void advance(long second) {
        if (second - perSecondEpoch >= perSecond.length) {
            java.util.Arrays.fill(perSecond, 0);
        } else {
            for (long s = perSecondEpoch + 1; s <= second; s++) {
                perSecond[(int) (s % perSecond.length)] = 0;
            }
        }
        perSecondEpoch = Math.max(perSecondEpoch, second);
    }

    /** Generated tokens per second over the last complete 10 seconds. */
    double recentTokensPerSecond() {
        long second = System.nanoTime() / 1_000_000_000L;
        synchronized (perSecond) {
            advance(second);
            long sum = 0;
            for (int i = 0; i < perSecond.length; i++) {
                if (i != (int) (second % perSecond.length)) {
                    sum += perSecond[i];
                }
            }
            return sum / (double) (perSecond.length - 1);
        }
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP lamina_requests_total HTTP requests answered, by endpoint and status.\n");
        sb.append("# TYPE lamina_requests_total counter\n");
        requests.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String[] k = e.getKey().split("\u0000");
            sb.append("lamina_requests_total{endpoint=\"").append(k[0]).append("\",status=\"").append(k[1])
                    .append("\"} ").append(e.getValue().sum()).append('\n');
        });
        counter(sb, "lamina_prompt_tokens_total", "Prompt tokens of generation requests.", promptTokens.sum());
        counter(sb, "lamina_prompt_tokens_cached_total", "Prompt tokens reused from the prefix cache instead of evaluated.",
                cachedTokens.sum());
        counter(sb, "lamina_generated_tokens_total", "Tokens generated.", generatedTokens.sum());
        gauge(sb, "lamina_queue_depth", "Requests waiting for a slot.", queueDepth.getAsInt());
        gauge(sb, "lamina_active_slots", "Slots generating or evaluating a prompt.", activeSlots.getAsInt());
        sb.append("# HELP lamina_tokens_per_second Generated tokens per second over the last 10 seconds.\n");
        sb.append("# TYPE lamina_tokens_per_second gauge\n");
        sb.append("lamina_tokens_per_second ").append(String.format(java.util.Locale.ROOT, "%.3f", recentTokensPerSecond()))
                .append('\n');
        sb.append("# HELP lamina_time_to_first_token_seconds From request arrival to the first generated token.\n");
        sb.append("# TYPE lamina_time_to_first_token_seconds histogram\n");
        for (int i = 0; i < TTFT_BUCKETS.length; i++) {
            sb.append("lamina_time_to_first_token_seconds_bucket{le=\"").append(TTFT_BUCKETS[i]).append("\"} ")
                    .append(ttftBuckets[i].sum()).append('\n');
        }
        sb.append("lamina_time_to_first_token_seconds_bucket{le=\"+Inf\"} ").append(ttftCount.sum()).append('\n');
        sb.append("lamina_time_to_first_token_seconds_sum ")
                .append(String.format(java.util.Locale.ROOT, "%.6f", ttftSumMicros.get() / 1e6)).append('\n');
        sb.append("lamina_time_to_first_token_seconds_count ").append(ttftCount.sum()).append('\n');
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        sb.append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        sb.append(name).append(' ').append(v).append('\n');
    }
}
