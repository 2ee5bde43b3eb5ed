package dev.lamina;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One sequence of a {@link BatchSession}: its positions in the shared KV cache, the tokens queued for
 * the next {@link BatchSession#step()}, and the logits of its last evaluated token. Follows its batch
 * session's one-thread-at-a-time rule. {@link #close()} frees its cells and its id (a later
 * {@link BatchSession#newSequence()} may reuse the id; this object stays closed).
 */
public final class Sequence implements AutoCloseable {
    private final BatchSession owner;
    private final int id;
    private int[] queue = new int[16];
    private int queued;
    /** Row of the last step's logits holding this sequence's, or -1. */
    private int logitRow = -1;
    private boolean closed;

    Sequence(BatchSession owner, int id) {
        this.owner = owner;
        this.id = id;
    }

    /** The sequence id in the native cache (0 .. maxSequences-1). */
    public int id() {
        return id;
    }

    /** The batch session this sequence belongs to. */
    public BatchSession batchSession() {
        return owner;
    }

    /**
     * Where its next evaluated token goes: its largest cached position + 1 (0 when empty). Queued
     * tokens are not counted.
     */
    public int position() {
        owner.enter();
        try {
            ensureOpen();
            return owner.positionUnguarded(id);
        } finally {
            owner.exit();
        }
    }

    /** Tokens queued for the next step. */
    public int queued() {
        return queued;
    }

    /**
     * Queues tokens for the next {@link BatchSession#step()}.
     *
     * @throws InvalidArgumentException if a token id is outside the vocabulary (nothing is queued)
     */
    public Sequence append(int... tokens) {
        Objects.requireNonNull(tokens, "tokens");
        owner.enter();
        try {
            ensureOpen();
            owner.checkTokenIds(this, tokens);
            grow(tokens.length);
            System.arraycopy(tokens, 0, queue, queued, tokens.length);
            queued += tokens.length;
            return this;
        } finally {
            owner.exit();
        }
    }

    /** Queues one token (the decoding hot path: no array). */
    public Sequence append(int token) {
        owner.enter();
        try {
            ensureOpen();
            owner.checkTokenId(this, token, 0);
            grow(1);
            queue[queued++] = token;
            return this;
        } finally {
            owner.exit();
        }
    }

    /**
     * Tokenizes a text (special tokens parsed; BOS as the vocabulary asks if the sequence is empty and
     * nothing is queued) and queues it.
     */
    public Sequence appendText(String text) {
        Objects.requireNonNull(text, "text");
        Model model = owner.model();
        boolean bos = model.info().addBos() && queued == 0 && position() == 0;
        return append(model.tokenizer().encode(text, bos, true));
    }

    /** Drops the queued tokens. */
    public void clearQueue() {
        owner.enter();
        try {
            ensureOpen();
            queued = 0;
        } finally {
            owner.exit();
        }
    }

    /**
     * A new sequence holding this one's cached positions (sharing their cells, so the prefix costs no
     * cells and no evaluation); queued tokens are not copied.
     *
     * @throws IllegalStateException if every sequence id is in use
     */
    public Sequence fork() {
        return fork(Integer.MAX_VALUE);
    }

    /** A new sequence holding this one's cached positions {@code 0 .. length-1} (see {@link #fork()}). */
    public Sequence fork(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, was " + length);
        }
        owner.enter();
        try {
            ensureOpen();
            Sequence child = owner.newSequenceUnguarded();
            try {
                owner.copyUnguarded(id, child.id, 0, length == Integer.MAX_VALUE ? -1 : length);
            } catch (RuntimeException | Error e) {
                owner.closeSequenceUnguarded(child);
                child.markClosed();
                throw e;
            }
            return child;
        } finally {
            owner.exit();
        }
    }

    /** Drops every cached position from {@code keep} on (the next token then goes at {@code keep}). */
    public void truncate(int keep) {
        if (keep < 0) {
            throw new IllegalArgumentException("keep must be >= 0, was " + keep);
        }
        remove(keep, -1);
    }

    /**
     * Drops cached positions {@code [from, to)}; {@code to < 0} means to the end. Positions after the
     * range keep theirs, so the sequence continues after its largest position.
     */
    public void remove(int from, int to) {
        if (from < 0) {
            throw new IllegalArgumentException("from must be >= 0, was " + from);
        }
        if (to >= 0 && to < from) {
            throw new IllegalArgumentException("to (" + to + ") must be >= from (" + from + "), or < 0 for the end");
        }
        owner.enter();
        try {
            ensureOpen();
            owner.removeUnguarded(id, from, to);
            logitRow = -1;
        } finally {
            owner.exit();
        }
    }

    /** Empties every other sequence of the batch session (they stay open, with their queued tokens). */
    public void keepOnly() {
        owner.enter();
        try {
            ensureOpen();
            owner.keepOnlyUnguarded(id);
        } finally {
            owner.exit();
        }
    }

    /** Whether the last step left logits for this sequence (it had tokens queued, and nothing changed it since). */
    public boolean hasLogits() {
        return !closed && logitRow >= 0;
    }

    /**
     * Read-only zero-copy view of the logits of its last evaluated token; any access throws
     * {@link IllegalStateException} after the next step or the batch session's close. The views of a
     * step share one scope, which the next step closes (about 0.1 ms, once per step however many
     * views there were); {@link #argmax()} and {@link #logitsArray()} need none.
     *
     * @throws IllegalStateException if there are none ({@link #hasLogits()} is false)
     */
    public FloatBuffer logits() {
        return logitsSegment().asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** The same view as {@link #logits()}, as a read-only segment of {@code vocabSize} floats. */
    public MemorySegment logitsSegment() {
        owner.enter();
        try {
            return owner.logitsViewUnguarded(row());
        } finally {
            owner.exit();
        }
    }

    /** A copy of the logits of its last evaluated token. */
    public float[] logitsArray() {
        owner.enter();
        try {
            return owner.logitsUnguarded(row()).toArray(ValueLayout.JAVA_FLOAT);
        } finally {
            owner.exit();
        }
    }

    /** The id of its largest logit (the greedy token), read in place; ties go to the lowest id. */
    public int argmax() {
        owner.enter();
        try {
            return Logits.argmax(owner.logitsUnguarded(row()));
        } finally {
            owner.exit();
        }
    }

    /** The logits row for a native sampler call (writable address; read-only views cannot be passed). */
    MemorySegment logitsForSampling() {
        owner.enter();
        try {
            return owner.logitsUnguarded(row());
        } finally {
            owner.exit();
        }
    }

    /** Whether {@link #close()} was called (directly, or by closing the batch session). */
    public boolean isClosed() {
        return closed;
    }

    /** Frees its cells and its id; queued tokens are dropped. Idempotent. */
    @Override
    public void close() {
        if (closed || owner.isClosed()) {
            closed = true;
            return;
        }
        owner.enter();
        try {
            if (!closed) {
                owner.closeSequenceUnguarded(this);
                markClosed();
            }
        } finally {
            owner.exit();
        }
    }

    @Override
    public String toString() {
        return "Sequence " + id + (closed ? " (closed)" : "");
    }

    // ---- for BatchSession (its guard is held) ----------------------------------------------------

    int[] queue() {
        return queue;
    }

    /** The step evaluated the queue: the logits are in row {@code row}. */
    void stepped(int row) {
        queued = 0;
        logitRow = row;
    }

    void dropLogits() {
        logitRow = -1;
    }

    void markClosed() {
        closed = true;
        queued = 0;
        logitRow = -1;
    }

    private int row() {
        ensureOpen();
        if (logitRow < 0) {
            throw new IllegalStateException(this + " has no logits: it had no tokens queued at the last step of "
                    + owner + ", or it was changed since");
        }
        return logitRow;
    }

    private void grow(int more) {
        if (queued + more > queue.length) {
            queue = Arrays.copyOf(queue, Math.max(queued + more, queue.length * 2));
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(this + " of " + owner + " is closed");
        }
    }
}
