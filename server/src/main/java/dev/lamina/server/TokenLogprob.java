package dev.lamina.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The log probability of a chosen token and of the most likely alternatives, from the model's raw
 * logits (log-softmax before any sampler changed them, as OpenAI reports).
 *
 * @param token      the chosen id
 * @param logprob    its log probability
 * @param topIds     the {@code topLogprobs} most likely ids, most likely first
 * @param topLogprob their log probabilities
 */
record TokenLogprob(int token, double logprob, int[] topIds, double[] topLogprob) {
    static TokenLogprob of(MemorySegment logits, int token, int top) {
        int n = (int) (logits.byteSize() / Float.BYTES);
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(logits.getAtIndex(ValueLayout.JAVA_FLOAT, i) - max);
        }
        double logZ = max + Math.log(sum);
        int[] ids = new int[top];
        double[] lps = new double[top];
        int filled = 0;
        for (int i = 0; i < n && top > 0; i++) {
            double lp = logits.getAtIndex(ValueLayout.JAVA_FLOAT, i) - logZ;
            if (filled < top || lp > lps[filled - 1]) {
                int at = Math.min(filled, top - 1);
                while (at > 0 && lps[at - 1] < lp) {
                    ids[at] = ids[at - 1];
                    lps[at] = lps[at - 1];
                    at--;
                }
                ids[at] = i;
                lps[at] = lp;
                filled = Math.min(filled + 1, top);
            }
        }
        return new TokenLogprob(token, logits.getAtIndex(ValueLayout.JAVA_FLOAT, token) - logZ, ids, lps);
    }
}
