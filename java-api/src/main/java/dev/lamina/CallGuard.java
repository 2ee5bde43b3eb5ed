package dev.lamina;

import java.util.ConcurrentModificationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread at a time inside an owner's calls, and a close that may come from any thread: the
 * close marks the owner closing (no new call starts), then waits for the call in flight to leave.
 */
final class CallGuard {
    private final Object owner;
    private final AtomicReference<Thread> user = new AtomicReference<>();
    private volatile boolean closing;
    private volatile boolean closed;

    /** @param owner named in messages (its toString()) */
    CallGuard(Object owner) {
        this.owner = owner;
    }

    /**
     * Takes the guard for a call.
     *
     * @throws IllegalStateException           if the owner is closed or closing
     * @throws ConcurrentModificationException if another thread is inside a call
     */
    void enter() {
        ensureOpen();
        Thread me = Thread.currentThread();
        if (!user.compareAndSet(null, me)) {
            ensureOpen(); // a closing thread holds the guard only to free the owner
            Thread other = user.get();
            throw new ConcurrentModificationException(owner + " is in use by thread '"
                    + (other == null ? "?" : other.getName()) + "'; it must be used by one thread at a time");
        }
        if (closing) {
            user.set(null);
            ensureOpen();
        }
    }

    void exit() {
        user.set(null);
    }

    /**
     * Takes the guard for close: marks the owner closing (the caller should then stop an evaluation
     * in flight), then waits for the call in flight, if any.
     *
     * @return false if the owner was closed already (the guard is then not held)
     * @throws IllegalStateException if called from inside a call on the same owner
     */
    boolean enterForClose(Runnable onClosing) {
        if (closed) {
            return false;
        }
        Thread me = Thread.currentThread();
        if (user.get() == me) {
            throw new IllegalStateException(owner + " cannot be closed from inside a call on it");
        }
        closing = true;
        onClosing.run();
        long pause = 1_000; // ns; back off up to 1 ms: a call in flight stops within one layer
        while (!user.compareAndSet(null, me)) {
            LockSupport.parkNanos(this, pause);
            pause = Math.min(pause * 2, 1_000_000);
        }
        if (closed) {
            user.set(null);
            return false;
        }
        return true;
    }

    /** Marks the owner closed (the closing thread, holding the guard). */
    void markClosed() {
        closed = true;
    }

    boolean isClosing() {
        return closing;
    }

    boolean isClosed() {
        return closed;
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(owner + " is closed");
        }
        if (closing) {
            throw new IllegalStateException(owner + " is being closed by another thread");
        }
    }
}
