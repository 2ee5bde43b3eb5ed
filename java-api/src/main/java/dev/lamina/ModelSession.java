package dev.lamina;

/** What a {@link Model} closes before itself: its sessions of either kind. */
interface ModelSession extends AutoCloseable {
    /** Closes the session (waiting for a call in flight on another thread); never throws a checked exception. */
    @Override
    void close();
}
