package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.BatchSession;
import dev.lamina.BatchSessionOptions;
import dev.lamina.ContextFullException;
import dev.lamina.InvalidArgumentException;
import dev.lamina.KvType;
import dev.lamina.Model;
import dev.lamina.Sequence;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sequences stepped together in one {@link BatchSession} get exactly the logits each gets evaluated
 * alone in a plain {@link Session} (F32 cache, so only the order of float sums may differ), and the
 * sequence operations (fork, truncate, remove, keepOnly, close) keep that true.
 */
class BatchSessionTest {
    private static final double TOLERANCE = 1e-5;
    private static final int CONTEXT = 256;
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(TestData.model("llama2-gqa256-f16.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static BatchSession batch(int sequences, int contextLength) {
        return model.newBatchSession(BatchSessionOptions.builder().maxSequences(sequences).contextLength(contextLength)
                .threads(2).kvType(KvType.F32).build());
    }

    /** Synthetic prompt ids, different per seed. */
    private static int[] prompt(int length, int seed) {
        int vocab = model.info().vocabSize();
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = 1 + (i * 37 + seed * 101 + 7) % (vocab - 1);
        }
        return t;
    }

    /** The logits rows after the prompt and after each continuation token, evaluated alone. */
    private static float[][] alone(int[] prompt, int[] continuation) {
        try (Session s = model.newSession(SessionOptions.builder().contextLength(CONTEXT).threads(2)
                .kvType(KvType.F32).build())) {
            float[][] rows = new float[continuation.length + 1][];
            s.evaluate(prompt);
            rows[0] = s.logitsArray(-1);
            for (int i = 0; i < continuation.length; i++) {
                s.evaluate(continuation[i]);
                rows[i + 1] = s.logitsArray(-1);
            }
            return rows;
        }
    }

    /** The greedy continuation of a prompt evaluated alone. */
    private static int[] greedy(int[] prompt, int n) {
        try (Session s = model.newSession(SessionOptions.builder().contextLength(CONTEXT).threads(2)
                .kvType(KvType.F32).build())) {
            int[] out = new int[n];
            s.evaluate(prompt);
            for (int i = 0; i < n; i++) {
                out[i] = TestData.argmax(s.logitsArray(-1));
                s.evaluate(out[i]);
            }
            return out;
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        double error = TestData.relativeError(actual, expected);
        assertTrue(error <= TOLERANCE, what + ": relative error " + error + " > " + TOLERANCE);
    }

    private static float[] copy(FloatBuffer view) {
        float[] out = new float[view.remaining()];
        view.duplicate().get(out);
        return out;
    }

    @Test
    void fourSequencesOfDifferentLengthsGetTheLogitsEachGetsAlone() {
        int[] lengths = {5, 11, 17, 2};
        int steps = 4;
        int[][] prompts = new int[lengths.length][];
        int[][] continuations = new int[lengths.length][];
        float[][][] expected = new float[lengths.length][][];
        for (int i = 0; i < lengths.length; i++) {
            prompts[i] = prompt(lengths[i], i);
            continuations[i] = greedy(prompts[i], steps);
            expected[i] = alone(prompts[i], continuations[i]);
        }
        try (BatchSession batch = batch(4, CONTEXT)) {
            List<Sequence> seqs = new ArrayList<>();
            for (int i = 0; i < lengths.length; i++) {
                seqs.add(batch.newSequence().append(prompts[i]));
            }
            assertEquals(Arrays.stream(lengths).sum(), batch.step());
            for (int step = 0; step <= steps; step++) {
                for (int i = 0; i < seqs.size(); i++) {
                    Sequence s = seqs.get(i);
                    assertEquals(lengths[i] + step, s.position());
                    assertClose(expected[i][step], copy(s.logits()), "sequence " + i + " after step " + step);
                    assertEquals(TestData.argmax(s.logitsArray()), s.argmax(), "in-place argmax of sequence " + i);
                }
                if (step < steps) {
                    for (int i = 0; i < seqs.size(); i++) {
                        seqs.get(i).append(continuations[i][step]);
                    }
                    assertEquals(seqs.size(), batch.step(), "one token per sequence per step");
                }
            }
            assertEquals(CONTEXT - Arrays.stream(lengths).sum() - 4 * steps, batch.freeCells());
        }
    }

    @Test
    void aStepLargerThanTheBatchSizeIsSplitAndStillMatches() {
        int[][] prompts = {prompt(9, 1), prompt(3, 2), prompt(1, 3)};
        try (BatchSession batch = model.newBatchSession(BatchSessionOptions.builder().maxSequences(3)
                .contextLength(64).batchSize(4).threads(2).kvType(KvType.F32).build())) {
            Sequence[] seqs = new Sequence[prompts.length];
            for (int i = 0; i < prompts.length; i++) {
                seqs[i] = batch.newSequence().append(prompts[i]);
            }
            assertEquals(13, batch.step());
            for (int i = 0; i < prompts.length; i++) {
                assertEquals(prompts[i].length, seqs[i].position());
                assertClose(alone(prompts[i], new int[0])[0], seqs[i].logitsArray(), "sequence " + i);
            }
        }
    }

    @Test
    void forkSharesThePrefixAndEachContinuationMatchesItsOwnEvaluation() {
        int[] prefix = prompt(12, 5);
        int[] x = prompt(3, 6);
        int[] y = prompt(4, 7);
        try (BatchSession batch = batch(4, CONTEXT)) {
            Sequence a = batch.newSequence().append(prefix);
            batch.step();
            int freeAfterPrefix = batch.freeCells();
            Sequence b = a.fork();
            assertNotSame(a, b);
            assertEquals(prefix.length, b.position());
            assertEquals(freeAfterPrefix, batch.freeCells(), "a fork shares the prefix's cells");
            a.append(x);
            b.append(y);
            batch.step();
            assertClose(alone(concat(prefix, x), new int[0])[0], a.logitsArray(), "a = prefix + x");
            assertClose(alone(concat(prefix, y), new int[0])[0], b.logitsArray(), "b = prefix + y");
            assertEquals(freeAfterPrefix - x.length - y.length, batch.freeCells());

            Sequence c = a.fork(5); // a shorter prefix
            assertEquals(5, c.position());
            c.append(y);
            batch.step();
            assertClose(alone(concat(Arrays.copyOf(prefix, 5), y), new int[0])[0], c.logitsArray(), "c = prefix[0..5) + y");
        }
    }

    @Test
    void truncateThenContinueMatchesTheShorterHistory() {
        int[] p = prompt(10, 8);
        int[] x = prompt(5, 9);
        int[] y = prompt(3, 10);
        try (BatchSession batch = batch(2, CONTEXT)) {
            Sequence a = batch.newSequence().append(concat(p, x));
            batch.step();
            a.truncate(p.length);
            assertEquals(p.length, a.position());
            assertFalse(a.hasLogits(), "a truncated sequence's logits are gone");
            assertThrows(IllegalStateException.class, a::logitsArray);
            assertEquals(CONTEXT - p.length, batch.freeCells());
            a.append(y);
            batch.step();
            assertClose(alone(concat(p, y), new int[0])[0], a.logitsArray(), "p + y after truncating x");
        }
    }

    @Test
    void removingARangeFreesItsCellsAndTheSequenceContinuesAfterItsLastPosition() {
        try (BatchSession batch = batch(2, CONTEXT)) {
            Sequence a = batch.newSequence().append(prompt(20, 11));
            batch.step();
            a.remove(4, 9);
            assertEquals(20, a.position(), "positions after the range keep theirs");
            assertEquals(CONTEXT - 15, batch.freeCells());
            a.append(prompt(2, 12));
            assertEquals(2, batch.step());
            assertEquals(22, a.position());
            assertTrue(Float.isFinite(a.logitsArray()[0]));
            assertThrows(IllegalArgumentException.class, () -> a.remove(5, 2));
        }
    }

    @Test
    void keepOnlyEmptiesTheOtherSequencesWhichStayUsable() {
        int[] p = prompt(6, 13);
        try (BatchSession batch = batch(3, CONTEXT)) {
            Sequence a = batch.newSequence().append(prompt(8, 14));
            Sequence b = batch.newSequence().append(prompt(9, 15));
            Sequence c = batch.newSequence().append(prompt(10, 16));
            batch.step();
            float[] aLogits = a.logitsArray();
            a.keepOnly();
            assertEquals(8, a.position());
            assertEquals(0, b.position());
            assertEquals(0, c.position());
            assertEquals(CONTEXT - 8, batch.freeCells());
            assertArrayEquals(aLogits, a.logitsArray(), "the kept sequence keeps its logits");
            assertFalse(b.hasLogits());
            b.append(p);
            batch.step();
            assertClose(alone(p, new int[0])[0], b.logitsArray(), "b evaluated again after keepOnly");
        }
    }

    @Test
    void closingASequenceFreesItsCellsAndItsIdIsReused() {
        try (BatchSession batch = batch(2, 64)) {
            Sequence a = batch.newSequence().append(prompt(10, 17));
            Sequence b = batch.newSequence().append(prompt(7, 18));
            batch.step();
            assertEquals(64 - 17, batch.freeCells());
            IllegalStateException full = assertThrows(IllegalStateException.class, batch::newSequence);
            assertTrue(full.getMessage().contains("all 2 sequences"), full.getMessage());
            int id = a.id();
            a.close();
            a.close(); // idempotent
            assertTrue(a.isClosed());
            assertEquals(64 - 7, batch.freeCells());
            assertThrows(IllegalStateException.class, () -> a.append(1));
            assertThrows(IllegalStateException.class, a::position);
            Sequence again = batch.newSequence();
            assertEquals(id, again.id(), "the closed sequence's id is reused");
            assertEquals(0, again.position(), "a reused id starts empty");
            assertEquals(List.of(again, b).size(), batch.sequences().size());
            assertTrue(a.isClosed(), "the old object stays closed");
        }
    }

    @Test
    void misuseGivesTypedExceptionsAndChangesNothing() {
        try (BatchSession batch = batch(2, 16)) {
            Sequence a = batch.newSequence();
            InvalidArgumentException bad = assertThrows(InvalidArgumentException.class,
                    () -> a.append(1, model.info().vocabSize()));
            assertTrue(bad.getMessage().contains("vocabulary"), bad.getMessage());
            assertEquals(0, a.queued(), "nothing of a refused append is queued");
            assertThrows(InvalidArgumentException.class, () -> a.append(-1));

            a.append(prompt(17, 19));
            ContextFullException full = assertThrows(ContextFullException.class, batch::step);
            assertTrue(full.getMessage().contains("17 tokens"), full.getMessage());
            assertEquals(17, a.queued(), "a refused step keeps the queue");
            assertEquals(16, batch.freeCells());
            a.clearQueue();
            assertEquals(0, batch.step(), "nothing queued: nothing to do");

            IllegalStateException noLogits = assertThrows(IllegalStateException.class, a::argmax);
            assertTrue(noLogits.getMessage().contains("no logits"), noLogits.getMessage());
        }
    }

    @Test
    void logitsViewsThrowAfterTheNextStepAndAfterClose() {
        BatchSession batch = batch(1, 32);
        Sequence a = batch.newSequence().append(prompt(3, 20));
        batch.step();
        FloatBuffer first = a.logits();
        assertTrue(Float.isFinite(first.get(0)));
        a.append(5);
        batch.step();
        assertThrows(IllegalStateException.class, () -> first.get(0), "a view from before the step");
        FloatBuffer second = a.logits();
        assertTrue(Float.isFinite(second.get(0)));
        batch.close();
        assertThrows(IllegalStateException.class, () -> second.get(0), "a view after close");
        assertTrue(a.isClosed(), "closing the batch session closes its sequences");
        assertThrows(IllegalStateException.class, batch::step);
        batch.close(); // idempotent
    }

    @Test
    void closingTheModelClosesItsBatchSessions() {
        Model m = Model.load(TestData.model("stories260K-f32.gguf"));
        BatchSession batch = m.newBatchSession(BatchSessionOptions.builder().maxSequences(2).contextLength(32).build());
        batch.newSequence().append(1, 2, 3);
        batch.step();
        m.close();
        assertTrue(batch.isClosed());
        assertThrows(IllegalStateException.class, batch::newSequence);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
