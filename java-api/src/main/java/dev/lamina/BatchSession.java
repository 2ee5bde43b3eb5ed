package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_batch_add;
import static dev.lamina.bindings.lamina_h.lm_batch_add_tokens;
import static dev.lamina.bindings.lamina_h.lm_batch_clear;
import static dev.lamina.bindings.lamina_h.lm_batch_new;
import static dev.lamina.bindings.lamina_h.lm_session_decode;
import static dev.lamina.bindings.lamina_h.lm_session_logits;
import static dev.lamina.bindings.lamina_h.lm_session_n_ctx;
import static dev.lamina.bindings.lamina_h.lm_session_n_free_cells;
import static dev.lamina.bindings.lamina_h.lm_session_n_seq_max;
import static dev.lamina.bindings.lamina_h.lm_session_seq_copy;
import static dev.lamina.bindings.lamina_h.lm_session_seq_keep;
import static dev.lamina.bindings.lamina_h.lm_session_seq_pos_max;
import static dev.lamina.bindings.lamina_h.lm_session_seq_remove;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Objects;

/**
 * Several {@link Sequence}s (conversations, requests) in one KV cache, evaluated together: each
 * {@link #step()} evaluates the tokens queued on every sequence in one native forward pass, so
 * every weight matrix is read once for all of them. A scheduler's loop:
 * <pre>{@code
 * try (BatchSession batch = model.newBatchSession(BatchSessionOptions.builder().maxSequences(4).build())) {
 *     Sequence a = batch.newSequence().appendText("Once upon a time");
 *     Sequence b = batch.newSequence().appendText("The cat");
 *     for (int i = 0; i < 16; i++) {
 *         batch.step();                      // both prompts at first, then one token each
 *         a.append(a.argmax());
 *         b.append(b.argmax());
 *     }
 * }
 * }</pre>
 *
 * <p><b>Cells.</b> The cache has {@link #contextLength()} cells shared by all sequences: one per
 * position of a sequence, and one for a prefix several sequences share ({@link Sequence#fork()}).
 * {@link #freeCells()} says how many are left; a step that needs more throws
 * {@link ContextFullException} and leaves everything as it was (close or truncate a sequence and step
 * again).
 *
 * <p><b>Logits.</b> After a step, each sequence that had tokens queued has the logits of its last
 * token ({@link Sequence#logits()}, zero-copy). Those views become invalid, and any access to them
 * throws {@link IllegalStateException}, at the next step and at {@link #close()}.
 *
 * <p><b>Stopping a step.</b> {@link #cancel()} from any thread, and a timeout ({@link #step(Duration)}),
 * stop the step's native evaluation within one layer: the step throws {@link CancelledException}
 * ({@link DeadlineExceededException} for the timeout), the cache is as it was before the step, and
 * every queued token is still queued.
 *
 * <p><b>Threads.</b> A batch session and its sequences are used by one thread at a time (they may move
 * between threads); a call while another thread is inside one throws
 * {@link ConcurrentModificationException}. {@link #close()} and {@link #cancel()} may come from any
 * thread: close stops a step in flight within one layer, waits for it to return, then frees the
 * session (the stepping thread sees an {@link IllegalStateException}).
 */
public final class BatchSession implements ModelSession {
    private final Model model;
    private final BatchSessionOptions options;
    private final Arena arena = Arena.ofShared();
    private final NativeSessionReleaser releaser;
    private final CallGuard guard = new CallGuard(this);
    private final MemorySegment handle;
    private final MemorySegment batch;
    private final AbortSignal abort;
    private final int contextLength;
    private final int batchSize;
    private final int maxSequences;
    private final int vocabSize;
    private final MemorySegment intOut;
    private final MemorySegment pointerOut;
    /** Staging for the tokens of one native call (grows to batchSize at most). */
    private MemorySegment tokenBuffer;
    /** Open sequences by id; null = free id. */
    private final Sequence[] slots;
    /** Scratch of step(): the sequences with queued tokens and where each started. */
    private final Sequence[] stepping;
    private final int[] startPositions;

    BatchSession(Model model, BatchSessionOptions options) {
        this.model = model;
        this.options = options;
        this.releaser = new NativeSessionReleaser(arena, "batch session");
        try {
            releaser.session = NativeSessions.create(model, options.session(), options.maxSequences());
            model.register(releaser);
            try (Arena call = Arena.ofConfined()) {
                MemorySegment out = call.allocate(ValueLayout.ADDRESS);
                Native.check(lm_batch_new(out), model.path());
                releaser.batch = out.get(ValueLayout.ADDRESS, 0);
            }
            this.handle = releaser.session.reinterpret(arena, null);
            this.batch = releaser.batch.reinterpret(arena, null);
            this.abort = AbortSignal.install(handle, arena, model.path());
            this.intOut = arena.allocate(ValueLayout.JAVA_INT);
            this.pointerOut = arena.allocate(ValueLayout.ADDRESS);
            Native.check(lm_session_n_ctx(handle, intOut), model.path());
            this.contextLength = intOut.get(ValueLayout.JAVA_INT, 0);
            Native.check(lm_session_n_seq_max(handle, intOut), model.path());
            this.maxSequences = intOut.get(ValueLayout.JAVA_INT, 0);
            int asked = options.session().batchSize();
            this.batchSize = asked == 0 ? contextLength : Math.min(asked, contextLength);
            if (batchSize < maxSequences) {
                // The last step of a split evaluation holds the last token of every sequence.
                throw new IllegalArgumentException("batchSize " + batchSize + " is smaller than maxSequences "
                        + maxSequences + ": a step must fit one token of every sequence into one batch");
            }
            this.tokenBuffer = arena.allocate(ValueLayout.JAVA_INT, Math.min(batchSize, 256));
            this.vocabSize = model.info().vocabSize();
            this.slots = new Sequence[maxSequences];
            this.stepping = new Sequence[maxSequences];
            this.startPositions = new int[maxSequences];
        } catch (RuntimeException | Error e) {
            model.unregister(this, releaser);
            releaser.run();
            throw e;
        }
    }

    /** The model this batch session evaluates. */
    public Model model() {
        return model;
    }

    /** The options it was created with. */
    public BatchSessionOptions options() {
        return options;
    }

    /** KV cells, shared by all sequences. */
    public int contextLength() {
        guard.ensureOpen();
        return contextLength;
    }

    /** Most tokens one native decode takes; a step with more queued tokens makes several. */
    public int batchSize() {
        guard.ensureOpen();
        return batchSize;
    }

    /** Sequences that may be open at once. */
    public int maxSequences() {
        guard.ensureOpen();
        return maxSequences;
    }

    /** KV cells no sequence holds. */
    public int freeCells() {
        guard.enter();
        try {
            return freeCellsUnguarded();
        } finally {
            guard.exit();
        }
    }

    /** The open sequences, by id. */
    public List<Sequence> sequences() {
        guard.enter();
        try {
            List<Sequence> open = new ArrayList<>();
            for (Sequence s : slots) {
                if (s != null) {
                    open.add(s);
                }
            }
            return List.copyOf(open);
        } finally {
            guard.exit();
        }
    }

    /**
     * Opens an empty sequence with the lowest free id (ids of closed sequences are reused).
     *
     * @throws IllegalStateException if {@link #maxSequences()} sequences are open
     */
    public Sequence newSequence() {
        guard.enter();
        try {
            return newSequenceUnguarded();
        } finally {
            guard.exit();
        }
    }

    /**
     * Evaluates the tokens queued on every sequence, all together: one native decode when they fit
     * into {@link #batchSize()}, else several whose last holds the last token of each sequence.
     * Afterwards each of those sequences has the logits of its last token.
     *
     * @return the number of tokens evaluated (0 if none were queued: then nothing changes)
     * @throws ContextFullException     if fewer cells are free than tokens are queued (nothing changes)
     * @throws CancelledException       if {@link #cancel()} stopped it (the cache is as before; the
     *                                  tokens stay queued)
     * @throws IllegalStateException    if the batch session was closed by another thread meanwhile
     */
    public int step() {
        return stepWithin(null);
    }

    /**
     * {@link #step()} with a time limit: when {@code timeout} runs out, the evaluation stops within
     * one layer.
     *
     * @throws DeadlineExceededException if the time ran out (the cache is as before; the tokens stay
     *                                   queued)
     */
    public int step(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return stepWithin(timeout);
    }

    /**
     * Stops the step in progress, if any, within one layer (it throws {@link CancelledException});
     * a step that starts later is not affected. Safe to call from any thread.
     */
    public void cancel() {
        abort.cancelEvaluation();
    }

    /** Whether {@link #close()} was called (directly or by closing the model). */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Closes every sequence and frees the batch session. Idempotent, and safe from any thread: a step
     * in flight on another thread is stopped within one layer and waited for.
     *
     * @throws IllegalStateException if called from inside a call on this batch session
     */
    @Override
    public void close() {
        if (!guard.enterForClose(abort::markClosing)) {
            return;
        }
        try {
            for (int id = 0; id < slots.length; id++) {
                if (slots[id] != null) {
                    slots[id].markClosed();
                    slots[id] = null;
                }
            }
            guard.markClosed();
            model.unregister(this, releaser);
            releaser.run();
        } finally {
            guard.exit();
        }
    }

    @Override
    public String toString() {
        return "BatchSession[" + model.path().getFileName() + ", ctx=" + contextLength + ", sequences="
                + maxSequences + (guard.isClosed() ? ", closed" : "") + "]";
    }

    // ---- for Sequence: guard and unguarded operations ----------------------------------------------

    void enter() {
        guard.enter();
    }

    void exit() {
        guard.exit();
    }

    int vocabSize() {
        return vocabSize;
    }

    /** Throws the exception for a token id outside the vocabulary, naming the sequence and index. */
    void checkTokenIds(Sequence sequence, int[] tokens) {
        for (int i = 0; i < tokens.length; i++) {
            checkTokenId(sequence, tokens[i], i);
        }
    }

    void checkTokenId(Sequence sequence, int token, int index) {
        if (token < 0 || token >= vocabSize) {
            throw new InvalidArgumentException("token id " + token + " at index " + index + " for " + sequence
                    + " is outside the vocabulary of " + vocabSize + " tokens", model.path());
        }
    }

    int freeCellsUnguarded() {
        Native.check(lm_session_n_free_cells(handle, intOut), model.path());
        return intOut.get(ValueLayout.JAVA_INT, 0);
    }

    Sequence newSequenceUnguarded() {
        for (int id = 0; id < slots.length; id++) {
            if (slots[id] == null) {
                // A fresh id holds nothing: a closed sequence's cells were freed at its close.
                Sequence s = new Sequence(this, id);
                slots[id] = s;
                return s;
            }
        }
        throw new IllegalStateException("all " + maxSequences + " sequences of " + this
                + " are open; close one, or create the batch session with a larger maxSequences");
    }

    /** The next position of a sequence: its largest position + 1 (0 when empty). */
    int positionUnguarded(int id) {
        Native.check(lm_session_seq_pos_max(handle, id, intOut), model.path());
        return intOut.get(ValueLayout.JAVA_INT, 0) + 1;
    }

    void removeUnguarded(int id, int from, int to) {
        Native.check(lm_session_seq_remove(handle, id, from, to), model.path());
    }

    void copyUnguarded(int src, int dst, int from, int to) {
        Native.check(lm_session_seq_copy(handle, src, dst, from, to), model.path());
    }

    /** Empties every sequence but {@code id} (they stay open, their queued tokens too). */
    void keepOnlyUnguarded(int id) {
        Native.check(lm_session_seq_keep(handle, id), model.path());
        for (Sequence s : slots) {
            if (s != null && s.id() != id) {
                s.dropLogits();
            }
        }
    }

    void closeSequenceUnguarded(Sequence s) {
        removeUnguarded(s.id(), 0, -1);
        slots[s.id()] = null;
    }

    /** A read-only view of logit row {@code row}, valid until the next step or close. */
    MemorySegment logitsViewUnguarded(int row) {
        return rawLogits(row).reinterpret((long) vocabSize * Float.BYTES, releaser.views(), null).asReadOnly();
    }

    /** Logit row {@code row}, scoped to this batch session (for copies and reads inside a call). */
    MemorySegment logitsUnguarded(int row) {
        return rawLogits(row).reinterpret((long) vocabSize * Float.BYTES, arena, null);
    }

    private MemorySegment rawLogits(int row) {
        Native.check(lm_session_logits(handle, row, pointerOut), model.path());
        return pointerOut.get(ValueLayout.ADDRESS, 0);
    }

    // ---- step ----------------------------------------------------------------------------------

    private int stepWithin(Duration timeout) {
        guard.enter();
        try {
            int n = 0;
            int total = 0;
            for (Sequence s : slots) {
                if (s != null && s.queued() > 0) {
                    stepping[n++] = s;
                    total += s.queued();
                }
            }
            if (n == 0) {
                return 0;
            }
            int free = freeCellsUnguarded();
            if (total > free) {
                throw new ContextFullException("a step of " + total + " tokens over " + n + " sequences needs "
                        + total + " cells, but " + free + " of the context's " + contextLength
                        + " are free (close or truncate sequences)");
            }
            // The rows views show are about to be overwritten, resized or dropped.
            releaser.endViews();
            for (Sequence s : slots) {
                if (s != null) {
                    s.dropLogits();
                }
            }
            for (int i = 0; i < n; i++) {
                startPositions[i] = positionUnguarded(stepping[i].id());
            }
            boolean deadline = timeout != null;
            abort.begin(null, deadline, deadline ? AbortSignal.deadlineAfter(timeout) : 0);
            try {
                decodeAll(n, total, timeout);
            } finally {
                abort.end();
            }
            for (int i = 0; i < n; i++) {
                stepping[i].stepped(i);
                stepping[i] = null;
            }
            return total;
        } finally {
            for (int i = 0; i < stepping.length; i++) {
                stepping[i] = null;
            }
            guard.exit();
        }
    }

    /**
     * The native decodes of one step. Each sequence's tokens but its last ("body") fill batches in
     * sequence order; the last batch holds the rest of the bodies and every last token, so each
     * sequence's logits row is in the last decode (row i = stepping[i]). Any failure removes what
     * the earlier decodes of the step added.
     */
    private void decodeAll(int n, int total, Duration timeout) {
        int bodyLeft = total - n;
        int seq = 0; // the sequence whose body is being consumed
        int offset = 0; // tokens of its body consumed
        boolean split = false;
        try {
            while (bodyLeft + n > batchSize) {
                split = true;
                int room = batchSize;
                clearBatch();
                while (room > 0 && bodyLeft > 0) {
                    Sequence s = stepping[seq];
                    int body = s.queued() - 1;
                    int take = Math.min(room, body - offset);
                    if (take > 0) {
                        addTokens(s, offset, take, startPositions[seq] + offset, false);
                        room -= take;
                        offset += take;
                        bodyLeft -= take;
                    }
                    if (offset == body) {
                        seq++;
                        offset = 0;
                    }
                }
                decode(total, n, timeout);
            }
            clearBatch();
            for (int i = 0; i < n; i++) {
                Sequence s = stepping[i];
                int from = i < seq ? s.queued() - 1 : i == seq ? offset : 0;
                addTokens(s, from, s.queued() - from, startPositions[i] + from, true);
            }
            decode(total, n, timeout);
        } catch (RuntimeException | Error e) {
            if (split) {
                for (int i = 0; i < n; i++) {
                    removeUnguarded(stepping[i].id(), startPositions[i], -1);
                }
            }
            throw e;
        }
    }

    private void clearBatch() {
        Native.check(lm_batch_clear(batch), model.path());
    }

    /** Adds queued tokens [from, from+count) of a sequence at positions position.., logits for the last if asked. */
    private void addTokens(Sequence s, int from, int count, int position, boolean logitsLast) {
        int[] queue = s.queue();
        if (count == 1) {
            Native.check(lm_batch_add(batch, queue[from], position, s.id(), logitsLast), model.path());
            return;
        }
        if (tokenBuffer.byteSize() < (long) count * Integer.BYTES) {
            tokenBuffer = arena.allocate(ValueLayout.JAVA_INT, Math.max(count, tokenBuffer.byteSize() / Integer.BYTES * 2));
        }
        MemorySegment.copy(queue, from, tokenBuffer, ValueLayout.JAVA_INT, 0, count);
        Native.check(lm_batch_add_tokens(batch, tokenBuffer, count, position, s.id(), logitsLast), model.path());
    }

    private void decode(int total, int n, Duration timeout) {
        int status = lm_session_decode(handle, batch);
        if (status == 0) {
            return;
        }
        RuntimeException failure = Native.failure(status, model.path());
        if (!(failure instanceof CancelledException)) {
            throw failure;
        }
        String what = "a step of " + total + " tokens over " + n + " sequences";
        if (guard.isClosing()) {
            throw new IllegalStateException(this + " was closed by another thread during " + what, failure);
        }
        if (abort.evaluationCancelled()) {
            throw new CancelledException(what + " was cancelled", model.path());
        }
        if (timeout != null && abort.deadlinePassed()) {
            throw new DeadlineExceededException(what + " ran out of its time (" + timeout + ")", timeout, model.path());
        }
        throw failure;
    }
}
