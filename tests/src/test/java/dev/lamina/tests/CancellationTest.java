package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.BatchSession;
import dev.lamina.BatchSessionOptions;
import dev.lamina.CancelledException;
import dev.lamina.DeadlineExceededException;
import dev.lamina.FinishReason;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.KvType;
import dev.lamina.Model;
import dev.lamina.Sequence;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cancel, a close from another thread, or a deadline stops a long native prefill (4,000 tokens in
 * one evaluation) within 100 ms, and leaves the session usable with its cache as before.
 */
class CancellationTest {
    private static final int PROMPT = 4000;
    private static final int CONTEXT = 4096;
    private static final long LATENCY_NANOS = 100_000_000L;
    /**
     * How long a test lets the prefill run before stopping it: the prefill takes about ten times longer,
     * and its first micro-batches have the shortest layers (a layer is what a stop waits for at most).
     */
    private static final long RUNNING_MILLIS = 150;
    private static Model model;
    private static int[] longPrompt;
    private static final int[] HISTORY = {1, 15, 27, 302, 44, 91, 16, 8, 500, 23};
    private static final int[] NEXT = {77, 12, 3};

    @BeforeAll
    static void load() {
        model = Model.load(TestData.model("llama2-gqa256-f16.gguf"));
        longPrompt = new int[PROMPT];
        for (int i = 0; i < PROMPT; i++) {
            longPrompt[i] = 1 + (i * 31 + 11) % (model.info().vocabSize() - 1);
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Session session() {
        return model.newSession(SessionOptions.builder().contextLength(CONTEXT).threads(2).kvType(KvType.F32).build());
    }

    /** A task on its own thread that records when it returned and what it returned or threw. */
    private static final class Running<T> {
        private final Thread thread;
        private volatile long returnedAt;
        private volatile T value;
        private volatile Throwable thrown;

        Running(Callable<T> task) {
            thread = new Thread(() -> {
                try {
                    value = task.call();
                } catch (Throwable t) {
                    thrown = t;
                } finally {
                    returnedAt = System.nanoTime();
                }
            }, "prefill");
            thread.start();
        }

        /** Lets the prefill run for a while; it must still be running (else the test proves nothing). */
        void letRun() throws InterruptedException {
            thread.join(RUNNING_MILLIS);
            assertTrue(thread.isAlive(), "the " + PROMPT + "-token prefill finished within " + RUNNING_MILLIS
                    + " ms (thrown: " + thrown + "), so this test cannot stop it while it runs");
        }

        /** Waits for the task; returns when it returned (System.nanoTime()). */
        long join() throws InterruptedException {
            thread.join(60_000);
            assertFalse(thread.isAlive(), "the task did not return within 60 s");
            return returnedAt;
        }
    }

    private static void assertWithinLatency(long from, long to, String what) {
        double millis = (to - from) / 1e6;
        System.out.printf("CancellationTest %s: returned %.1f ms after it%n", what, millis);
        assertTrue(to - from < LATENCY_NANOS, what + ": the evaluation returned " + millis + " ms after it (limit 100 ms)");
    }

    /** The session still holds exactly HISTORY: continuing gives what a fresh session gives. */
    private static void assertCacheHoldsHistory(Session session) {
        assertEquals(HISTORY.length, session.position(), "the cancelled prefill left the cache as before");
        session.evaluate(NEXT);
        float[] after = session.logitsArray(-1);
        try (Session fresh = session()) {
            fresh.evaluate(HISTORY);
            fresh.evaluate(NEXT);
            double error = TestData.relativeError(after, fresh.logitsArray(-1));
            assertTrue(error <= 1e-5, "logits after the cancelled prefill differ from a fresh session's: " + error);
        }
    }

    @Test
    void generationCancelStopsThePrefillWithinALayer() throws Exception {
        try (Session session = session()) {
            session.evaluate(HISTORY);
            Generation g = session.generate(longPrompt, GenerationOptions.greedy().maxTokens(4));
            assertEquals(HISTORY.length, session.position(), "generate() returns before evaluating the prompt");
            Running<Boolean> prefill = new Running<>(g::hasNext);
            prefill.letRun();
            long cancelled = System.nanoTime();
            g.cancel();
            assertWithinLatency(cancelled, prefill.join(), "Generation.cancel()");
            assertNull(prefill.thrown);
            assertFalse(prefill.value, "a cancelled generation has no token");
            assertEquals(FinishReason.CANCELLED, g.result().finishReason());
            assertCacheHoldsHistory(session);
        }
    }

    @Test
    void sessionCloseFromAnotherThreadStopsAGenerationsPrefill() throws Exception {
        Session session = session();
        session.evaluate(HISTORY);
        Generation g = session.generate(longPrompt, GenerationOptions.greedy().maxTokens(4));
        Running<Boolean> prefill = new Running<>(g::hasNext);
        prefill.letRun();
        long closing = System.nanoTime();
        session.close();
        long closed = System.nanoTime();
        assertWithinLatency(closing, closed, "Session.close() (it waits for the evaluation, then frees)");
        prefill.join();
        assertNull(prefill.thrown);
        assertFalse(prefill.value);
        assertTrue(session.isClosed());
        assertEquals(FinishReason.CANCELLED, g.result().finishReason());
        assertThrows(IllegalStateException.class, session::position);
    }

    @Test
    void sessionCloseFromAnotherThreadStopsAnEvaluate() throws Exception {
        Session session = session();
        Running<Void> prefill = new Running<>(() -> {
            session.evaluate(longPrompt);
            return null;
        });
        prefill.letRun();
        long closing = System.nanoTime();
        session.close();
        assertWithinLatency(closing, System.nanoTime(), "Session.close() during evaluate()");
        prefill.join();
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, prefill.thrown);
        assertTrue(e.getMessage().contains("closed by another thread"), e.getMessage());
        assertInstanceOf(CancelledException.class, e.getCause());
    }

    @Test
    void aGenerationTimeoutStopsThePrefill() throws Exception {
        try (Session session = session()) {
            session.evaluate(HISTORY);
            Duration timeout = Duration.ofMillis(RUNNING_MILLIS);
            long started = System.nanoTime();
            Generation g = session.generate(longPrompt, GenerationOptions.greedy().maxTokens(4).timeout(timeout));
            Running<Boolean> prefill = new Running<>(g::hasNext);
            long returned = prefill.join();
            assertNull(prefill.thrown);
            assertFalse(prefill.value, "the prompt could not be evaluated within " + timeout);
            assertTrue(returned - started >= timeout.toNanos(), "the deadline came early");
            assertWithinLatency(started + timeout.toNanos(), returned, "the generation's deadline");
            assertEquals(FinishReason.DEADLINE, g.result().finishReason());
            assertCacheHoldsHistory(session);
        }
    }

    private static BatchSession batch() {
        return model.newBatchSession(BatchSessionOptions.builder().maxSequences(2).contextLength(CONTEXT).threads(2)
                .kvType(KvType.F32).build());
    }

    @Test
    void aStepTimeoutStopsTheStepAndKeepsItsQueue() throws Exception {
        try (BatchSession batch = batch()) {
            Sequence a = batch.newSequence().append(HISTORY);
            batch.step();
            float[] before = a.logitsArray();
            a.append(longPrompt);
            Duration timeout = Duration.ofMillis(RUNNING_MILLIS);
            long started = System.nanoTime();
            Running<Integer> step = new Running<>(() -> batch.step(timeout));
            long returned = step.join();
            DeadlineExceededException e = assertInstanceOf(DeadlineExceededException.class, step.thrown);
            assertEquals(timeout, e.timeout());
            assertWithinLatency(started + timeout.toNanos(), returned, "BatchSession.step(timeout)");
            assertEquals(HISTORY.length, a.position(), "the stopped step left the cache as before");
            assertEquals(PROMPT, a.queued(), "the stopped step's tokens are still queued");
            assertEquals(CONTEXT - HISTORY.length, batch.freeCells());
            a.clearQueue();
            a.append(NEXT);
            batch.step();
            try (Session alone = session()) {
                alone.evaluate(HISTORY);
                assertTrue(TestData.relativeError(before, alone.logitsArray(-1)) <= 1e-5);
                alone.evaluate(NEXT);
                assertTrue(TestData.relativeError(a.logitsArray(), alone.logitsArray(-1)) <= 1e-5,
                        "continuing after the stopped step");
            }
        }
    }

    @Test
    void batchCancelStopsAStepAndOtherThreadsAreRefusedMeanwhile() throws Exception {
        try (BatchSession batch = batch()) {
            Sequence a = batch.newSequence().append(longPrompt);
            Running<Integer> step = new Running<>(batch::step);
            step.letRun();
            assertThrows(ConcurrentModificationException.class, batch::freeCells,
                    "a second thread inside a stepping batch session");
            long cancelled = System.nanoTime();
            batch.cancel();
            assertWithinLatency(cancelled, step.join(), "BatchSession.cancel()");
            assertInstanceOf(CancelledException.class, step.thrown);
            assertEquals(0, a.position());
            assertEquals(PROMPT, a.queued());
            batch.cancel(); // no step in progress: the next one is not affected
            a.clearQueue();
            assertEquals(3, a.append(NEXT).batchSession().step());
        }
    }

    @Test
    void batchCloseFromAnotherThreadStopsAStep() throws Exception {
        BatchSession batch = batch();
        Sequence a = batch.newSequence().append(longPrompt);
        Running<Integer> step = new Running<>(batch::step);
        step.letRun();
        long closing = System.nanoTime();
        batch.close();
        assertWithinLatency(closing, System.nanoTime(), "BatchSession.close() during a step");
        step.join();
        assertInstanceOf(IllegalStateException.class, step.thrown);
        assertTrue(batch.isClosed());
        assertTrue(a.isClosed());
    }
}
