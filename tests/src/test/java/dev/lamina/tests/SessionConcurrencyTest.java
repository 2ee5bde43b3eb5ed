package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.FinishReason;
import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6, concurrency misuse: {@code close()} racing a generation on another thread is safe, and
 * every kind of call on a session that another thread is using is refused with an exception.
 */
class SessionConcurrencyTest {
    private static final Path STORIES = TestData.model("stories260K-f32.gguf");

    /** What the generating thread saw in one round. */
    enum Outcome { FINISHED_BEFORE_CLOSE, CANCELLED_BY_CLOSE, ILLEGAL_STATE }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void closingSessionOrModelWhileAnotherThreadGeneratesIsSafe() throws Exception {
        SplittableRandom random = new SplittableRandom(20261126L);
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        int rounds = 150;
        for (int round = 0; round < rounds; round++) {
            Model model = Model.load(STORIES);
            Session session = model.newSession(SessionOptions.builder().contextLength(96).threads(1).build());
            AtomicReference<Outcome> outcome = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch generating = new CountDownLatch(1);
            boolean closeModelOnly = random.nextBoolean();
            int generatorKind = random.nextInt(3);
            Thread generator = new Thread(() -> {
                try {
                    outcome.set(generate(session, generatorKind, generating));
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    generating.countDown();
                }
            }, "lamina-test-generator-" + round);
            generator.start();
            assertTrue(generating.await(30, TimeUnit.SECONDS), "the generator started");
            // A random moment: from at once to about the length of a whole generation.
            LockSupport.parkNanos(random.nextLong(0, 6_000_000));
            if (!closeModelOnly) {
                session.close();
                assertTrue(session.isClosed());
            }
            model.close();
            assertTrue(session.isClosed(), "closing the model closed the session");
            assertTrue(model.isClosed());
            generator.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(generator.isAlive(), "round " + round + ": the generator is stuck");
            if (failure.get() != null) {
                throw new AssertionError("round " + round + ": the generating thread failed", failure.get());
            }
            outcomes.merge(outcome.get(), 1, Integer::sum);
            // Everything is freed: any further use is refused, not undefined.
            assertThrows(IllegalStateException.class, session::position);
            assertThrows(IllegalStateException.class, () -> model.tokenizer().encode("x", false, false));
        }
        System.out.println("close racing generate over " + rounds + " rounds: " + outcomes);
        int stoppedByClose = outcomes.getOrDefault(Outcome.CANCELLED_BY_CLOSE, 0)
                + outcomes.getOrDefault(Outcome.ILLEGAL_STATE, 0);
        assertTrue(stoppedByClose >= rounds / 10, "closes met generations in flight: " + outcomes);
    }

    /**
     * Generates until the context is full or a close stops it. Returns how it ended; an
     * IllegalStateException from the close is an expected outcome, anything else fails the round.
     */
    private static Outcome generate(Session session, int kind, CountDownLatch generating) {
        try {
            switch (kind) {
                case 0 -> {
                    // Token by token through the iterator, closing the generation at the end.
                    try (Generation g = session.generate(new int[] {1}, GenerationOptions.greedy().maxTokens(100_000))) {
                        generating.countDown();
                        while (g.hasNext()) {
                            GeneratedToken t = g.next();
                            assertTrue(t.id() >= 0);
                        }
                        return g.result().finishReason() == FinishReason.CANCELLED
                                ? Outcome.CANCELLED_BY_CLOSE : Outcome.FINISHED_BEFORE_CLOSE;
                    }
                }
                case 1 -> {
                    // Sampling, so the sampler is in use too; result() drives the loop.
                    Generation g = session.generate(new int[] {1, 300},
                            GenerationOptions.sampled(0.9f, 40, 0.95f, 7L).repeatPenalty(1.1f, 16).maxTokens(100_000));
                    generating.countDown();
                    FinishReason reason = g.result().finishReason();
                    g.close();
                    return reason == FinishReason.CANCELLED ? Outcome.CANCELLED_BY_CLOSE : Outcome.FINISHED_BEFORE_CLOSE;
                }
                default -> {
                    // A hand-written decoding loop on the session's own calls.
                    session.evaluate(new int[] {1});
                    generating.countDown();
                    while (session.position() < session.contextLength()) {
                        float[] logits = session.logitsArray(-1);
                        session.evaluate(TestData.argmax(logits));
                    }
                    return Outcome.FINISHED_BEFORE_CLOSE;
                }
            }
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage().contains("clos"), "names the close: " + e.getMessage());
            return Outcome.ILLEGAL_STATE;
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyCallOnASessionInUseByAnotherThreadIsRefused() throws Exception {
        TestData.Golden golden = TestData.golden("llama2-gqa256-f16");
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(SessionOptions.builder().contextLength(128).threads(1).build())) {
            int[] prompt = golden.promptIds();
            session.evaluate(prompt);
            Generation[] generation = {session.generate(new int[] {prompt[1]}, GenerationOptions.greedy().maxTokens(1000))};
            Map<String, Consumer<Session>> calls = new LinkedHashMap<>();
            calls.put("evaluate(int[])", s -> s.evaluate(new int[] {1}, 0, false));
            calls.put("evaluate(int)", s -> {
                // Each successful call appends a token: rewind before the 128-token context fills.
                if (s.position() > 100) {
                    s.truncate(prompt.length);
                }
                s.evaluate(1);
            });
            calls.put("logits()", s -> s.logits().get(0));
            calls.put("logitsArray", s -> s.logitsArray(-1));
            calls.put("logitsSegment", s -> s.logitsSegment(-1));
            calls.put("logitRows", Session::logitRows);
            calls.put("position", Session::position);
            calls.put("truncate", s -> s.truncate(1));
            calls.put("generate", s -> s.generate(new int[] {1}, GenerationOptions.greedy().maxTokens(1)));
            calls.put("generation.next", s -> {
                // hasNext() computes the next token under the guard; next() hands it over.
                if (generation[0].hasNext()) {
                    generation[0].next();
                }
            });
            List<String> neverRefused = new ArrayList<>();
            for (Map.Entry<String, Consumer<Session>> call : calls.entrySet()) {
                AtomicBoolean done = new AtomicBoolean();
                AtomicInteger refusals = new AtomicInteger();
                AtomicReference<Throwable> workerFailure = new AtomicReference<>();
                CountDownLatch started = new CountDownLatch(1);
                Thread worker = new Thread(() -> {
                    started.countDown();
                    // Until the main thread was refused a few times: on a loaded machine the two
                    // threads may take turns coarsely, so a fixed short window could see no overlap.
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    try {
                        while (refusals.get() < 3 && System.nanoTime() < end) {
                            try {
                                session.evaluate(prompt, 0, false);
                            } catch (ConcurrentModificationException e) {
                                // The main thread held the session this time: that is the rule working.
                            }
                        }
                    } catch (Throwable t) {
                        workerFailure.set(t);
                    } finally {
                        done.set(true);
                    }
                }, "lamina-test-user");
                worker.start();
                started.await();
                int refused = 0;
                while (!done.get()) {
                    try {
                        call.getValue().accept(session);
                    } catch (ConcurrentModificationException e) {
                        assertTrue(e.getMessage().contains("one thread at a time"), e.getMessage());
                        refused++;
                        refusals.incrementAndGet();
                    }
                }
                worker.join();
                if (workerFailure.get() != null) {
                    throw new AssertionError(call.getKey() + ": the worker failed", workerFailure.get());
                }
                if (refused == 0) {
                    neverRefused.add(call.getKey());
                }
                // Restore a state every call accepts (the generate call may have replaced the generation).
                session.evaluate(prompt, 0, false);
                if (generation[0].isFinished()) {
                    generation[0] = session.generate(new int[] {prompt[1]}, GenerationOptions.greedy().maxTokens(1000));
                }
            }
            assertTrue(neverRefused.isEmpty(), "calls never refused while another thread used the session: "
                    + neverRefused);
            // Still consistent afterwards.
            session.evaluate(prompt, 0, true);
            assertEquals(prompt.length, session.position());
            assertEquals(prompt.length, session.logitRows());
        }
    }
}
