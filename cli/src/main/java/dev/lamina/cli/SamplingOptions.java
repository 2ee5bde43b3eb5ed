package dev.lamina.cli;

import dev.lamina.GenerationOptions;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Option;

/** The sampling options shared by {@code run} and {@code chat} (a picocli mixin). */
final class SamplingOptions {
    /** How many generated tokens the repetition penalty looks back over. */
    private static final int REPEAT_LAST_N = 64;

    @Option(names = "--temp", defaultValue = "0.8", paramLabel = "T",
            description = "Sampling temperature; 0 = greedy, always the most likely token (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", paramLabel = "K",
            description = "Sample among the K most likely tokens; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", paramLabel = "P",
            description = "Nucleus sampling: the smallest set of tokens whose probability reaches P; 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", paramLabel = "P",
            description = "Drop tokens less likely than P times the most likely one; 0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", paramLabel = "X",
            description = "Penalty on the last " + REPEAT_LAST_N + " generated tokens; 1 = off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--seed", paramLabel = "N",
            description = "Random seed; the same seed, prompt and options give the same text (default: random).")
    Long seed;

    private long resolvedSeed;

    /** The seed in use: --seed, or one drawn once per command so it can be reported. */
    long seed() {
        if (resolvedSeed == 0) {
            resolvedSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        }
        return resolvedSeed;
    }

    GenerationOptions toGenerationOptions(int maxTokens) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, REPEAT_LAST_N, seed(),
                List.of());
    }
}
