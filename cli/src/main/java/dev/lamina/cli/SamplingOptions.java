package dev.lamina.cli;

import dev.lamina.GenerationOptions;
import dev.lamina.InvalidArgumentException;
import dev.lamina.Sampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The sampling options shared by {@code run} and {@code chat} (a picocli mixin), named as
 * llama.cpp's. Their defaults come from the native library ({@link SamplerDefaults}); the chain
 * is built in llama.cpp's order (or --samplers'), then a seeded draw.
 */
final class SamplingOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--temp", paramLabel = "T",
            description = "Sampling temperature; 0 = greedy, always the most likely token (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K",
            description = "Sample among the K most likely tokens; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P",
            description = "Nucleus sampling: the smallest set of tokens whose probability reaches P; 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", paramLabel = "P",
            description = "Drop tokens less likely than P times the most likely one; 0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--typical", paramLabel = "P",
            description = "Locally typical sampling up to probability P; 1 = off (default: ${DEFAULT-VALUE}).")
    float typicalP;

    @Option(names = "--repeat-penalty", paramLabel = "X",
            description = "Penalty on tokens among the last --repeat-last-n of prompt and output; 1 = off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", paramLabel = "N",
            description = "How many recent tokens the penalties look at; 0 = off (default: ${DEFAULT-VALUE}).")
    int repeatLastN;

    @Option(names = "--frequency-penalty", paramLabel = "X",
            description = "Subtracted from a token's logit per occurrence in the last N; 0 = off (default: ${DEFAULT-VALUE}).")
    float frequencyPenalty;

    @Option(names = "--presence-penalty", paramLabel = "X",
            description = "Subtracted once from the logit of a token in the last N; 0 = off (default: ${DEFAULT-VALUE}).")
    float presencePenalty;

    @Option(names = "--dry-multiplier", paramLabel = "X",
            description = "DRY: penalty on tokens that would extend a repeated sequence; 0 = off (default: ${DEFAULT-VALUE}).")
    float dryMultiplier;

    @Option(names = "--dry-base", paramLabel = "X",
            description = "DRY: penalty growth per token past the allowed length (default: ${DEFAULT-VALUE}).")
    float dryBase;

    @Option(names = "--dry-allowed-length", paramLabel = "N",
            description = "DRY: repeats this long go unpenalised (default: ${DEFAULT-VALUE}).")
    int dryAllowedLength;

    @Option(names = "--dry-penalty-last-n", paramLabel = "N",
            description = "DRY: how many recent tokens to scan; -1 = the context (default: ${DEFAULT-VALUE}).")
    int dryLastN;

    @Option(names = "--dry-sequence-breaker", paramLabel = "TEXT",
            description = "DRY: a repeat never spans a token containing TEXT; repeatable (default: newline, ':', '\"', '*').")
    List<String> dryBreakers = new ArrayList<>();

    @Option(names = "--dynatemp-range", paramLabel = "R",
            description = "Dynamic temperature: between T-R and T+R by the entropy; 0 = off (default: ${DEFAULT-VALUE}).")
    float dynatempRange;

    @Option(names = "--dynatemp-exp", paramLabel = "E",
            description = "Dynamic temperature exponent (default: ${DEFAULT-VALUE}).")
    float dynatempExponent;

    @Option(names = "--xtc-probability", paramLabel = "P",
            description = "XTC: chance per token of removing the top choices; 0 = off (default: ${DEFAULT-VALUE}).")
    float xtcProbability;

    @Option(names = "--xtc-threshold", paramLabel = "P",
            description = "XTC: tokens at least this likely are removed, but the last of them (default: ${DEFAULT-VALUE}).")
    float xtcThreshold;

    @Option(names = "--mirostat", paramLabel = "N", defaultValue = "0",
            description = "Mirostat: 0 = off, 1 = Mirostat, 2 = Mirostat 2.0 (either replaces the penalties,"
                    + " DRY, top-k/p, min-p, typical and XTC, as in llama.cpp) (default: ${DEFAULT-VALUE}).")
    int mirostat;

    @Option(names = "--mirostat-ent", paramLabel = "TAU",
            description = "Mirostat target entropy (surprise, bits) (default: ${DEFAULT-VALUE}).")
    float mirostatTau;

    @Option(names = "--mirostat-lr", paramLabel = "ETA",
            description = "Mirostat learning rate (default: ${DEFAULT-VALUE}).")
    float mirostatEta;

    @Option(names = "--logit-bias", paramLabel = "TOKEN(+|-)BIAS",
            description = "Adds BIAS to a token's logit, e.g. 15043+1 or 15043-inf (bans it); repeatable.")
    List<String> logitBias = new ArrayList<>();

    @Option(names = "--samplers", paramLabel = "LIST", defaultValue = "penalties;dry;top_k;typical;top_p;min_p;xtc;temperature",
            description = "The samplers in order, separated by ';' (from penalties, dry, top_k, typical, top_p, min_p, xtc, "
                    + "temperature; llama.cpp's order by default); a seeded draw comes last.")
    String samplerOrder;

    // ---- structured output ----

    @Option(names = "--grammar", paramLabel = "FILE",
            description = "Constrain the output to a GBNF grammar (llama.cpp's format, start rule 'root'), read from FILE.")
    Path grammarFile;

    @Option(names = "--json-schema", paramLabel = "FILE",
            description = "Constrain the output to JSON valid against the JSON schema in FILE.")
    Path jsonSchemaFile;

    @Option(names = "--json-object", description = "Constrain the output to a JSON object (any keys and values).")
    boolean jsonObject;

    /** The output's grammar from --grammar, --json-schema or --json-object; null without them. */
    String grammar() {
        int given = (grammarFile != null ? 1 : 0) + (jsonSchemaFile != null ? 1 : 0) + (jsonObject ? 1 : 0);
        if (given > 1) {
            throw new ParameterException(spec.commandLine(), "--grammar, --json-schema and --json-object exclude each other");
        }
        if (jsonObject) {
            return GenerationOptions.jsonSchemaGrammar(GenerationOptions.JSON_OBJECT_SCHEMA);
        }
        if (grammarFile != null) {
            return read(grammarFile, "--grammar");
        }
        if (jsonSchemaFile != null) {
            String schema = read(jsonSchemaFile, "--json-schema");
            try {
                return GenerationOptions.jsonSchemaGrammar(schema);
            } catch (InvalidArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--json-schema " + jsonSchemaFile + ": " + e.getMessage());
            }
        }
        return null;
    }

    private String read(Path file, String option) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), option + " " + file + ": cannot read it (" + e.getMessage() + ")");
        }
    }

    // ---- end of structured output ----

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

    List<Sampler> chain() {
        List<Sampler> chain = new ArrayList<>();
        if (!logitBias.isEmpty()) {
            chain.add(Sampler.logitBias(parseBiases()));
        }
        if (mirostat == 1 || mirostat == 2) { // as llama.cpp: temperature, then Mirostat draws
            chain.add(Sampler.temperature(temperature));
            chain.add(mirostat == 1 ? Sampler.mirostat(mirostatTau, mirostatEta) : Sampler.mirostatV2(mirostatTau, mirostatEta));
            return chain;
        }
        if (mirostat != 0) {
            throw new ParameterException(spec.commandLine(), "--mirostat " + mirostat
                    + " is not supported: 0 (off), 1 (Mirostat) or 2 (Mirostat 2.0)");
        }
        for (String name : samplerOrder.split(";")) {
            chain.add(switch (name.strip()) {
                case "penalties" -> Sampler.penalties(repeatLastN, repeatPenalty, frequencyPenalty, presencePenalty);
                case "dry" -> Sampler.dry(dryMultiplier, dryBase, dryAllowedLength, dryLastN,
                        dryBreakers.stream().map(SamplingOptions::unescape).toArray(String[]::new));
                case "top_k" -> Sampler.topK(topK);
                case "typical", "typ_p" -> Sampler.typicalP(typicalP);
                case "top_p" -> Sampler.topP(topP);
                case "min_p" -> Sampler.minP(minP);
                case "xtc" -> Sampler.xtc(xtcProbability, xtcThreshold);
                case "temperature" -> Sampler.dynamicTemperature(temperature, dynatempRange, dynatempExponent);
                default -> throw new ParameterException(spec.commandLine(), "--samplers: unknown sampler '" + name
                        + "' (penalties, dry, top_k, typical, top_p, min_p, xtc, temperature)");
            });
        }
        chain.add(Sampler.distribution());
        return chain;
    }

    // As llama.cpp's CLI: "\\n" on the command line is a newline.
    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"");
    }

    private Map<Integer, Float> parseBiases() {
        Map<Integer, Float> biases = new LinkedHashMap<>();
        for (String item : logitBias) {
            int sign = Math.max(item.indexOf('+'), item.indexOf('-', 1));
            try {
                if (sign <= 0) {
                    throw new NumberFormatException();
                }
                int token = Integer.parseInt(item.substring(0, sign));
                String value = item.substring(sign);
                float bias = value.equals("-inf") ? Float.NEGATIVE_INFINITY : Float.parseFloat(value);
                biases.merge(token, bias, Float::sum);
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--logit-bias '" + item
                        + "' is not TOKEN+BIAS or TOKEN-BIAS (e.g. 15043+1, 15043-inf)");
            }
        }
        return biases;
    }

    GenerationOptions toGenerationOptions(int maxTokens) {
        return GenerationOptions.greedy().samplers(chain()).seed(seed()).maxTokens(maxTokens).grammar(grammar());
    }
}
