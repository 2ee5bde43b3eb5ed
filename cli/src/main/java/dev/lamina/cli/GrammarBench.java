package dev.lamina.cli;

import dev.lamina.GenerationOptions;
import dev.lamina.GenerationResult;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code lamina bench --grammar FILE}: what grammar-constrained sampling adds to a generated
 * token. The same session generates N tokens greedily through the sampler chain without and with
 * the grammar, alternating each repetition so both see the same machine state; a constrained
 * generation that completes early (end of generation) starts again until N tokens are done.
 * Time per token includes the decode step and the sampling, so the difference is the grammar's
 * cost: its mask where the model's first choice is rejected, and the check of each drawn token.
 */
final class GrammarBench {
    record Result(int threads, int tokens, List<Double> plainMs, List<Double> grammarMs) {
        double plainMean() {
            return plainMs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }

        double grammarMean() {
            return grammarMs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }

        double overheadPercent() {
            return (grammarMean() / plainMean() - 1) * 100;
        }
    }

    private GrammarBench() {}

    static Result run(Model model, String grammar, int threads, int first, int n, int repetitions) {
        SessionOptions options = SessionOptions.builder().contextLength(Math.max(n + 8, 16)).threads(threads).build();
        GenerationOptions plain = GenerationOptions.greedy();
        GenerationOptions constrained = plain.grammar(grammar);
        List<Double> plainMs = new ArrayList<>(), grammarMs = new ArrayList<>();
        try (Session session = model.newSession(options)) {
            for (int r = -1; r < repetitions; r++) {
                double p = msPerToken(session, plain, first, n);
                double g = msPerToken(session, constrained, first, n);
                if (r >= 0) { // the first round warms up
                    plainMs.add(p);
                    grammarMs.add(g);
                }
            }
        }
        return new Result(threads, n, plainMs, grammarMs);
    }

    /** Generation time per token (the one-token prompt excluded) over n tokens. */
    private static double msPerToken(Session session, GenerationOptions options, int first, int n) {
        long nanos = 0;
        int tokens = 0;
        while (tokens < n) {
            session.truncate(0);
            GenerationResult result = session.generate(new int[] {first}, options.maxTokens(n - tokens)).result();
            if (result.generatedTokens() == 0) {
                throw new IllegalStateException("the grammar allows no output from an empty start: nothing to measure");
            }
            nanos += result.generationNanos();
            tokens += result.generatedTokens();
        }
        return nanos / 1e6 / tokens;
    }

    /** One report line. */
    static String line(String modelFile, Result r) {
        return String.format(Locale.ROOT, "%s grammar t=%d tg%d: without %.2f ms/token, with %.2f ms/token (%s): grammar overhead %+.1f%%%n",
                modelFile, r.threads(), r.tokens(), r.plainMean(), r.grammarMean(),
                r.grammarMs().stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList(), r.overheadPercent());
    }
}
