package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.FinishReason;
import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Generation as a Flow.Publisher: demand, completion, errors and cancellation. */
class GenerationPublisherTest {
    private static final String MODEL = "stories260K-f32.gguf";

    /** Records signals; requests only when told. */
    private static final class Recorder implements Flow.Subscriber<GeneratedToken> {
        final List<Integer> ids = new CopyOnWriteArrayList<>();
        final CompletableFuture<Throwable> end = new CompletableFuture<>();
        volatile Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(GeneratedToken item) {
            ids.add(item.id());
        }

        @Override
        public void onError(Throwable t) {
            end.complete(t);
        }

        @Override
        public void onComplete() {
            end.complete(null);
        }
    }

    @Test
    void deliversNoMoreThanRequestedAndCompletes() throws Exception {
        try (Model model = Model.load(TestData.model(MODEL)); Session session = model.newSession()) {
            Generation g = session.generate("Once upon a time", GenerationOptions.greedy().maxTokens(6));
            Recorder r = new Recorder();
            g.publisher().subscribe(r);
            r.subscription.request(2);
            Thread.sleep(300);
            assertEquals(2, r.ids.size(), "two requested, two delivered");
            assertTrue(!r.end.isDone());
            r.subscription.request(Long.MAX_VALUE);
            assertEquals(null, r.end.get(30, TimeUnit.SECONDS), "completes without error");
            assertEquals(6, r.ids.size());
            assertEquals(FinishReason.MAX_TOKENS, g.result().finishReason());
        }
    }

    @Test
    void nonPositiveRequestIsAnErrorAndCancelStopsTheGeneration() throws Exception {
        try (Model model = Model.load(TestData.model(MODEL)); Session session = model.newSession()) {
            Recorder bad = new Recorder();
            session.generate("Once", GenerationOptions.greedy().maxTokens(50)).publisher().subscribe(bad);
            bad.subscription.request(0);
            assertInstanceOf(IllegalArgumentException.class, bad.end.get(30, TimeUnit.SECONDS));

            Generation g = session.generate("Once", GenerationOptions.greedy().maxTokens(10_000));
            Recorder r = new Recorder();
            g.publisher().subscribe(r);
            r.subscription.request(3);
            while (r.ids.size() < 3) Thread.sleep(1);
            r.subscription.cancel(); // returns once the generation has stopped
            assertEquals(FinishReason.CANCELLED, g.result().finishReason());
            assertEquals(3, g.result().generatedTokens());
            Thread.sleep(100);
            assertTrue(!r.end.isDone(), "no signal after cancel");
        }
    }
}
