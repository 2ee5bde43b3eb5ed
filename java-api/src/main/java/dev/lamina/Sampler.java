package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_sampler_catalog;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One sampler of a {@link GenerationOptions#samplers() chain}, as llama.cpp's samplers: it filters
 * or reweights the candidate tokens, or picks one. Chains apply their samplers in order; one that
 * does not end with a picking sampler ({@link #greedy()}, {@link #distribution()},
 * {@link #mirostat}, {@link #mirostatV2}) ends with a seeded draw.
 *
 * <p>A sampler is its native spec ({@link #spec()}, e.g. {@code "top_k k=40"}); parameters a
 * factory leaves out take the native library's defaults, and the native library checks every
 * value when a generation starts (an out-of-range value is an {@link InvalidArgumentException}
 * naming it). {@code lamina samplers} lists them all with their defaults.
 */
public final class Sampler {
    /** The kinds, in the order llama.cpp's default chain applies them. */
    public enum Kind {
        LOGIT_BIAS("logit_bias"),
        PENALTIES("penalties"),
        DRY("dry"),
        TOP_K("top_k"),
        TYPICAL_P("typical"),
        TOP_P("top_p"),
        MIN_P("min_p"),
        XTC("xtc"),
        TEMPERATURE("temperature"),
        MIROSTAT("mirostat"),
        MIROSTAT_V2("mirostat_v2"),
        GREEDY("greedy"),
        DISTRIBUTION("dist");

        private final String nativeName;

        Kind(String nativeName) {
            this.nativeName = nativeName;
        }

        /** The name specs use ("top_k"). */
        public String nativeName() {
            return nativeName;
        }

        /** Whether this kind picks the token (it ends a chain). */
        public boolean picks() {
            return this == GREEDY || this == DISTRIBUTION || this == MIROSTAT || this == MIROSTAT_V2;
        }

        static Kind ofNative(String name) {
            for (Kind k : values()) {
                if (k.nativeName.equals(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown sampler '" + name + "' (samplers: "
                    + String.join(", ", Arrays.stream(values()).map(Kind::nativeName).toList()) + ")");
        }
    }

    private final Kind kind;
    private final String spec;

    private Sampler(Kind kind, String spec) {
        this.kind = kind;
        this.spec = spec;
    }

    private static Sampler of(Kind kind, Object... keysAndValues) {
        StringBuilder spec = new StringBuilder(kind.nativeName);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            spec.append(' ').append(keysAndValues[i]).append('=').append(number((String) keysAndValues[i], keysAndValues[i + 1]));
        }
        return new Sampler(kind, spec.toString());
    }

    private static String number(String key, Object value) {
        if (value instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) {
                throw new IllegalArgumentException(key + " must be a finite number, was " + f);
            }
            return Float.toString(f);
        }
        return String.valueOf(value);
    }

    /** A sampler from its native spec ("top_k k=40"); the native library checks it when used. */
    public static Sampler parse(String spec) {
        String trimmed = Objects.requireNonNull(spec, "spec").strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty sampler spec");
        }
        return new Sampler(Kind.ofNative(trimmed.split("\\s+", 2)[0]), trimmed);
    }

    /** Always the most likely token. */
    public static Sampler greedy() {
        return new Sampler(Kind.GREEDY, "greedy");
    }

    /** A draw in proportion to the probabilities left, from the generation's seed. */
    public static Sampler distribution() {
        return new Sampler(Kind.DISTRIBUTION, "dist");
    }

    /** Keeps the {@code k} most likely tokens; 0 keeps all. */
    public static Sampler topK(int k) {
        return of(Kind.TOP_K, "k", k);
    }

    /** Keeps the most likely tokens whose probabilities add up to {@code p}; 1 = off. */
    public static Sampler topP(float p) {
        return of(Kind.TOP_P, "p", p);
    }

    public static Sampler topP(float p, int minKeep) {
        return of(Kind.TOP_P, "p", p, "min_keep", minKeep);
    }

    /** Drops tokens less likely than {@code p} times the most likely one; 0 = off. */
    public static Sampler minP(float p) {
        return of(Kind.MIN_P, "p", p);
    }

    public static Sampler minP(float p, int minKeep) {
        return of(Kind.MIN_P, "p", p, "min_keep", minKeep);
    }

    /** Locally typical sampling up to probability {@code p}; 1 = off. */
    public static Sampler typicalP(float p) {
        return of(Kind.TYPICAL_P, "p", p);
    }

    /** Exclude top choices: with {@code probability}, drops all but the least likely of the tokens at least {@code threshold} likely. */
    public static Sampler xtc(float probability, float threshold) {
        return of(Kind.XTC, "probability", probability, "threshold", threshold);
    }

    /** Divides the logits by {@code t}; 0 leaves only the most likely token. */
    public static Sampler temperature(float t) {
        return of(Kind.TEMPERATURE, "t", t);
    }

    /** Entropy-based temperature between {@code t - range} and {@code t + range} (llama.cpp's dynatemp). */
    public static Sampler dynamicTemperature(float t, float range, float exponent) {
        return of(Kind.TEMPERATURE, "t", t, "range", range, "exponent", exponent);
    }

    /** Repetition penalty over the last {@code lastN} tokens of prompt and output; 1 = off. */
    public static Sampler repetitionPenalty(float repeat, int lastN) {
        return of(Kind.PENALTIES, "last_n", lastN, "repeat", repeat);
    }

    /** Repetition, frequency and presence penalties over the last {@code lastN} tokens (llama.cpp's rules). */
    public static Sampler penalties(int lastN, float repeat, float frequency, float presence) {
        return of(Kind.PENALTIES, "last_n", lastN, "repeat", repeat, "frequency", frequency, "presence", presence);
    }

    /**
     * DRY: penalises a token that would extend a sequence repeated in the last {@code lastN}
     * tokens (-1 = the model's context) by {@code multiplier * base^(length - allowedLength)};
     * sequences do not repeat across a token containing one of {@code sequenceBreakers} (none
     * given: llama.cpp's newline, ':', '"' and '*').
     */
    public static Sampler dry(float multiplier, float base, int allowedLength, int lastN, String... sequenceBreakers) {
        StringBuilder spec = new StringBuilder(of(Kind.DRY, "multiplier", multiplier, "base", base, "allowed_length",
                allowedLength, "last_n", lastN).spec);
        for (String b : sequenceBreakers) {
            if (b.isEmpty()) {
                throw new IllegalArgumentException("a sequence breaker must not be empty");
            }
            spec.append(" \"").append(b.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                    .replace("\t", "\\t").replace("\r", "\\r")).append('"');
        }
        return new Sampler(Kind.DRY, spec.toString());
    }

    /** Adds a bias to given tokens' logits; {@link Float#NEGATIVE_INFINITY} bans a token. */
    public static Sampler logitBias(Map<Integer, Float> biases) {
        StringBuilder spec = new StringBuilder("logit_bias");
        for (Map.Entry<Integer, Float> e : new TreeMap<>(biases).entrySet()) {
            float bias = Objects.requireNonNull(e.getValue(), "bias");
            if (Float.isNaN(bias) || bias == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("bias of token " + e.getKey() + " must be finite or -infinity, was " + bias);
            }
            spec.append(' ').append(e.getKey()).append('=').append(bias == Float.NEGATIVE_INFINITY ? "-inf" : Float.toString(bias));
        }
        return new Sampler(Kind.LOGIT_BIAS, spec.toString());
    }

    /**
     * Mirostat 1.0: keeps the surprise near {@code tau} bits with a top-k from a Zipf estimate of
     * the distribution (its 100 most likely tokens), adapting at rate {@code eta}; picks the token.
     */
    public static Sampler mirostat(float tau, float eta) {
        return of(Kind.MIROSTAT, "tau", tau, "eta", eta);
    }

    /** Mirostat 2.0: keeps the surprise near {@code tau} bits, adapting at rate {@code eta}; picks the token. */
    public static Sampler mirostatV2(float tau, float eta) {
        return of(Kind.MIROSTAT_V2, "tau", tau, "eta", eta);
    }

    /** llama.cpp's default chain (common_sampler): penalties, DRY (off), top-k 40, typical, top-p 0.95, min-p 0.05, XTC, temperature 0.8, draw; each at the native defaults. */
    public static List<Sampler> defaultChain() {
        return List.of(new Sampler(Kind.PENALTIES, "penalties"), new Sampler(Kind.DRY, "dry"),
                new Sampler(Kind.TOP_K, "top_k"),
                new Sampler(Kind.TYPICAL_P, "typical"), new Sampler(Kind.TOP_P, "top_p"),
                new Sampler(Kind.MIN_P, "min_p"), new Sampler(Kind.XTC, "xtc"),
                new Sampler(Kind.TEMPERATURE, "temperature"), distribution());
    }

    /**
     * The native library's default of a parameter ({@code defaultValue(Kind.TOP_K, "k")} is
     * "40"), read from its sampler catalog: the one place the defaults are written.
     *
     * @throws IllegalArgumentException when the kind has no such parameter
     */
    public static String defaultValue(Kind kind, String key) {
        for (String line : catalog()) {
            String[] items = line.split("\t", 2)[0].split(" ");
            if (!items[0].equals(kind.nativeName)) {
                continue;
            }
            for (String item : items) {
                if (item.startsWith(key + "=")) {
                    return item.substring(key.length() + 1);
                }
            }
        }
        throw new IllegalArgumentException(kind.nativeName + " has no parameter '" + key + "'");
    }

    /** Every native sampler as a spec with its defaults, a tab, and what it does (lm_sampler_catalog). */
    public static List<String> catalog() {
        Native.ensureLoaded();
        try (Arena call = Arena.ofConfined()) {
            String text = Native.twoCallString(call, (buf, cap, len) -> lm_sampler_catalog(buf, cap, len), null);
            return text.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The native spec, e.g. {@code "top_k k=40"}. */
    public String spec() {
        return spec;
    }

    /** The value of {@code key} as this sampler's spec gives it, or null when left to the default. */
    public String parameter(String key) {
        for (String item : spec.split("\\s+")) {
            if (item.startsWith(key + "=")) {
                return item.substring(key.length() + 1);
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sampler s && s.spec.equals(spec);
    }

    @Override
    public int hashCode() {
        return spec.hashCode();
    }

    @Override
    public String toString() {
        return spec;
    }
}
