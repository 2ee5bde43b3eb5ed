package dev.lamina.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark row: one model, thread count and test (pp N or tg N), measured by one loop
 * ("java" through the Java API, "native" through the C API in lamina_bench_native).
 *
 * @param kvType  the KV cache type (K and V alike), as llama-bench's type_k
 * @param depth   tokens in the cache before the test (llama-bench's n_depth)
 * @param sequences sequences evaluated together (lamina bench -s; 1 = a plain session); rates are
 *                  then aggregate over all of them
 * @param samples tokens per second of each repetition (the warm-up run excluded)
 */
record BenchResult(String loop, String modelFile, String modelType, long sizeBytes, long params, String cpuVariant,
                   int threads, String kvType, int depth, int sequences, String test, int nPrompt, int nGen, List<Double> samples, double loadMillis,
                   long peakRssBytes) {

    double mean() {
        return samples.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Tokens per second of one sequence (the aggregate rate split evenly). */
    double meanPerSequence() {
        return mean() / sequences;
    }

    /** Sample standard deviation (n - 1), as llama-bench prints; 0 for a single repetition. */
    double stddev() {
        if (samples.size() < 2) {
            return 0;
        }
        double m = mean();
        double sum = samples.stream().mapToDouble(s -> (s - m) * (s - m)).sum();
        return Math.sqrt(sum / (samples.size() - 1));
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loop", loop);
        m.put("model_file", modelFile);
        m.put("model_type", modelType);
        m.put("model_size", sizeBytes);
        m.put("model_n_params", params);
        m.put("backend", "CPU");
        m.put("cpu_variant", cpuVariant);
        m.put("n_threads", threads);
        m.put("type_k", kvType);
        m.put("type_v", kvType);
        m.put("n_depth", depth);
        m.put("n_sequences", sequences);
        m.put("test", test);
        m.put("n_prompt", nPrompt);
        m.put("n_gen", nGen);
        m.put("avg_ts", mean());
        m.put("stddev_ts", stddev());
        m.put("samples_ts", samples);
        m.put("load_ms", loadMillis);
        m.put("peak_rss_bytes", peakRssBytes);
        return m;
    }

    @SuppressWarnings("unchecked")
    static BenchResult fromJson(Map<String, Object> m) {
        List<Double> samples = ((List<Object>) m.get("samples_ts")).stream().map(o -> ((Number) o).doubleValue()).toList();
        return new BenchResult((String) m.get("loop"), (String) m.get("model_file"), (String) m.get("model_type"),
                num(m, "model_size").longValue(), num(m, "model_n_params").longValue(), (String) m.get("cpu_variant"),
                num(m, "n_threads").intValue(), (String) m.get("type_k"), num(m, "n_depth").intValue(),
                m.containsKey("n_sequences") ? num(m, "n_sequences").intValue() : 1, (String) m.get("test"), num(m, "n_prompt").intValue(),
                num(m, "n_gen").intValue(), samples, num(m, "load_ms").doubleValue(), num(m, "peak_rss_bytes").longValue());
    }

    private static Number num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("benchmark JSON: '" + key + "' is " + v + ", expected a number");
        }
        return n;
    }
}
