package dev.lamina;

import java.time.Duration;
import java.util.List;

/**
 * How {@link Session#generate} picks tokens and when it stops. Immutable; the {@code withX}-style
 * methods named after each component return a modified copy:
 * <pre>{@code
 * GenerationOptions.greedy().maxTokens(64)
 * GenerationOptions.sampled(0.8f, 40, 0.95f, 42).stopStrings("\n\n")
 * }</pre>
 *
 * @param maxTokens     most tokens to generate (>= 1)
 * @param temperature   softmax temperature; <= 0 means greedy (argmax)
 * @param topK          keep the k most likely tokens; <= 0 = off
 * @param topP          nucleus sampling threshold; >= 1 = off
 * @param minP          drop tokens less likely than minP times the most likely; <= 0 = off
 * @param repeatPenalty penalty on recently generated tokens; 1 = off
 * @param repeatLastN   how many recent tokens the penalty considers
 * @param seed          random seed: the same seed and logits give the same tokens
 * @param stopStrings   generation stops when the text reaches one of these (the stop string itself
 *                      is not part of {@link GenerationResult#text()}); empty = none
 * @param timeout       how long the generation may take, counted from {@link Session#generate}: when it
 *                      runs out, the evaluation in progress (the prompt's included) stops within one
 *                      layer and the generation finishes with {@link FinishReason#DEADLINE}; null = no limit
 */
public record GenerationOptions(int maxTokens, float temperature, int topK, float topP, float minP,
                                float repeatPenalty, int repeatLastN, long seed, List<String> stopStrings,
                                Duration timeout) {

    public static final int DEFAULT_MAX_TOKENS = 256;
    public static final long DEFAULT_SEED = 0x5EEDL;

    /** Options without a time limit. */
    public GenerationOptions(int maxTokens, float temperature, int topK, float topP, float minP,
                             float repeatPenalty, int repeatLastN, long seed, List<String> stopStrings) {
        this(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings, null);
    }

    public GenerationOptions {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
        }
        if (Float.isNaN(temperature) || Float.isNaN(topP) || Float.isNaN(minP) || Float.isNaN(repeatPenalty)) {
            throw new IllegalArgumentException("sampling parameters must not be NaN");
        }
        if (repeatPenalty <= 0) {
            throw new IllegalArgumentException("repeatPenalty must be > 0, was " + repeatPenalty);
        }
        if (repeatLastN < 0) {
            throw new IllegalArgumentException("repeatLastN must be >= 0, was " + repeatLastN);
        }
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    /** Always the most likely token. */
    public static GenerationOptions greedy() {
        return new GenerationOptions(DEFAULT_MAX_TOKENS, 0f, 0, 1f, 0f, 1f, 64, DEFAULT_SEED, List.of());
    }

    /** Random sampling with temperature, top-k and top-p (min-p and the repeat penalty off). */
    public static GenerationOptions sampled(float temperature, int topK, float topP, long seed) {
        return new GenerationOptions(DEFAULT_MAX_TOKENS, temperature, topK, topP, 0f, 1f, 64, seed, List.of());
    }

    /** Whether sampling is greedy (argmax). */
    public boolean isGreedy() {
        return temperature <= 0;
    }

    public GenerationOptions maxTokens(int maxTokens) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings, timeout);
    }

    public GenerationOptions temperature(float temperature) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings, timeout);
    }

    public GenerationOptions topK(int topK) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings, timeout);
    }

    public GenerationOptions topP(float topP) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings, timeout);
    }

    public GenerationOptions minP(float minP) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings, timeout);
    }

    public GenerationOptions repeatPenalty(float repeatPenalty, int repeatLastN) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings, timeout);
    }

    public GenerationOptions seed(long seed) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings, timeout);
    }

    public GenerationOptions stopStrings(String... stopStrings) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, List.of(stopStrings), timeout);
    }

    /** A copy with a time limit (see {@link #timeout()}); null removes it. */
    public GenerationOptions timeout(Duration timeout) {
        return new GenerationOptions(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings, timeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link GenerationOptions}, starting from {@link #greedy()}. */
    public static final class Builder {
        private GenerationOptions options = greedy();

        private Builder() {}

        public Builder maxTokens(int v) {
            options = options.maxTokens(v);
            return this;
        }

        public Builder temperature(float v) {
            options = options.temperature(v);
            return this;
        }

        public Builder topK(int v) {
            options = options.topK(v);
            return this;
        }

        public Builder topP(float v) {
            options = options.topP(v);
            return this;
        }

        public Builder minP(float v) {
            options = options.minP(v);
            return this;
        }

        public Builder repeatPenalty(float penalty, int lastN) {
            options = options.repeatPenalty(penalty, lastN);
            return this;
        }

        public Builder seed(long v) {
            options = options.seed(v);
            return this;
        }

        public Builder stopStrings(String... v) {
            options = options.stopStrings(v);
            return this;
        }

        /** How long the generation may take, counted from {@link Session#generate} (see {@link #timeout()}). */
        public Builder timeout(Duration v) {
            options = options.timeout(v);
            return this;
        }

        public GenerationOptions build() {
            return options;
        }
    }
}
