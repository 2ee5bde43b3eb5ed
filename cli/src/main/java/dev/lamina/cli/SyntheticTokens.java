package dev.lamina.cli;

import dev.lamina.ModelInfo;

/**
 * The benchmark's input tokens: BOS, then a fixed pseudo-random sequence over the vocabulary
 * (speed does not depend on which tokens they are). lamina_bench_native uses the same generator.
 */
final class SyntheticTokens {
    private SyntheticTokens() {}

    static int first(ModelInfo info) {
        return info.bos() >= 0 ? info.bos() : 0;
    }

    static int[] prompt(ModelInfo info, int n) {
        int[] tokens = new int[n];
        long state = 42;
        for (int i = 0; i < n; i++) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            tokens[i] = i == 0 ? first(info) : (int) ((state >>> 33) % info.vocabSize());
        }
        return tokens;
    }
}
