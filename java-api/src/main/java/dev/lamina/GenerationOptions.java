package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_json_schema_to_grammar;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link Session#generate} picks tokens and when it stops: a chain of {@link Sampler}s applied
 * in order (as llama.cpp's sampler chain), a seed, the token budget, stop strings and a time
 * limit. Immutable; every modifier returns a copy:
 * <pre>{@code
 * GenerationOptions.greedy().maxTokens(64)
 * GenerationOptions.sampled(0.8f, 40, 0.95f, 42).stopStrings("\n\n")
 * GenerationOptions.builder()
 *     .samplers(Sampler.penalties(64, 1.1f, 0f, 0f), Sampler.topK(40), Sampler.temperature(0.7f))
 *     .seed(7).build()
 * }</pre>
 * The shorthand modifiers ({@link #temperature}, {@link #topK}, {@link #topP}, {@link #minP},
 * {@link #repeatPenalty}) replace the chain's sampler of that kind, or insert it where
 * llama.cpp's default chain has it; a positive temperature makes a greedy chain draw, a zero one
 * makes it greedy. {@link #grammar(String)}, {@link #jsonSchema(String)} and {@link #jsonObject()}
 * constrain the output to a grammar (structured output).
 */
public final class GenerationOptions {
    public static final int DEFAULT_MAX_TOKENS = 256;
    public static final long DEFAULT_SEED = 0x5EEDL;
    /** The schema {@link #jsonObject()} uses: any JSON object. */
    public static final String JSON_OBJECT_SCHEMA = "{\"type\": \"object\"}";

    private final int maxTokens;
    private final List<Sampler> samplers;
    private final long seed;
    private final List<String> stopStrings;
    private final Duration timeout;
    private final String grammar;

    private GenerationOptions(int maxTokens, List<Sampler> samplers, long seed, List<String> stopStrings, Duration timeout,
                              String grammar) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
        }
        List<Sampler> chain = List.copyOf(samplers);
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (chain.get(i).kind().picks()) {
                throw new IllegalArgumentException("sampler '" + chain.get(i).spec()
                        + "' picks the token, so it must come last in " + chain);
            }
        }
        List<String> stops = List.copyOf(stopStrings);
        for (String s : stops) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        this.maxTokens = maxTokens;
        this.samplers = chain;
        this.seed = seed;
        this.stopStrings = stops;
        this.timeout = timeout;
        this.grammar = grammar;
    }

    /** Always the most likely token. */
    public static GenerationOptions greedy() {
        return new GenerationOptions(DEFAULT_MAX_TOKENS, List.of(Sampler.greedy()), DEFAULT_SEED, List.of(), null, null);
    }

    /** Random sampling with top-k, top-p and temperature (llama.cpp's order), then a seeded draw. */
    public static GenerationOptions sampled(float temperature, int topK, float topP, long seed) {
        return greedy().temperature(temperature).topK(topK).topP(topP).seed(seed);
    }

    /** llama.cpp's default sampling ({@link Sampler#defaultChain()}) with {@link #DEFAULT_SEED}. */
    public static GenerationOptions defaults() {
        return new GenerationOptions(DEFAULT_MAX_TOKENS, Sampler.defaultChain(), DEFAULT_SEED, List.of(), null, null);
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** The sampler chain, in the order it is applied. */
    public List<Sampler> samplers() {
        return samplers;
    }

    /** The seed of the chain's random numbers: the same seed, chain and prompt give the same tokens. */
    public long seed() {
        return seed;
    }

    /** Generation stops when the text reaches one of these (not part of {@link GenerationResult#text()}). */
    public List<String> stopStrings() {
        return stopStrings;
    }

    /**
     * How long the generation may take, counted from {@link Session#generate}: when it runs out,
     * the evaluation in progress (the prompt's included) stops within one layer and the
     * generation finishes with {@link FinishReason#DEADLINE}; null = no limit.
     */
    public Duration timeout() {
        return timeout;
    }

    /** Whether the chain always picks the most likely token. */
    public boolean isGreedy() {
        Sampler last = samplers.isEmpty() ? null : samplers.get(samplers.size() - 1);
        return last != null && last.kind() == Sampler.Kind.GREEDY;
    }

    public GenerationOptions maxTokens(int maxTokens) {
        return new GenerationOptions(maxTokens, samplers, seed, stopStrings, timeout, grammar);
    }

    /** A copy with this chain (see {@link Sampler}). */
    public GenerationOptions samplers(List<Sampler> samplers) {
        return new GenerationOptions(maxTokens, samplers, seed, stopStrings, timeout, grammar);
    }

    public GenerationOptions samplers(Sampler... samplers) {
        return samplers(List.of(samplers));
    }

    /** Temperature {@code t}: 0 makes the chain greedy; above 0 it draws. */
    public GenerationOptions temperature(float t) {
        if (Float.isNaN(t) || Float.isInfinite(t)) {
            throw new IllegalArgumentException("temperature must be a finite number, was " + t);
        }
        List<Sampler> chain = new ArrayList<>(samplers);
        chain.removeIf(s -> s.kind() == Sampler.Kind.TEMPERATURE);
        if (t <= 0) {
            chain.removeIf(s -> s.kind().picks());
            chain.add(Sampler.greedy());
            return samplers(chain);
        }
        if (chain.removeIf(s -> s.kind() == Sampler.Kind.GREEDY)) {
            chain.add(Sampler.distribution());
        }
        return samplers(placed(chain, Sampler.temperature(t)));
    }

    public GenerationOptions topK(int k) {
        return replacing(Sampler.topK(k));
    }

    public GenerationOptions topP(float p) {
        return replacing(Sampler.topP(p));
    }

    public GenerationOptions minP(float p) {
        return replacing(Sampler.minP(p));
    }

    /** Repetition penalty over the last {@code lastN} tokens of prompt and output; 1 = off. */
    public GenerationOptions repeatPenalty(float penalty, int lastN) {
        return replacing(Sampler.repetitionPenalty(penalty, lastN));
    }

    public GenerationOptions seed(long seed) {
        return new GenerationOptions(maxTokens, samplers, seed, stopStrings, timeout, grammar);
    }

    public GenerationOptions stopStrings(String... stopStrings) {
        return stopStrings(List.of(stopStrings));
    }

    public GenerationOptions stopStrings(List<String> stopStrings) {
        return new GenerationOptions(maxTokens, samplers, seed, stopStrings, timeout, grammar);
    }

    /** A copy with a time limit (see {@link #timeout()}); null removes it. */
    public GenerationOptions timeout(Duration timeout) {
        return new GenerationOptions(maxTokens, samplers, seed, stopStrings, timeout, grammar);
    }

    // ---- structured output: grammar-constrained sampling ----

    /**
     * The grammar (GBNF, start rule {@code root}) the output is constrained to, or null. Set by
     * {@link #grammar(String)}, {@link #jsonSchema(String)} or {@link #jsonObject()}.
     */
    public String grammar() {
        return grammar;
    }

    /**
     * A copy whose output follows a grammar in GBNF, llama.cpp's grammar format (start rule
     * {@code root}): a token that would leave the grammar is never picked, and the generation ends
     * ({@link FinishReason#END_OF_GENERATION}) only once the text is a complete match. The grammar
     * is applied before the samplers, as llama.cpp does. It is checked when a generation starts: a
     * bad one is an {@link InvalidArgumentException} naming its line and column. Choose
     * {@link #maxTokens} large enough: a generation cut by it ({@link FinishReason#MAX_TOKENS})
     * holds an incomplete match. Null removes the grammar.
     */
    public GenerationOptions grammar(String gbnf) {
        if (gbnf != null && gbnf.isBlank()) {
            throw new IllegalArgumentException("grammar must not be empty (null removes it)");
        }
        return new GenerationOptions(maxTokens, samplers, seed, stopStrings, timeout, gbnf);
    }

    /**
     * A copy whose output is JSON valid against {@code schema} (a JSON schema: types, properties
     * and required, enum, const, string formats and lengths, items and bounds, $ref to $defs,
     * anyOf/oneOf/allOf; see lamina.h's lm_json_schema_to_grammar), through the grammar the native
     * library makes of it. A schema that is not JSON or uses what a grammar cannot express is an
     * {@link InvalidArgumentException} naming it, thrown here.
     */
    public GenerationOptions jsonSchema(String schema) {
        Objects.requireNonNull(schema, "schema");
        return grammar(jsonSchemaGrammar(schema));
    }

    /** A copy whose output is any JSON object (a "JSON mode"). */
    public GenerationOptions jsonObject() {
        return jsonSchema(JSON_OBJECT_SCHEMA);
    }

    /** The GBNF grammar the native library makes of a JSON schema. */
    public static String jsonSchemaGrammar(String schema) {
        Native.ensureLoaded();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment text = call.allocateFrom(schema);
            return Native.twoCallString(call, (buf, cap, len) -> lm_json_schema_to_grammar(text, buf, cap, len), null);
        }
    }

    // ---- end of structured output ----

    private GenerationOptions replacing(Sampler sampler) {
        List<Sampler> chain = new ArrayList<>(samplers);
        chain.removeIf(s -> s.kind() == sampler.kind());
        return samplers(placed(chain, sampler));
    }

    // Inserts where llama.cpp's default chain has this kind: before the first of a later kind.
    private static List<Sampler> placed(List<Sampler> chain, Sampler sampler) {
        int at = 0;
        while (at < chain.size() && chain.get(at).kind().ordinal() < sampler.kind().ordinal()) {
            at++;
        }
        chain.add(at, sampler);
        return chain;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationOptions g && g.maxTokens == maxTokens && g.seed == seed
                && g.samplers.equals(samplers) && g.stopStrings.equals(stopStrings) && Objects.equals(g.timeout, timeout)
                && Objects.equals(g.grammar, grammar);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxTokens, samplers, seed, stopStrings, timeout, grammar);
    }

    @Override
    public String toString() {
        return "GenerationOptions[maxTokens=" + maxTokens + ", samplers=" + samplers + ", seed=" + seed
                + ", stopStrings=" + stopStrings + ", timeout=" + timeout
                + (grammar == null ? "" : ", grammar=" + grammar.length() + " chars") + "]";
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

        /** The whole chain, in order (replaces what the shorthands built). */
        public Builder samplers(Sampler... v) {
            options = options.samplers(v);
            return this;
        }

        public Builder samplers(List<Sampler> v) {
            options = options.samplers(v);
            return this;
        }

        /**
         * Appends a sampler to the chain; the first one replaces the builder's starting
         * {@code [greedy]} chain. A picking sampler must come last.
         */
        public Builder addSampler(Sampler v) {
            List<Sampler> chain = new ArrayList<>(options.samplers());
            if (chain.equals(List.of(Sampler.greedy()))) {
                chain.clear();
            }
            chain.add(v);
            options = options.samplers(chain);
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

        /** The output follows this GBNF grammar (see {@link GenerationOptions#grammar(String)}). */
        public Builder grammar(String gbnf) {
            options = options.grammar(gbnf);
            return this;
        }

        /** The output is JSON valid against this schema (see {@link GenerationOptions#jsonSchema(String)}). */
        public Builder jsonSchema(String schema) {
            options = options.jsonSchema(schema);
            return this;
        }

        /** The output is a JSON object. */
        public Builder jsonObject() {
            options = options.jsonObject();
            return this;
        }

        public GenerationOptions build() {
            return options;
        }
    }
}
