package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ConcurrentModificationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Close, use-after-close, leaks and the one-thread-at-a-time rule. */
class LifecycleTest {
    private static final Path STORIES = TestData.model("stories260K-f32.gguf");

    @Test
    void useAfterCloseThrowsIllegalStateNamingTheObject() {
        Model model = Model.load(STORIES);
        Tokenizer tokenizer = model.tokenizer();
        Session session = model.newSession(SessionOptions.builder().contextLength(32).build());
        session.close();
        session.close(); // idempotent
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> session.evaluate(new int[] {1}));
        assertTrue(s.getMessage().contains("Session"), s.getMessage());
        assertThrows(IllegalStateException.class, session::position);
        assertThrows(IllegalStateException.class, session::logits);

        model.close();
        model.close(); // idempotent
        IllegalStateException m = assertThrows(IllegalStateException.class, model::info);
        assertTrue(m.getMessage().contains("Model"), m.getMessage());
        assertThrows(IllegalStateException.class, () -> tokenizer.encode("hi", true, true));
        assertThrows(IllegalStateException.class, model::metadata);
        assertThrows(IllegalStateException.class, () -> model.newSession(SessionOptions.defaults()));
    }

    @Test
    void closingTheModelClosesItsSessionsAndGenerations() {
        Model model = Model.load(STORIES);
        Session a = model.newSession(SessionOptions.builder().contextLength(32).build());
        Session b = model.newSession(SessionOptions.builder().contextLength(32).build());
        Generation g = b.generate(new int[] {1}, GenerationOptions.greedy().maxTokens(10));
        g.next();
        model.close();
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        assertFalse(g.hasNext());
        assertThrows(IllegalStateException.class, () -> a.evaluate(new int[] {1}));
        assertDoesNotThrow(g::close);
    }

    /** Runs in the surefire execution "leak-check" (interpreter only, fixed heap): see tests/pom.xml. */
    @Test
    @Tag("leak")
    void loadingAndClosing200TimesDoesNotLeak() throws IOException {
        for (int i = 0; i < 30; i++) {
            loadEvaluateClose();
        }
        long before = settledRssKb();
        for (int i = 0; i < 200; i++) {
            loadEvaluateClose();
        }
        long after = settledRssKb();
        long growthKb = after - before;
        assertTrue(growthKb < 4 * 1024, "RSS grew by " + growthKb + " kB over 200 load/close cycles ("
                + before + " kB -> " + after + " kB)");
    }

    private static void loadEvaluateClose() {
        try (Model model = Model.load(STORIES);
             Session session = model.newSession(SessionOptions.builder().contextLength(64).threads(1).build())) {
            session.evaluate(new int[] {1, 300, 301});
            model.metadata();
            model.tensors();
            try (Generation g = session.generate(new int[] {302}, GenerationOptions.greedy().maxTokens(2))) {
                g.next();
            }
        }
    }

    private static long settledRssKb() throws IOException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }

    @Test
    void concurrentUseOfOneSessionIsRefusedWithoutACrash() throws Exception {
        TestData.Golden golden = TestData.golden("llama2-gqa256-f16");
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(SessionOptions.builder().contextLength(128).threads(1).build())) {
            int[] prompt = golden.promptIds();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> workerFailure = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread worker = new Thread(() -> {
                try {
                    started.countDown();
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
                    int rounds = 0;
                    while (System.nanoTime() < end || rounds < 3) {
                        session.evaluate(prompt, 0, false);
                        rounds++;
                    }
                } catch (Throwable t) {
                    workerFailure.set(t);
                } finally {
                    done.set(true);
                }
            }, "lamina-test-worker");
            worker.start();
            started.await();
            AtomicInteger refused = new AtomicInteger();
            while (!done.get()) {
                try {
                    session.evaluate(new int[] {1}, 0, false);
                } catch (ConcurrentModificationException e) {
                    assertTrue(e.getMessage().contains("one thread at a time"), e.getMessage());
                    refused.incrementAndGet();
                }
            }
            worker.join();
            // Either thread may have been refused; neither may fail any other way.
            Throwable failure = workerFailure.get();
            if (failure != null && !(failure instanceof ConcurrentModificationException)) {
                throw new AssertionError("worker failed", failure);
            }
            assertTrue(refused.get() > 0 || failure != null, "concurrent calls were detected");
            // Still consistent and usable afterwards.
            session.evaluate(prompt, 0, true);
            assertEquals(prompt.length, session.position());
        }
    }
}
