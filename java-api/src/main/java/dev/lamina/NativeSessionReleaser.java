package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_batch_free;
import static dev.lamina.bindings.lamina_h.lm_session_free;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Frees a native session (and the batch of a {@link BatchSession}) and ends the logits views
 * handed out over its rows. Shared with the model, so a model closing (or cleaned) frees it first;
 * runs at most once, from whichever thread gets there.
 */
final class NativeSessionReleaser implements Runnable {
    private final Arena arena;
    private final String what;
    MemorySegment session = MemorySegment.NULL;
    MemorySegment batch = MemorySegment.NULL;
    private boolean released;
    /** Scope of the logits views handed out since the rows last moved; null if none were. */
    private Arena views;

    /** {@code what} names the owner in errors: "session", "batch session". */
    NativeSessionReleaser(Arena arena, String what) {
        this.arena = arena;
        this.what = what;
    }

    synchronized Arena views() {
        if (released) {
            throw new IllegalStateException("the " + what + " is closed");
        }
        if (views == null) {
            views = Arena.ofShared();
        }
        return views;
    }

    /** Invalidates every view handed out so far (a shared arena's close reaches all threads). */
    synchronized void endViews() {
        if (views != null) {
            views.close();
            views = null;
        }
    }

    @Override
    public synchronized void run() {
        if (released) {
            return;
        }
        endViews();
        released = true;
        if (!batch.equals(MemorySegment.NULL)) {
            lm_batch_free(batch);
        }
        // The native session before the arena: the arena holds the abort callback's upcall stub.
        if (!session.equals(MemorySegment.NULL)) {
            lm_session_free(session);
        }
        arena.close();
    }
}
