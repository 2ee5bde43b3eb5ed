package dev.lamina;

import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Generation}'s tokens as a {@link Flow.Publisher}, for one subscriber. One task on the
 * executor drives the generation: it waits for demand, produces a token per request and ends with
 * onComplete (or onError); cancelling the subscription cancels the generation, and the generation
 * is closed when the stream ends either way. {@code cancel()} returns once the generation has
 * stopped (a native evaluation stops within one layer), so its result can be read right after. Follows the Reactive Streams rules: signals are
 * serial, a request of n &lt;= 0 is an error, nothing is signalled after a terminal signal or a
 * cancel.
 */
final class GenerationPublisher implements Flow.Publisher<GeneratedToken> {
    private final Generation generation;
    private final Executor executor;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    GenerationPublisher(Generation generation, Executor executor) {
        this.generation = generation;
        this.executor = executor;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super GeneratedToken> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            subscriber.onError(new IllegalStateException("a generation can be subscribed to once"));
            return;
        }
        Drain drain = new Drain(subscriber);
        subscriber.onSubscribe(drain);
        try {
            executor.execute(drain);
        } catch (RuntimeException e) {
            drain.fail(e);
        }
    }

    /** Longest a cancel waits for the generation to stop (it takes one layer's work). */
    private static final long STOP_WAIT_SECONDS = 30;

    private final class Drain implements Flow.Subscription, Runnable {
        private final Flow.Subscriber<? super GeneratedToken> subscriber;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long demand;
        private boolean cancelled;
        private Throwable badRequest;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Thread producer;

        Drain(Flow.Subscriber<? super GeneratedToken> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            lock.lock();
            try {
                if (n <= 0) {
                    badRequest = new IllegalArgumentException("request(" + n + "): demand must be positive");
                } else {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void cancel() {
            generation.cancel(); // stops a native evaluation in progress, from any thread
            lock.lock();
            try {
                cancelled = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (Thread.currentThread() != producer) { // called from onNext it must not wait for itself
                try {
                    done.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void fail(Throwable t) {
            generation.close();
            done.countDown();
            subscriber.onError(t);
        }

        @Override
        public void run() {
            producer = Thread.currentThread();
            try {
                drain();
            } finally {
                done.countDown();
            }
        }

        /** Runs the loop, then closes the generation before the terminal signal, so the subscriber may reuse the session at once. */
        private void drain() {
            Runnable terminal;
            try {
                terminal = loop();
            } finally {
                generation.close();
            }
            if (terminal != null) {
                terminal.run();
            }
        }

        private Runnable loop() {
            try {
                while (true) {
                    lock.lock();
                    try {
                        while (demand == 0 && !cancelled && badRequest == null) {
                            changed.await();
                        }
                        if (cancelled) {
                            return null;
                        }
                        if (badRequest != null) {
                            cancelled = true;
                            Throwable t = badRequest;
                            return () -> subscriber.onError(t);
                        }
                        demand--;
                    } finally {
                        lock.unlock();
                    }
                    GeneratedToken token;
                    try {
                        token = generation.hasNext() ? generation.next() : null;
                    } catch (RuntimeException e) {
                        return isCancelled() ? null : () -> subscriber.onError(e);
                    }
                    if (isCancelled()) {
                        return null;
                    }
                    if (token == null) {
                        return subscriber::onComplete;
                    }
                    subscriber.onNext(token);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                CancelledException c = new CancelledException("the thread producing tokens was interrupted", generation.sessionPath());
                return () -> subscriber.onError(c);
            }
        }

        private boolean isCancelled() {
            lock.lock();
            try {
                return cancelled;
            } finally {
                lock.unlock();
            }
        }
    }
}
