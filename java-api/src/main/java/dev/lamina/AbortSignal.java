package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_session_set_abort_callback;

import dev.lamina.bindings.lm_abort_fn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a session's native abort callback asks before every layer: whether the evaluation in
 * progress should stop. The owner sets the reasons from any thread (volatile fields); the callback
 * only reads them and the clock, so it allocates nothing and cannot throw (an exception escaping an
 * upcall would end the JVM).
 *
 * <p>Reasons: the owner is closing; the {@link Generation} the evaluation works for was cancelled;
 * the step in progress was cancelled ({@link #cancelEvaluation()}); the evaluation's deadline passed.
 */
final class AbortSignal {
    private volatile boolean closing;
    private volatile Generation generation;
    private volatile boolean hasDeadline;
    private volatile long deadlineNanos;
    /** Counts evaluations; cancelling one records its number, so a later one is never hit by it. */
    private volatile long evaluation;
    private volatile long cancelledEvaluation = -1;

    private AbortSignal() {}

    /**
     * Creates the upcall stub in {@code arena} (which must outlive every evaluation of the session)
     * and installs it as the session's abort callback.
     */
    static AbortSignal install(MemorySegment session, Arena arena, Path file) {
        AbortSignal signal = new AbortSignal();
        MemorySegment stub = lm_abort_fn.allocate(userData -> signal.shouldAbort(), arena);
        Native.check(lm_session_set_abort_callback(session, stub, MemorySegment.NULL), file);
        return signal;
    }

    /** The callback: cheap reads of volatile fields and the clock. */
    private boolean shouldAbort() {
        if (closing || cancelledEvaluation == evaluation) {
            return true;
        }
        Generation g = generation;
        if (g != null && g.isCancelRequested()) {
            return true;
        }
        return hasDeadline && System.nanoTime() - deadlineNanos >= 0;
    }

    /** The {@link System#nanoTime()} {@code timeout} from now (capped far enough to never overflow). */
    static long deadlineAfter(Duration timeout) {
        long nanos;
        try {
            nanos = Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 4;
        }
        return System.nanoTime() + nanos;
    }

    /** Stops the evaluation in progress and every later one: the owner is being closed. */
    void markClosing() {
        closing = true;
    }

    /**
     * Starts an evaluation (the owner's thread, before the native call).
     *
     * @param forGeneration the generation it works for (its cancel() stops it), or null
     * @param deadline      {@link System#nanoTime()} by which it must end, if {@code hasDeadline}
     */
    void begin(Generation forGeneration, boolean hasDeadline, long deadline) {
        this.generation = forGeneration;
        this.deadlineNanos = deadline;
        this.hasDeadline = hasDeadline;
        evaluation++;
    }

    /** Ends the evaluation begun last: later cancel requests and its deadline no longer apply. */
    void end() {
        hasDeadline = false;
        generation = null;
        evaluation++;
    }

    /** Stops the evaluation in progress, if any (any thread); one that starts later is not affected. */
    void cancelEvaluation() {
        cancelledEvaluation = evaluation;
    }

    /** Whether the current evaluation was stopped by {@link #cancelEvaluation()} (owner's thread). */
    boolean evaluationCancelled() {
        return cancelledEvaluation == evaluation;
    }

    /** Whether the current evaluation's deadline has passed (owner's thread). */
    boolean deadlinePassed() {
        return hasDeadline && System.nanoTime() - deadlineNanos >= 0;
    }
}
