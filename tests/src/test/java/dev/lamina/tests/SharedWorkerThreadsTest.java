package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.GeneratedToken;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sessions of one model share its worker threads: eight sessions asking for eight threads each,
 * generating at once from eight threads, start eight workers in all (not 64), and each produces
 * exactly the tokens it produces alone.
 */
class SharedWorkerThreadsTest {
    private static final Path MODEL = TestData.model("stories260K-f32.gguf");
    private static final int SESSIONS = 8;
    private static final int THREADS = 8;
    private static final int TOKENS = 24;

    private static SessionOptions options() {
        return SessionOptions.builder().contextLength(64).threads(THREADS).build();
    }

    private static int[] prompt(int session) {
        return new int[] {1, 100 + session * 17, 50 + session * 3};
    }

    private static int[] generate(Session session, int[] prompt) {
        return session.generate(prompt, GenerationOptions.greedy().maxTokens(TOKENS)).stream()
                .mapToInt(GeneratedToken::id).toArray();
    }

    @Test
    void eightSessionsOfEightThreadsShareEightWorkersAndGenerateWhatTheyGenerateAlone() throws Exception {
        int[][] alone = new int[SESSIONS][];
        try (Model model = Model.load(MODEL)) {
            for (int i = 0; i < SESSIONS; i++) {
                try (Session s = model.newSession(options())) {
                    alone[i] = generate(s, prompt(i));
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        try (Model model = Model.load(MODEL)) {
            assertEquals(0, model.workerThreads(), "no evaluation has asked for workers yet");
            List<Session> sessions = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                sessions.add(model.newSession(options()));
            }
            CyclicBarrier start = new CyclicBarrier(SESSIONS);
            List<Future<int[]>> results = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                int index = i;
                results.add(pool.submit(() -> {
                    start.await();
                    return generate(sessions.get(index), prompt(index));
                }));
            }
            for (int i = 0; i < SESSIONS; i++) {
                assertArrayEquals(alone[i], results.get(i).get(120, TimeUnit.SECONDS),
                        "session " + i + " generating beside 7 others");
            }
            assertEquals(THREADS, model.workerThreads(),
                    "the model's sessions share one pool as wide as the widest asked for");
        } finally {
            pool.shutdownNow();
        }
    }
}
