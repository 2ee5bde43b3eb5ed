package dev.lamina.cli;

import dev.lamina.Model;
import dev.lamina.ModelOptions;
import dev.lamina.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lamina bench-tokenizer}: measures how fast a vocabulary tokenizes text. */
@Command(name = "bench-tokenizer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures tokenizer speed: tokenizes a text several times on the calling",
                "thread (one core) and prints the best run as MB/s and seconds per MB.",
                "Without --text the input is generated, the same every time: English prose,",
                "code, numbers, Chinese, Japanese, Cyrillic, Khmer, accented Latin, emoji.",
                "Only the vocabulary is loaded. Special-token texts are parsed; no BOS."},
        footer = {"", "Examples:",
                "  lamina bench-tokenizer -m model.gguf",
                "  lamina bench-tokenizer -m model.gguf --mb 4 --runs 3",
                "  lamina bench-tokenizer -m model.gguf --text corpus.txt"})
final class BenchTokenizerCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--mb", defaultValue = "1", paramLabel = "MB",
            description = "Megabytes (10^6 bytes of UTF-8) of generated text (default: ${DEFAULT-VALUE}).")
    double megabytes;

    @Option(names = "--text", paramLabel = "FILE",
            description = "Tokenize this UTF-8 file instead of generated text (--mb is then ignored).")
    Path textFile;

    @Option(names = "--runs", defaultValue = "5", paramLabel = "N",
            description = "Timed runs after one warm-up run; the best counts (default: ${DEFAULT-VALUE}).")
    int runs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be >= 1, was " + runs);
        }
        if (textFile == null && !(megabytes > 0 && megabytes <= 1024)) {
            throw new IllegalArgumentException("--mb must be in (0, 1024], was " + megabytes);
        }
        String text = textFile != null
                ? Files.readString(textFile, StandardCharsets.UTF_8)
                : BenchText.generate((long) (megabytes * 1_000_000));
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        PrintWriter out = spec.commandLine().getOut();
        try (Model m = Model.load(model.model, ModelOptions.builder().vocabOnly(true).build())) {
            Tokenizer tokenizer = m.tokenizer();
            int tokens = tokenizer.encode(utf8, false, true).length; // warm-up
            long best = Long.MAX_VALUE;
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                tokenizer.encode(utf8, false, true);
                best = Math.min(best, System.nanoTime() - start);
            }
            double seconds = best / 1e9;
            double mb = utf8.length / 1e6;
            out.printf(Locale.ROOT, "text:      %,d bytes (%s), %,d tokens, %.2f bytes/token%n", utf8.length,
                    textFile != null ? textFile : "generated", tokens, tokens == 0 ? 0.0 : (double) utf8.length / tokens);
            out.printf(Locale.ROOT, "best of %d: %.4f s%n", runs, seconds);
            out.printf(Locale.ROOT, "speed:     %.2f MB/s, %.4f s/MB, %.0f tokens/s%n",
                    mb / seconds, seconds / mb, tokens / seconds);
            out.flush();
        }
        return 0;
    }
}
