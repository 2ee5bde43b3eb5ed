package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.GenerationResult;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** One Generation used from several threads hands out every token exactly once. */
class GenerationThreadsTest {
    private static final int TOKENS = 300;

    @Test
    void twoThreadsIteratingOneGenerationNeverDeliverATokenTwice() throws Exception {
        try (Model model = Model.load(TestData.model("stories260K-f32.gguf"));
             Session session = model.newSession(SessionOptions.builder().contextLength(512).threads(1).build());
             Generation generation = session.generate("", GenerationOptions.greedy().maxTokens(TOKENS))) {
            List<List<GeneratedToken>> delivered = List.of(new ArrayList<>(), new ArrayList<>());
            AtomicInteger refusals = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (List<GeneratedToken> mine : delivered) {
                threads.add(new Thread(() -> {
                    try {
                        start.await();
                        while (true) {
                            try {
                                if (!generation.hasNext()) {
                                    return;
                                }
                                mine.add(generation.next());
                            } catch (ConcurrentModificationException e) {
                                refusals.incrementAndGet();
                                Thread.onSpinWait();
                            } catch (NoSuchElementException e) {
                                return; // the other thread took the last token between the two calls
                            }
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }));
            }
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertNull(failure.get(), () -> "a thread failed: " + failure.get());
            GenerationResult result = generation.result();
            IdentityHashMap<GeneratedToken, Boolean> seen = new IdentityHashMap<>();
            delivered.forEach(list -> list.forEach(t -> assertNull(seen.put(t, true), "token delivered twice: " + t)));
            assertEquals(result.generatedTokens(), seen.size(), "tokens delivered = tokens generated (refused calls: "
                    + refusals.get() + ")");
            assertTrue(result.generatedTokens() > 0);
        }
    }

    @Test
    void handingAGenerationToAnotherThreadBetweenCallsIsAllowed() throws Exception {
        try (Model model = Model.load(TestData.model("stories260K-f32.gguf"));
             Session session = model.newSession(SessionOptions.builder().contextLength(256).threads(1).build());
             Generation generation = session.generate("", GenerationOptions.greedy().maxTokens(10))) {
            List<Integer> ids = new ArrayList<>();
            ids.add(generation.next().id());
            Thread other = new Thread(() -> generation.forEachRemaining(t -> ids.add(t.id())));
            other.start();
            other.join();
            assertEquals(10, ids.size());
            assertEquals(10, generation.result().generatedTokens());
        }
    }
}
