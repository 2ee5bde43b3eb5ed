package dev.lamina.cli;

import dev.lamina.KvType;
import dev.lamina.Lamina;
import dev.lamina.Logits;
import dev.lamina.Model;
import dev.lamina.ModelInfo;
import dev.lamina.ModelOptions;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lamina bench}: prompt processing and text generation speed, as llama-bench measures them,
 * through the Java API. {@code --compare-native} runs the same measurement with
 * lamina_bench_native (the C API directly) to show what the Java layer costs.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures prompt processing (ppN: one batch of N synthetic tokens from an empty cache) and",
                "text generation (tgN: N tokens one at a time, greedy) in tokens/s: one warm-up run, then",
                "-r repetitions; prints mean ± standard deviation as a llama-bench style Markdown table,",
                "with the model load time and the process's peak resident memory (VmHWM).",
                "With -d DEPTH the cache first holds DEPTH synthetic tokens (untimed) and the test",
                "runs after them (\"pp512 @ d4096\"), as llama-bench's -d.",
                "With -s N (not in llama-bench) the tg test runs N sequences together in one BatchSession",
                "(\"tg128 x4 seq\"): each first holds its own DEPTH tokens, then each step (one native decode)",
                "evaluates one token of every sequence. Its t/s is the aggregate over all sequences; a line",
                "below the table gives the rate per sequence. pp tests always run one sequence.",
                "Lists (-m, -t, -p, -n, -d, -s, -ctk) take comma-separated values; 0 skips a test."},
        footer = {"", "Examples:",
                "  lamina bench -m model.gguf -t 2 -p 256 -n 64 -r 3",
                "  lamina bench -m model.gguf -t 1,2 -p 512 -n 128 --json",
                "  lamina bench -m model.gguf -t 2 -p 256 -n 64 -d 0,4096 -ctk f16,f32",
                "  lamina bench -m model.gguf -t 2 -p 0 -n 64 -s 1,4,8 -d 256",
                "  lamina bench -m model.gguf -t 2 -p 256 -n 64 --compare-native build/native/lamina_bench_native",
                "  lamina bench -m model.gguf -t 2 -p 0 -n 64 --grammar json.gbnf"})
final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, split = ",", paramLabel = "FILE", description = "GGUF model file(s).")
    List<Path> models;

    @Option(names = {"-t", "--threads"}, split = ",", paramLabel = "N", description = "Thread counts (default: all CPUs).")
    List<Integer> threads;

    @Option(names = {"-p", "--n-prompt"}, split = ",", defaultValue = "512", paramLabel = "N",
            description = "Prompt lengths for pp tests; 0 = none (default ${DEFAULT-VALUE}).")
    List<Integer> prompt;

    @Option(names = {"-n", "--n-gen"}, split = ",", defaultValue = "128", paramLabel = "N",
            description = "Generated token counts for tg tests; 0 = none (default ${DEFAULT-VALUE}).")
    List<Integer> gen;

    @Option(names = {"-d", "--n-depth"}, split = ",", defaultValue = "0", paramLabel = "N",
            description = "Tokens already in the KV cache when a test starts (default ${DEFAULT-VALUE}).")
    List<Integer> depth;

    @Option(names = {"-s", "--sequences"}, split = ",", defaultValue = "1", paramLabel = "N",
            description = "Sequences decoded together in tg tests (batch API); t/s is then aggregate (default ${DEFAULT-VALUE}).")
    List<Integer> sequences;

    @Option(names = {"-ctk", "--cache-type-k"}, split = ",", paramLabel = "TYPE", converter = KvTypeOption.Converter.class,
            completionCandidates = KvTypeOption.Names.class,
            description = "KV cache types (${COMPLETION-CANDIDATES}; K and V alike; default: the library's).")
    List<KvType> kvTypes;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "5", paramLabel = "N",
            description = "Measured repetitions after the warm-up run (default ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--no-repack",
            description = "Keep Q4_0/Q8_0/Q4_K/Q5_K/Q6_K weights in the file's layout (no interleaved repacking at load); "
                    + "the backend column says +repack when weights were repacked.")
    boolean noRepack;

    private final Map<String, Long> weightBytesPerToken = new HashMap<>();

    @Option(names = "--json", description = "Print the results as JSON instead of a table.")
    boolean json;

    @Option(names = "--cpu-variant-info", description = "Also print the CPU variant in use, LAMINA_CPU and the CPU's SIMD features.")
    boolean cpuVariantInfo;

    @Option(names = "--lora", paramLabel = "FILE[:SCALE]", converter = ModelOption.LoraConverter.class,
            description = "Apply a LoRA adapter at SCALE (default 1) to every model's sessions; repeatable. Not with "
                    + "--compare-native (lamina_bench_native loads none).")
    List<ModelOptions.Lora> loras = new ArrayList<>();

    @Option(names = "--compare-native", paramLabel = "EXE",
            description = "Also run lamina_bench_native (built by CMake next to liblamina.so) with the same settings "
                    + "and print both loops and the Java/native ratio.")
    Path nativeExe;

    @Option(names = "--grammar", paramLabel = "FILE",
            description = "Also measure what grammar-constrained sampling (GBNF in FILE) adds per generated token: "
                    + "greedy tgN without and with the grammar, alternating, same session; prints both and the overhead.")
    Path grammarFile;

    private final List<String> grammarLines = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        if (threads == null || threads.isEmpty()) {
            threads = List.of(Runtime.getRuntime().availableProcessors());
        }
        if (cpuVariantInfo) {
            PrintWriter info = json ? spec.commandLine().getErr() : out;
            CpuVariantInfo.print(info);
            info.println();
            info.flush();
        }
        List<BenchResult> results = new ArrayList<>();
        for (Path model : models) {
            results.addAll(benchModel(model));
        }
        if (nativeExe != null && !loras.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--compare-native runs without adapters: leave out --lora to compare");
        }
        List<BenchResult> nativeResults = nativeExe == null ? List.of()
                : NativeBench.run(nativeExe, models, threads, prompt, gen, depth, sequences, kvTypes, repetitions, noRepack);
        List<BenchResult> all = new ArrayList<>(results);
        all.addAll(nativeResults);
        if (json) {
            BenchReport.json(out, all);
        } else {
            BenchReport.table(out, all, !nativeResults.isEmpty(), kvTypes != null && !kvTypes.isEmpty());
            out.println();
            printLoadAndMemory(out, results, "java");
            printLoadAndMemory(out, nativeResults, "native");
            printPerSequence(out, results);
            printWeightTraffic(out, results);
            if (!grammarLines.isEmpty()) {
                out.println();
                grammarLines.forEach(out::print);
            }
            if (!nativeResults.isEmpty()) {
                printRatios(out, results, nativeResults);
            }
        }
        out.flush();
        return 0;
    }

    private void validate() {
        if (repetitions < 1) {
            throw new ParameterException(spec.commandLine(), "-r must be >= 1, was " + repetitions);
        }
        for (int p : prompt) {
            if (p < 0) {
                throw new ParameterException(spec.commandLine(), "-p must be >= 0, was " + p);
            }
        }
        for (int n : gen) {
            if (n < 0) {
                throw new ParameterException(spec.commandLine(), "-n must be >= 0, was " + n);
            }
        }
        for (int d : depth) {
            if (d < 0) {
                throw new ParameterException(spec.commandLine(), "-d must be >= 0, was " + d);
            }
        }
        for (int s : sequences) {
            if (s < 1) {
                throw new ParameterException(spec.commandLine(), "-s must be >= 1, was " + s);
            }
        }
        if (threads != null) {
            for (int t : threads) {
                if (t < 1) {
                    throw new ParameterException(spec.commandLine(), "-t must be >= 1, was " + t);
                }
            }
        }
    }

    private String grammar;

    private List<BenchResult> benchModel(Path file) throws java.io.IOException {
        if (grammarFile != null && grammar == null) {
            grammar = java.nio.file.Files.readString(grammarFile);
        }
        List<BenchResult> rows = new ArrayList<>();
        String variant = Lamina.cpuVariant(); // loads the library first: the load time is the model's alone
        ProcessMemory.resetPeak(); // the peak RSS reported is this model's (plus the JVM's own)
        long t0 = System.nanoTime();
        ModelOptions.Builder options = ModelOptions.builder().repackWeights(!noRepack);
        loras.forEach(l -> options.lora(l.path(), l.scale()));
        try (Model model = Model.load(file, options.build())) {
            double loadMillis = (System.nanoTime() - t0) / 1e6;
            ModelInfo info = model.info();
            weightBytesPerToken.put(file.getFileName().toString(), model.decodeWeightBytes());
            String type = info.architecture() + " " + BenchReport.params(info.parameterCount()).replace(" ", "")
                    + " " + BenchReport.fileTypeName(info.fileType());
            if (info.repackedMatrices() > 0) {
                variant += "+repack";
            }
            List<KvType> types = kvTypes == null || kvTypes.isEmpty() ? java.util.Collections.singletonList(null) : kvTypes;
            for (KvType kv : types) {
                for (int t : threads) {
                    for (int d : depth) {
                        rows.addAll(benchTests(model, file, type, variant, t, kv, d, loadMillis));
                    }
                }
            }
            if (grammar != null) {
                for (int t : threads) {
                    for (int n : gen) {
                        if (n > 0) {
                            grammarLines.add(GrammarBench.line(file.getFileName().toString(),
                                    GrammarBench.run(model, grammar, t, SyntheticTokens.first(info), n, repetitions)));
                        }
                    }
                }
            }
        }
        return rows;
    }

    /** The pp tests and the tg tests (for each -s) of one thread count, cache type and depth. */
    private List<BenchResult> benchTests(Model model, Path file, String type, String variant, int t, KvType kv, int d,
                                         double loadMillis) {
        List<BenchResult> rows = new ArrayList<>();
        ModelInfo info = model.info();
        int[] filler = SyntheticTokens.prompt(info, Math.max(d, 1));
        String at = d > 0 ? " @ d" + d : "";
        for (int p : prompt) {
            if (p > 0) {
                int[] tokens = SyntheticTokens.prompt(info, p);
                List<Double> samples = measure(model, t, kv, d, filler, d + p, s -> prompt(s, tokens, d));
                rows.add(row(file, type, info, variant, t, kv, d, 1, "pp" + p + at, p, 0, samples, loadMillis));
            }
        }
        for (int n : gen) {
            if (n <= 0) {
                continue;
            }
            int first = SyntheticTokens.first(info);
            for (int seqs : sequences) {
                List<Double> samples = seqs > 1
                        ? new BatchBench(model, seqs, t, kv, repetitions).generate(filler, d, first, n)
                        : measure(model, t, kv, d, filler, d + n + 1, s -> generate(s, first, n));
                String test = "tg" + n + (seqs > 1 ? " x" + seqs + " seq" : "") + at;
                rows.add(row(file, type, info, variant, t, kv, d, seqs, test, 0, n, samples, loadMillis));
            }
        }
        return rows;
    }

    private BenchResult row(Path file, String type, ModelInfo info, String variant, int threads, KvType kv, int depth,
                            int seqs, String test, int p, int n, List<Double> samples, double loadMillis) {
        String kvName = kv == null ? KvType.nativeNames().get(0) : kv.nativeName();
        return new BenchResult("java", file.getFileName().toString(), type, info.tensorBytes(), info.parameterCount(),
                variant, threads, kvName, depth, seqs, test, p, n, samples, loadMillis, ProcessMemory.peakRssBytes());
    }

    /** For -s N: the aggregate rate of each batched test and what one sequence of it gets. */
    private static void printPerSequence(PrintWriter out, List<BenchResult> rows) {
        boolean first = true;
        for (BenchResult r : rows) {
            if (r.sequences() < 2) {
                continue;
            }
            if (first) {
                out.println();
                first = false;
            }
            out.printf(Locale.ROOT, "%s %s t=%d: %d sequences, aggregate %.2f t/s, %.2f t/s per sequence%n",
                    r.modelFile(), r.test(), r.threads(), r.sequences(), r.mean(), r.meanPerSequence());
        }
    }

    /** A timed test body: returns the number of tokens it processed. */
    private interface Body {
        int run(Session session);
    }

    /**
     * One warm-up run, then the repetitions, each from a cache holding just the depth's filler
     * tokens (evaluated untimed); tokens/s per repetition.
     */
    private List<Double> measure(Model model, int threads, KvType kv, int depth, int[] filler, int contextLength,
                                 Body body) {
        SessionOptions.Builder builder = SessionOptions.builder().contextLength(Math.max(contextLength, 16))
                .batchSize(Math.max(contextLength, 16)).threads(threads);
        SessionOptions options = (kv == null ? builder : builder.kvType(kv)).build();
        List<Double> samples = new ArrayList<>(repetitions);
        try (Session session = model.newSession(options)) {
            for (int r = -1; r < repetitions; r++) {
                session.truncate(0);
                if (depth > 0) {
                    session.evaluate(filler, 0, false);
                }
                long start = System.nanoTime();
                int tokens = body.run(session);
                long elapsed = System.nanoTime() - start;
                if (r >= 0) {
                    samples.add(tokens / (elapsed / 1e9));
                }
            }
        }
        return samples;
    }

    /** pp: one batch of synthetic tokens after the depth's. */
    private static int prompt(Session session, int[] tokens, int depth) {
        session.evaluate(tokens, depth, false);
        return tokens.length;
    }

    /** tg: n tokens one at a time after the depth's, each the greedy pick of the previous logits. */
    private static int generate(Session session, int first, int n) {
        int token = first;
        for (int i = 0; i < n; i++) {
            session.evaluate(token);
            token = Logits.argmax(session.logitsSegment(-1));
        }
        return n;
    }

    /**
     * Decode is bound by memory bandwidth: each generated token reads every weight once (the token
     * embedding only one row), so bytes per token x tokens/s is the traffic to set against what the
     * machine can read (lamina_bench_native --bandwidth measures that).
     */
    private void printWeightTraffic(PrintWriter out, List<BenchResult> rows) {
        boolean first = true;
        for (BenchResult r : rows) {
            Long bytes = weightBytesPerToken.get(r.modelFile());
            if (r.nGen() == 0 || bytes == null) {
                continue;
            }
            if (first) {
                out.println();
                first = false;
            }
            if (r.sequences() > 1) {
                // One step reads the weights once for a token of every sequence.
                double steps = r.mean() / r.sequences();
                out.printf(Locale.ROOT, "%s %s t=%d: %.1f MB of weights per step x %.2f steps/s = %.1f GB/s%n",
                        r.modelFile(), r.test(), r.threads(), bytes / 1e6, steps, bytes * steps / 1e9);
                continue;
            }
            out.printf(Locale.ROOT, "%s %s t=%d: %.1f MB of weights per token x %.2f t/s = %.1f GB/s%n", r.modelFile(),
                    r.test(), r.threads(), bytes / 1e6, r.mean(), bytes * r.mean() / 1e9);
        }
    }

    private static void printLoadAndMemory(PrintWriter out, List<BenchResult> rows, String loop) {
        rows.stream().map(BenchResult::modelFile).distinct().forEach(file -> {
            BenchResult last = rows.stream().filter(r -> r.modelFile().equals(file)).reduce((a, b) -> b).orElseThrow();
            out.printf(Locale.ROOT, "%s loop: %s: model load %.1f ms, peak RSS (VmHWM) %s, model size %s%n", loop, file,
                    last.loadMillis(), last.peakRssBytes() < 0 ? "n/a" : BenchReport.size(last.peakRssBytes()),
                    BenchReport.size(last.sizeBytes()));
        });
    }

    private static void printRatios(PrintWriter out, List<BenchResult> java, List<BenchResult> nat) {
        out.println();
        for (BenchResult j : java) {
            for (BenchResult n : nat) {
                if (n.modelFile().equals(j.modelFile()) && n.threads() == j.threads() && n.test().equals(j.test())
                        && n.kvType().equals(j.kvType())) {
                    double ratio = j.mean() / n.mean();
                    out.printf(Locale.ROOT, "java/native %s %s t=%d kv %s: %.2f / %.2f t/s = %.3f (Java %+.1f%% time per token)%n",
                            j.modelFile(), j.test(), j.threads(), j.kvType(), j.mean(), n.mean(), ratio, (1 / ratio - 1) * 100);
                }
            }
        }
    }
}
