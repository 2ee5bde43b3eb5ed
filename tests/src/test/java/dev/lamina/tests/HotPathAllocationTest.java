package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.BatchSession;
import dev.lamina.BatchSessionOptions;
import dev.lamina.Logits;
import dev.lamina.Model;
import dev.lamina.Sequence;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-token path of a decoding loop (evaluate one token, read the zero-copy logits, pick the
 * argmax) allocates nothing on the Java heap once compiled (C2). Measured with the thread's
 * allocation counter over rounds of many tokens, so one-off allocations (class loading, the
 * interpreter, C1) do not count but anything per token does.
 */
class HotPathAllocationTest {
    private static final int TOKENS_PER_ROUND = 10_000;
    private static final int MAX_ROUNDS = 20;

    @Test
    void evaluateOneTokenAndGreedyPickAllocateNothingPerToken() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        try (Model model = Model.load(TestData.model("stories260K-f32.gguf"));
             Session session = model.newSession(SessionOptions.builder().contextLength(256).threads(1).build())) {
            // Rounds until the JIT has compiled the loop: the interpreter and C1 allocate where C2's
            // escape analysis does not. A real per-token allocation shows in every round (>= 16 bytes/token).
            double best = Double.MAX_VALUE;
            for (int round = 0; round < MAX_ROUNDS && best >= 0.5; round++) {
                long before = threads.getThreadAllocatedBytes(thread);
                decode(session, model.info().bos(), TOKENS_PER_ROUND);
                long bytes = threads.getThreadAllocatedBytes(thread) - before;
                best = Math.min(best, (double) bytes / TOKENS_PER_ROUND);
                System.out.printf("HotPathAllocationTest round %d: %d bytes over %d tokens%n", round, bytes, TOKENS_PER_ROUND);
            }
            assertTrue(best < 0.5, "per-token heap allocation of the compiled loop: " + best + " bytes/token");
            assertEquals(model.info().vocabSize(), session.logitsSegment(-1).byteSize() / Float.BYTES);
        }
    }

    /**
     * The batched decoding loop (queue one token per sequence, one step for all, read each one's greedy
     * token in place) allocates next to nothing per step once compiled: a step must not cost a view
     * scope, a copy of the logits or a list of the sequences.
     */
    @Test
    void aBatchStepOfFourSequencesAllocatesNextToNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        try (Model model = Model.load(TestData.model("stories260K-f32.gguf"));
             BatchSession batch = model.newBatchSession(BatchSessionOptions.builder().maxSequences(4)
                     .contextLength(1024).threads(1).build())) {
            Sequence[] seqs = new Sequence[4];
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = batch.newSequence().append(model.info().bos(), 10 + i);
            }
            batch.step();
            int steps = TOKENS_PER_ROUND / 4;
            double best = Double.MAX_VALUE;
            for (int round = 0; round < MAX_ROUNDS && best >= 8; round++) {
                long before = threads.getThreadAllocatedBytes(thread);
                decode(batch, seqs, steps);
                long bytes = threads.getThreadAllocatedBytes(thread) - before;
                best = Math.min(best, (double) bytes / steps);
                System.out.printf("HotPathAllocationTest batch round %d: %d bytes over %d steps%n", round, bytes, steps);
            }
            assertTrue(best < 8, "per-step heap allocation of the compiled batch loop: " + best + " bytes/step");
        }
    }

    private static void decode(BatchSession batch, Sequence[] seqs, int steps) {
        for (int i = 0; i < steps; i++) {
            for (Sequence s : seqs) {
                int token = s.argmax();
                if (s.position() >= 250) {
                    s.truncate(1); // keep BOS; each sequence stays within its quarter of the cache
                }
                s.append(token);
            }
            batch.step();
        }
    }

    /**
     * The decoding loop under test: evaluate(int), zero-copy logits, argmax. When the context is
     * full it starts over by evaluating at position 0, which keeps one logits row as every step does
     * (truncate would end the logits views, and a new view scope costs an allocation).
     */
    private static int decode(Session session, int token, int n) {
        for (int i = 0; i < n; i++) {
            if (session.position() >= 255) {
                session.evaluate(new int[] {token}, 0, false);
            } else {
                session.evaluate(token);
            }
            token = Logits.argmax(session.logitsSegment(-1));
        }
        return token;
    }
}
