package dev.lamina;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Helpers over the zero-copy logits views a {@link Session} hands out. */
public final class Logits {
    private Logits() {}

    /**
     * The id of the largest logit (the greedy token), read straight from a view such as
     * {@link Session#logitsSegment(int)}: no copy, no allocation. Ties go to the lowest id, as the
     * native greedy sampler does.
     */
    public static int argmax(MemorySegment logits) {
        long n = logits.byteSize() / Float.BYTES;
        int best = 0;
        float bestValue = logits.getAtIndex(ValueLayout.JAVA_FLOAT, 0);
        for (int i = 1; i < n; i++) {
            float v = logits.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }
}
