package dev.lamina.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lamina.GenerationOptions;
import dev.lamina.Sampler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenAI's sampling fields (and llama-server's extras: top_k, min_p, repeat_penalty) as a
 * {@link GenerationOptions} chain. Unset fields keep llama.cpp's default chain, as llama-server
 * does; {@code temperature: 0} is greedy.
 */
final class SamplingFields {
    /** Tokens the repetition/frequency/presence penalties look back over (llama.cpp's default). */
    static final int PENALTY_LAST_N = 64;

    private SamplingFields() {}

    static GenerationOptions parse(Fields f, int vocabSize) {
        GenerationOptions o = GenerationOptions.defaults();
        if (f.has("seed")) {
            o = o.seed(f.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE, 0));
        }
        if (f.has("top_k")) {
            o = o.topK((int) f.integer("top_k", 0, vocabSize, 40));
        }
        if (f.has("top_p")) {
            o = o.topP((float) f.number("top_p", 0, 1, 1));
        }
        if (f.has("min_p")) {
            o = o.minP((float) f.number("min_p", 0, 1, 0));
        }
        double frequency = f.number("frequency_penalty", -2, 2, 0);
        double presence = f.number("presence_penalty", -2, 2, 0);
        double repeat = f.number("repeat_penalty", 0, 10, 1);
        List<Sampler> chain = new ArrayList<>(o.samplers());
        if (frequency != 0 || presence != 0 || repeat != 1) {
            replace(chain, Sampler.penalties(PENALTY_LAST_N, (float) repeat, (float) frequency, (float) presence));
        }
        ObjectNode bias = f.object("logit_bias");
        if (bias != null && !bias.isEmpty()) {
            chain.removeIf(s -> s.kind() == Sampler.Kind.LOGIT_BIAS);
            chain.add(0, Sampler.logitBias(logitBias(bias, vocabSize)));
        }
        o = o.samplers(chain);
        // Last: a zero temperature turns the chain greedy whatever came before.
        if (f.has("temperature")) {
            o = o.temperature((float) f.number("temperature", 0, 2, 1));
        }
        return o;
    }

    private static void replace(List<Sampler> chain, Sampler s) {
        for (int i = 0; i < chain.size(); i++) {
            if (chain.get(i).kind() == s.kind()) {
                chain.set(i, s);
                return;
            }
        }
        chain.add(0, s);
    }

    private static Map<Integer, Float> logitBias(ObjectNode bias, int vocabSize) {
        Map<Integer, Float> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = bias.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int token;
            try {
                token = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw ApiError.badField("logit_bias", "logit_bias keys must be token ids, got '" + e.getKey() + "'");
            }
            if (token < 0 || token >= vocabSize) {
                throw ApiError.badField("logit_bias", "logit_bias token " + token + " is outside the vocabulary of "
                        + vocabSize + " tokens");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || Math.abs(v.doubleValue()) > 100) {
                throw ApiError.badField("logit_bias", "logit_bias values must be numbers between -100 and 100, got "
                        + v + " for token " + token);
            }
            // OpenAI: -100 bans the token.
            out.put(token, v.doubleValue() <= -100 ? Float.NEGATIVE_INFINITY : v.floatValue());
        }
        return out;
    }
}
