package dev.lamina.server;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One generation request between the HTTP thread that waits for it and the scheduler that runs it.
 * The scheduler puts {@link Event}s into the job; the HTTP thread takes them. {@link #cancel()}
 * (client gone, shutdown) may come from any thread.
 */
final class Job {
    /** What the scheduler tells the waiting request. */
    sealed interface Event permits Piece, Done, Failed {}

    /** Generated text (possibly "" while a stop string may be starting) and, if asked, its logprob. */
    record Piece(String text, TokenLogprob logprob) implements Event {}

    /**
     * The generation ended.
     *
     * @param finishReason OpenAI's: "stop" (end of generation or stop string), "length", "cancelled", "timeout"
     */
    record Done(String finishReason, int promptTokens, int completionTokens, int cachedTokens) implements Event {}

    record Failed(ApiError error) implements Event {}

    final GenerateRequest request;
    final long createdNanos = System.nanoTime();
    final long deadlineNanos;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;
    private volatile Runnable onCancel;

    Job(GenerateRequest request, long timeoutNanos) {
        this.request = request;
        this.deadlineNanos = createdNanos + timeoutNanos;
    }

    /** Stops the job: the scheduler frees its slot before its next step (or stops the step in flight). */
    void cancel() {
        cancelled = true;
        Runnable r = onCancel;
        if (r != null) {
            r.run();
        }
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** Set by the scheduler while a step runs this job's prompt, to stop that step at once. */
    void onCancel(Runnable r) {
        onCancel = r;
    }

    void emit(Event e) {
        events.add(e);
    }

    /** The next event, or null after {@code timeoutMillis}. */
    Event next(long timeoutMillis) throws InterruptedException {
        return events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
