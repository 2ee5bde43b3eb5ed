package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.InvalidArgumentException;
import dev.lamina.Logits;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.FloatBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Zero-copy logits views never outlive the rows they show: once the native buffer may move or its
 * rows are gone, every access throws IllegalStateException instead of reading freed or stale memory.
 */
class LogitsViewTest {
    private static final SessionOptions OPTIONS = SessionOptions.builder().contextLength(256).batchSize(64).threads(1).build();

    @Test
    void aViewFromBeforeTheBufferGrewThrowsInsteadOfReadingFreedMemory() {
        try (Model model = Model.load(TestData.model("llama2-mha-f32.gguf"));
             Session session = model.newSession(OPTIONS)) {
            session.evaluate(new int[] {1, 100});
            MemorySegment oneRow = session.logitsSegment(-1);
            FloatBuffer asBuffer = session.logits();
            // 40 rows of 32000 logits: the native buffer is reallocated, the old one freed.
            session.evaluate(tokens(40), 0, true);
            assertThrows(IllegalStateException.class, () -> oneRow.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
            assertThrows(IllegalStateException.class, () -> Logits.argmax(oneRow));
            assertThrows(IllegalStateException.class, () -> asBuffer.get(0));
            // New views of the new rows work.
            assertEquals(session.logitsArray(39)[5], session.logitsSegment(39).getAtIndex(ValueLayout.JAVA_FLOAT, 5));
        }
    }

    @Test
    void viewsOfRowsThatNoLongerExistThrow() {
        try (Model model = Model.load(TestData.model("llama2-mha-f32.gguf"));
             Session session = model.newSession(OPTIONS)) {
            session.evaluate(tokens(40), 0, true);
            MemorySegment row30 = session.logitsSegment(30);
            // One row kept now: the buffer shrinks in place, so row 30 would read stale numbers.
            session.evaluate(new int[] {7}, 40, false);
            assertThrows(IllegalStateException.class, () -> row30.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
        }
    }

    @Test
    void truncateFailureAndCloseInvalidateViews() {
        try (Model model = Model.load(TestData.model("llama2-mha-f32.gguf"))) {
            Session session = model.newSession(OPTIONS);
            session.evaluate(new int[] {1, 100});
            MemorySegment beforeTruncate = session.logitsSegment(-1);
            session.truncate(1);
            assertThrows(IllegalStateException.class, () -> beforeTruncate.getAtIndex(ValueLayout.JAVA_FLOAT, 0));

            session.evaluate(new int[] {100});
            MemorySegment beforeFailure = session.logitsSegment(-1);
            assertThrows(InvalidArgumentException.class, () -> session.evaluate(new int[] {1_000_000}));
            assertThrows(IllegalStateException.class, () -> beforeFailure.getAtIndex(ValueLayout.JAVA_FLOAT, 0));

            session.evaluate(new int[] {100});
            MemorySegment beforeClose = session.logitsSegment(-1);
            session.close();
            assertThrows(IllegalStateException.class, () -> beforeClose.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
        }
    }

    @Test
    void aViewKeptAcrossDecodingStepsShowsTheLatestLogits() {
        try (Model model = Model.load(TestData.model("llama2-mha-f32.gguf"));
             Session session = model.newSession(OPTIONS)) {
            session.evaluate(new int[] {1, 100});
            MemorySegment view = session.logitsSegment(-1);
            for (int token : new int[] {200, 300, 400}) {
                session.evaluate(token);
                assertArrayEquals(session.logitsArray(-1), view.toArray(ValueLayout.JAVA_FLOAT));
            }
        }
    }

    /**
     * A reader on another thread hammers a view while the owner changes the buffer's shape and
     * finally closes the session: the reader sees numbers or IllegalStateException, and the JVM lives.
     */
    @Test
    void concurrentReadersNeverTouchFreedMemory() throws Exception {
        try (Model model = Model.load(TestData.model("llama2-mha-f32.gguf"))) {
            Session session = model.newSession(OPTIONS);
            session.evaluate(new int[] {1});
            AtomicReference<MemorySegment> current = new AtomicReference<>(session.logitsSegment(-1));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong reads = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    MemorySegment v = current.get();
                    try {
                        float sum = 0;
                        for (long i = 0; i < v.byteSize() / Float.BYTES; i += 97) {
                            sum += v.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                        }
                        reads.incrementAndGet();
                        if (sum == Float.MIN_VALUE) {
                            System.out.println(sum); // keeps the loop from being optimised away
                        }
                    } catch (IllegalStateException e) {
                        refused.incrementAndGet();
                    } catch (Throwable t) {
                        unexpected.set(t);
                        return;
                    }
                }
            }, "view-reader");
            reader.start();
            try {
                // The reader must really run beside each change, even on a loaded machine.
                awaitProgress(reads, unexpected);
                for (int round = 0; round < 30; round++) {
                    int n = 2 + round % 5 * 8;
                    session.evaluate(tokens(n), 0, true);      // many rows: the buffer grows or shrinks
                    current.set(session.logitsSegment(n - 1));
                    awaitProgress(reads, unexpected);
                    session.evaluate(new int[] {5}, n, false); // one row again
                    current.set(session.logitsSegment(-1));
                    awaitProgress(reads, unexpected);
                }
                session.close();
                // The reader holds a view of the closed session now: it must be refused.
                awaitProgress(refused, unexpected);
            } finally {
                stop.set(true);
                reader.join();
            }
            if (unexpected.get() != null) {
                throw new AssertionError("the reader failed with something other than IllegalStateException", unexpected.get());
            }
            assertTrue(reads.get() > 0, "the reader read something");
            assertTrue(refused.get() > 0, "the reader met invalidated views");
        }
    }

    /** Waits (at most 10 s) until the counter moves, or the reader failed. */
    private static void awaitProgress(AtomicLong counter, AtomicReference<Throwable> failed) throws InterruptedException {
        long start = counter.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter.get() == start && failed.get() == null && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    private static int[] tokens(int n) {
        int[] t = new int[n];
        t[0] = 1;
        for (int i = 1; i < n; i++) {
            t[i] = 100 + 37 * i;
        }
        return t;
    }
}
