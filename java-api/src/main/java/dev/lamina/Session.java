package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_session_clear_lora;
import static dev.lamina.bindings.lamina_h.lm_session_eval;
import static dev.lamina.bindings.lamina_h.lm_session_logits;
import static dev.lamina.bindings.lamina_h.lm_session_n_ctx;
import static dev.lamina.bindings.lamina_h.lm_session_n_logit_rows;
import static dev.lamina.bindings.lamina_h.lm_session_n_past;
import static dev.lamina.bindings.lamina_h.lm_session_remove_lora;
import static dev.lamina.bindings.lamina_h.lm_session_set_lora;
import static dev.lamina.bindings.lamina_h.lm_session_state_load;
import static dev.lamina.bindings.lamina_h.lm_session_state_load_file;
import static dev.lamina.bindings.lamina_h.lm_session_state_save;
import static dev.lamina.bindings.lamina_h.lm_session_state_save_file;
import static dev.lamina.bindings.lamina_h.lm_session_truncate;
import static dev.lamina.bindings.lamina_h.lm_token_to_piece;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A KV cache and logits over a {@link Model}: evaluates tokens and generates text.
 *
 * <p><b>Threads.</b> A session is used by one thread at a time (it may move between threads). A call
 * made while another thread is inside a call on the same session throws
 * {@link ConcurrentModificationException} at once, without touching native state.
 *
 * <p><b>Closing from another thread.</b> {@link #close()} (and {@link Model#close()}) is the one
 * call that may come from any thread at any time, for example to stop a generation whose client has
 * gone. It never frees native memory under a call in flight: it first marks the session as closing,
 * so that no new call starts (they throw {@link IllegalStateException}) and a native evaluation in
 * progress stops within one layer (a long prompt need not finish); then it waits for the call in
 * flight to return, and only then ends the generation (reason {@link FinishReason#CANCELLED}) and
 * frees the session. The thread that was using the session sees {@link Generation#hasNext()} return
 * {@code false}, or an {@link IllegalStateException} from {@code evaluate}, never a crash. Calling {@code close()} from inside a call on the same session (a callback) throws
 * {@link IllegalStateException}, since it could never finish waiting.
 *
 * <p><b>Lifecycle.</b> {@link #close()} is idempotent and frees the native session; closing the model
 * closes its sessions. Any use after close throws {@link IllegalStateException}. The model keeps
 * track of its open sessions, so a session that is never closed stays allocated until its model
 * closes: close sessions (try-with-resources) as soon as they are no longer needed.
 *
 * <p><b>Logits.</b> {@link #logits()} and {@link #logitsSegment(int)} are zero-copy views of the
 * session's native logits rows. A view shows its row as the latest evaluation left it: an
 * evaluation that keeps as many rows as the one before (every step of a decoding loop) overwrites
 * the rows in place, so a view kept across it reads the new logits. Every view becomes invalid, and
 * any access to it throws {@link IllegalStateException}, as soon as its row may no longer exist or
 * may move: when an evaluation keeps a different number of rows, when an evaluation fails, and at
 * {@code truncate} and {@code close}. Copy a row ({@link #logitsArray(int)}) to keep its values.
 */
public final class Session implements ModelSession {
    private final Model model;
    private final SessionOptions options;
    private final Arena arena = Arena.ofShared();
    private final NativeSessionReleaser releaser;
    private final MemorySegment handle;
    private final AbortSignal abort;
    private final int contextLength;
    private final int batchSize;
    private final int vocabSize;
    // Preallocated scratch for the hot path: no native allocation per token.
    private final MemorySegment tokenBuffer;
    private final MemorySegment intOut;
    private final MemorySegment pointerOut;
    private final MemorySegment lengthOut;
    private MemorySegment pieceBuffer;

    private final AtomicReference<Thread> user = new AtomicReference<>();
    private volatile boolean closed;
    /** Set when close() starts: no new call may begin, and the close waits for the call in flight. */
    private volatile boolean closing;
    private Generation activeGeneration;
    /** The LoRA adapters applied and their scales, as the native session has them. */
    private final Map<LoraAdapter, Float> loras = new LinkedHashMap<>();
    /** Counts changes of the KV cache, so a {@link Chat} can tell whether its record of it is current. */
    private long cacheVersion;

    Session(Model model, SessionOptions options) {
        this.model = model;
        this.options = options;
        this.releaser = new NativeSessionReleaser(arena, "session");
        try {
            releaser.session = NativeSessions.create(model, options, 0);
            model.register(releaser);
            this.handle = releaser.session.reinterpret(arena, null);
            this.abort = AbortSignal.install(handle, arena, model.path());
            this.intOut = arena.allocate(ValueLayout.JAVA_INT);
            this.pointerOut = arena.allocate(ValueLayout.ADDRESS);
            this.lengthOut = arena.allocate(ValueLayout.JAVA_LONG);
            this.pieceBuffer = arena.allocate(64);
            Native.check(lm_session_n_ctx(handle, intOut), model.path());
            this.contextLength = intOut.get(ValueLayout.JAVA_INT, 0);
            this.batchSize = options.batchSize() == 0 ? contextLength : Math.min(options.batchSize(), contextLength);
            this.tokenBuffer = arena.allocate(ValueLayout.JAVA_INT, Math.max(1, batchSize));
            this.vocabSize = model.info().vocabSize();
            List<LoraAdapter> adapters = model.loraAdapters();
            for (int i = 0; i < adapters.size(); i++) {
                loras.put(adapters.get(i), model.options().loras().get(i).scale());
            }
        } catch (RuntimeException | Error e) {
            model.unregister(this, releaser);
            releaser.run();
            throw e;
        }
    }

    /** The model this session evaluates. */
    public Model model() {
        return model;
    }

    /** The options the session was created with. */
    public SessionOptions options() {
        return options;
    }

    /** Tokens the KV cache holds at most. */
    public int contextLength() {
        ensureOpen();
        return contextLength;
    }

    /** Most tokens one native evaluation takes. */
    public int batchSize() {
        ensureOpen();
        return batchSize;
    }

    /** Number of positions held in the KV cache: where the next evaluated token goes. */
    public int position() {
        enter();
        try {
            return positionUnguarded();
        } finally {
            exit();
        }
    }

    /**
     * Evaluates tokens at the current position, keeping the logits of the last one. Inputs longer
     * than {@link #batchSize()} are evaluated in several batches.
     *
     * @throws ContextFullException     if the tokens do not fit into the context
     * @throws InvalidArgumentException if a token id is outside the vocabulary
     */
    public void evaluate(int[] tokens) {
        enter();
        try {
            evaluateUnguarded(tokens, positionUnguarded(), false);
        } finally {
            exit();
        }
    }

    /**
     * Evaluates one token at the current position, keeping its logits: the per-token hot path of a
     * custom decoding loop. Unlike {@code evaluate(new int[] {token})} it allocates nothing on the
     * Java heap (the token goes through the session's preallocated native buffer).
     *
     * @throws ContextFullException     if the context is full
     * @throws InvalidArgumentException if the token id is outside the vocabulary
     */
    public void evaluate(int token) {
        enter();
        try {
            evaluateOneUnguarded(token, positionUnguarded());
        } finally {
            exit();
        }
    }

    /**
     * Evaluates tokens at positions {@code position .. position+tokens.length-1}. Cached positions
     * from {@code position} on are dropped first (0 starts over; less than {@link #position()} rewinds).
     *
     * @param allLogits keep the logits of every token ({@link #logits(int)} row i = after token i);
     *                  then the tokens must fit into one batch
     */
    public void evaluate(int[] tokens, int position, boolean allLogits) {
        enter();
        try {
            evaluateUnguarded(tokens, position, allLogits);
        } finally {
            exit();
        }
    }

    /** Drops every cached position from {@code keep} on. */
    public void truncate(int keep) {
        if (keep < 0) {
            throw new IllegalArgumentException("keep must be >= 0, was " + keep);
        }
        enter();
        try {
            cacheVersion++;
            endLogitViews();
            logitRowsKept = 0;
            Native.check(lm_session_truncate(handle, keep), model.path());
        } finally {
            exit();
        }
    }

    /**
     * Applies a LoRA adapter of this session's model at {@code scale} from the next evaluation on, or
     * changes its scale if it is already applied. Several adapters add up. The KV cache keeps what
     * earlier evaluations computed: re-evaluate the prompt for its keys and values to reflect the
     * change.
     *
     * @throws IllegalArgumentException if the scale is NaN or infinite, or the adapter belongs to
     *                                  another model
     * @throws IllegalStateException    if the adapter is closed
     */
    public void setLora(LoraAdapter adapter, float scale) {
        Objects.requireNonNull(adapter, "adapter");
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("LoRA scale must be finite, was " + scale);
        }
        if (adapter.model() != model) {
            throw new IllegalArgumentException("LoRA adapter " + adapter.path() + " was loaded for another model ("
                    + adapter.model().path() + ") than this session's (" + model.path() + ")");
        }
        enter();
        try {
            model.read(() -> {
                Native.check(lm_session_set_lora(handle, adapter.handle(), scale), adapter.path());
                return null;
            });
            loras.put(adapter, scale);
        } finally {
            exit();
        }
    }

    /** Stops applying {@code adapter}; returns whether it was applied. */
    public boolean removeLora(LoraAdapter adapter) {
        Objects.requireNonNull(adapter, "adapter");
        enter();
        try {
            if (!loras.containsKey(adapter)) {
                return false;
            }
            loras.remove(adapter);
            model.read(() -> {
                if (!adapter.isClosed()) {
                    Native.check(lm_session_remove_lora(handle, adapter.handle()), adapter.path());
                    return null;
                }
                // A closed adapter's handle is gone (the session still holds its data): set the others anew.
                Native.check(lm_session_clear_lora(handle), model.path());
                for (Map.Entry<LoraAdapter, Float> e : loras.entrySet()) {
                    Native.check(lm_session_set_lora(handle, e.getKey().handle(), e.getValue()), e.getKey().path());
                }
                return null;
            });
            return true;
        } finally {
            exit();
        }
    }

    /** Stops applying every LoRA adapter. */
    public void clearLoras() {
        enter();
        try {
            Native.check(lm_session_clear_lora(handle), model.path());
            loras.clear();
        } finally {
            exit();
        }
    }

    /** The LoRA adapters applied, in the order they were set, with their scales. */
    public Map<LoraAdapter, Float> loras() {
        enter();
        try {
            return Collections.unmodifiableMap(new LinkedHashMap<>(loras));
        } finally {
            exit();
        }
    }

    /**
     * Saves this session's state (every position's keys and values and the last logits) to
     * {@code file}, through a temporary file beside it, so a failed save leaves an existing
     * file whole. The state names the model by its file's SHA-256 (hashed once per model).
     */
    public void saveState(Path file) {
        Objects.requireNonNull(file, "file");
        enter();
        try (Arena call = Arena.ofConfined()) {
            Native.check(lm_session_state_save_file(handle, call.allocateFrom(file.toString())), model.path());
        } finally {
            exit();
        }
    }

    /**
     * Replaces this session's state with one {@link #saveState saved} from a session of the same
     * model and KV type; the session then continues exactly as the saved one would have.
     *
     * @throws InvalidArgumentException when the state is of another model, KV type or sequence count
     * @throws ModelFormatException when the file is not a session state, or is truncated or corrupted
     */
    public void loadState(Path file) {
        Objects.requireNonNull(file, "file");
        restoreWith(call -> lm_session_state_load_file(handle, call.allocateFrom(file.toString())));
    }

    /** The session's state in memory, to {@link #restore} later (on this or another session of the model). */
    public SessionSnapshot snapshot() {
        enter();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment len = call.allocate(ValueLayout.JAVA_LONG);
            int status = lm_session_state_save(handle, MemorySegment.NULL, 0, len);
            if (status != Status.BUFFER_TOO_SMALL.code()) {
                Native.check(status, model.path());
            }
            MemorySegment buf = call.allocate(len.get(ValueLayout.JAVA_LONG, 0));
            Native.check(lm_session_state_save(handle, buf, buf.byteSize(), len), model.path());
            return new SessionSnapshot(buf.asSlice(0, len.get(ValueLayout.JAVA_LONG, 0)).toArray(ValueLayout.JAVA_BYTE));
        } finally {
            exit();
        }
    }

    /** Puts back a {@link #snapshot}; errors as {@link #loadState}, and a failed restore changes nothing. */
    public void restore(SessionSnapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        restoreWith(call -> {
            MemorySegment data = call.allocateFrom(ValueLayout.JAVA_BYTE, snapshot.bytes());
            return lm_session_state_load(handle, data, data.byteSize());
        });
    }

    private void restoreWith(java.util.function.ToIntFunction<Arena> load) {
        enter();
        try (Arena call = Arena.ofConfined()) {
            Native.check(load.applyAsInt(call), model.path());
            // The cache and logits are new: earlier views of them end.
            cacheVersion++;
            endLogitViews();
            Native.check(lm_session_n_logit_rows(handle, intOut), model.path());
            logitRowsKept = intOut.get(ValueLayout.JAVA_INT, 0);
        } finally {
            exit();
        }
    }

    /** Number of logit rows the last evaluation kept. */
    public int logitRows() {
        enter();
        try {
            Native.check(lm_session_n_logit_rows(handle, intOut), model.path());
            return intOut.get(ValueLayout.JAVA_INT, 0);
        } finally {
            exit();
        }
    }

    /** Read-only zero-copy view of the logits of the last evaluated token (see the class comment). */
    public FloatBuffer logits() {
        return logits(-1);
    }

    /** Read-only zero-copy view of logit row {@code row} of the last evaluation; -1 = last token. */
    public FloatBuffer logits(int row) {
        return logitsSegment(row).asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Read-only zero-copy segment of {@code vocabSize} floats: row {@code row}, -1 = last token. */
    public MemorySegment logitsSegment(int row) {
        enter();
        try {
            return readOnlyLogitsUnguarded(row);
        } finally {
            exit();
        }
    }

    /** A copy of logit row {@code row} of the last evaluation; -1 = last token. */
    public float[] logitsArray(int row) {
        enter();
        try {
            return logitsUnguarded(row).toArray(ValueLayout.JAVA_FLOAT);
        } finally {
            exit();
        }
    }

    /**
     * Starts generating after a text prompt: the prompt is tokenized (BOS as the vocabulary asks,
     * only when the session is empty; special tokens parsed) and evaluated at the current position,
     * so a session can carry a conversation across calls. A previous generation of this session that
     * is still open is closed first.
     */
    public Generation generate(String prompt, GenerationOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        boolean bos = model.info().addBos() && position() == 0;
        int[] tokens = model.tokenizer().encode(prompt, bos, true);
        return generate(tokens, options);
    }

    /**
     * Starts generating after prompt tokens, evaluated at the current position by the first
     * {@link Generation#hasNext()} (so that {@link Generation#cancel()}, a timeout or a close from
     * another thread can stop a long prompt). Tokens that cannot fit into the context, and ids
     * outside the vocabulary, are refused here.
     *
     * @throws ContextFullException     if the prompt does not fit into the context
     * @throws InvalidArgumentException if a token id is outside the vocabulary
     */
    public Generation generate(int[] promptTokens, GenerationOptions options) {
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(options, "options");
        enter();
        try {
            if (activeGeneration != null) {
                activeGeneration.releaseUnguarded(FinishReason.CANCELLED);
                activeGeneration = null;
            }
            Generation g = new Generation(this, promptTokens, options);
            activeGeneration = g;
            return g;
        } finally {
            exit();
        }
    }

    /**
     * A conversation on this session with the model's own chat template.
     *
     * @throws NoChatTemplateException if the model file has no chat template (use
     *     {@link Chat#builder(Session)} with {@link Chat.Builder#template} to supply one)
     */
    public Chat chat() {
        return Chat.builder(this).build();
    }

    /** Whether {@link #close()} was called (directly or by closing the model). */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees the session (and ends a generation still running on it). Idempotent, and safe from any
     * thread: if another thread is inside a call on this session, this waits for that call to
     * return (see the class comment).
     *
     * @throws IllegalStateException if called from inside a call on this same session
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        enterForClose();
        try {
            if (closed) {
                return;
            }
            if (activeGeneration != null) {
                activeGeneration.releaseUnguarded(FinishReason.CANCELLED);
                activeGeneration = null;
            }
            closed = true;
            model.unregister(this, releaser);
            releaser.run();
        } finally {
            exit();
        }
    }

    @Override
    public String toString() {
        return "Session[" + model.path().getFileName() + ", ctx=" + contextLength + (closed ? ", closed" : "") + "]";
    }

    // ---- single-thread guard ----------------------------------------------------------------------

    void enter() {
        ensureOpen();
        acquire();
        if (closed || closing) {
            exit();
            ensureOpen();
        }
    }

    /**
     * Takes the guard for close(): marks the session closing (no new call starts), then waits for
     * the call in flight on another thread, if any, to leave.
     */
    private void enterForClose() {
        Thread me = Thread.currentThread();
        if (user.get() == me) {
            throw new IllegalStateException("Session " + this + " cannot be closed from inside a call on it");
        }
        closing = true;
        abort.markClosing(); // a native evaluation in flight stops within one layer
        long pause = 1_000; // ns; calls in flight last one native evaluation, so back off up to 1 ms
        while (!user.compareAndSet(null, me)) {
            LockSupport.parkNanos(this, pause);
            pause = Math.min(pause * 2, 1_000_000);
        }
    }

    private void acquire() {
        Thread me = Thread.currentThread();
        if (!user.compareAndSet(null, me)) {
            // A thread closing the session holds the guard only to free it: that is a closed session
            // for the caller, not a second user.
            ensureOpen();
            Thread other = user.get();
            throw new ConcurrentModificationException("Session " + this + " is in use by thread '"
                    + (other == null ? "?" : other.getName()) + "'; a Session must be used by one thread at a time");
        }
    }

    /** Whether close() has started (or finished): a call in flight should stop at its next step. */
    boolean isClosing() {
        return closing;
    }

    void exit() {
        user.set(null);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Session of model " + model.path().getFileName() + " is closed");
        }
        if (closing) {
            throw new IllegalStateException("Session of model " + model.path().getFileName()
                    + " is being closed by another thread");
        }
    }

    // ---- unguarded operations: callers hold the guard ---------------------------------------------

    int positionUnguarded() {
        Native.check(lm_session_n_past(handle, intOut), model.path());
        return intOut.get(ValueLayout.JAVA_INT, 0);
    }

    void evaluateUnguarded(int[] tokens, int position, boolean allLogits) {
        evaluateUnguarded(tokens, position, allLogits, null);
    }

    /**
     * Evaluates tokens; {@code forGeneration}, if not null, is the generation whose cancel() and
     * timeout stop the evaluation (with {@link CancelledException}, the cache as before the call).
     */
    void evaluateUnguarded(int[] tokens, int position, boolean allLogits, Generation forGeneration) {
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to evaluate");
        }
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        if (allLogits && tokens.length > batchSize) {
            throw new IllegalArgumentException("all logits of " + tokens.length
                    + " tokens need one batch, but the batch size is " + batchSize);
        }
        // Split inputs are checked up front so a failure cannot leave half of them evaluated;
        // a single batch is left to the native check (and its message).
        if (tokens.length > batchSize && (long) position + tokens.length > contextLength) {
            throw new ContextFullException(tokens.length + " tokens at position " + position
                    + " do not fit into the context of " + contextLength + " tokens");
        }
        cacheVersion++;
        for (int start = 0; start < tokens.length; start += batchSize) {
            if (start > 0 && closing) {
                throw new IllegalStateException("Session of model " + model.path().getFileName()
                        + " was closed by another thread after " + start + " of " + tokens.length + " tokens");
            }
            int n = Math.min(batchSize, tokens.length - start);
            MemorySegment.copy(tokens, start, tokenBuffer, ValueLayout.JAVA_INT, 0, n);
            try {
                evalNative(n, position + start, allLogits, forGeneration);
            } catch (CancelledException e) {
                if (start > 0) {
                    // A cancelled input leaves nothing of itself behind, as a single batch does.
                    Native.check(lm_session_truncate(handle, position), model.path());
                }
                throw e;
            }
        }
    }

    /** Throws the exception for a token id outside the vocabulary, naming its index. */
    void checkTokenIds(int[] tokens) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabSize) {
                throw new InvalidArgumentException("token id " + tokens[i] + " at index " + i
                        + " is outside the vocabulary of " + vocabSize + " tokens", model.path());
            }
        }
    }

    /** Evaluates one token at the given position (the generation hot path: no allocation). */
    void evaluateOneUnguarded(int token, int position) {
        evaluateOneUnguarded(token, position, null);
    }

    void evaluateOneUnguarded(int token, int position, Generation forGeneration) {
        cacheVersion++;
        tokenBuffer.set(ValueLayout.JAVA_INT, 0, token);
        evalNative(1, position, false, forGeneration);
    }

    // Rows the native logits buffer holds (0: none). The native buffer is resized, and may move,
    // only when an evaluation keeps a different number of rows, so views survive exactly the
    // evaluations that keep this number.
    private int logitRowsKept;

    /** One native evaluation of the first n tokens of tokenBuffer, keeping logits views safe. */
    private void evalNative(int n, int position, boolean allLogits, Generation forGeneration) {
        int rows = allLogits ? n : 1;
        if (rows != logitRowsKept) {
            endLogitViews(); // before the native call: it may free the memory the views show
        }
        logitRowsKept = 0;
        int status;
        if (forGeneration == null) {
            abort.begin(null, false, 0);
        } else {
            abort.begin(forGeneration, forGeneration.hasDeadline(), forGeneration.deadlineNanos());
        }
        try {
            status = lm_session_eval(handle, tokenBuffer, n, position, allLogits);
        } finally {
            abort.end();
        }
        if (status != 0) {
            endLogitViews(); // a failed evaluation leaves no logits behind
            RuntimeException failure = Native.failure(status, model.path());
            if (failure instanceof CancelledException && closing) {
                throw new IllegalStateException("Session of model " + model.path().getFileName()
                        + " was closed by another thread during an evaluation of " + n + " tokens at position "
                        + position, failure);
            }
            throw failure;
        }
        logitRowsKept = rows;
    }

    /** Invalidates every logits view handed out (the rows they show are about to change shape or go). */
    private void endLogitViews() {
        releaser.endViews();
        cachedLogits = null;
    }

    MemorySegment logitsUnguarded(int row) {
        Native.check(lm_session_logits(handle, row, pointerOut), model.path());
        return pointerOut.get(ValueLayout.ADDRESS, 0).reinterpret((long) vocabSize * Float.BYTES, arena, null);
    }

    // The last read-only logits view handed out, reused while the native row stays at the same
    // address (the usual case from token to token): the decoding hot path then allocates nothing
    // even before the JIT's escape analysis kicks in.
    private long cachedLogitsAddress;
    private MemorySegment cachedLogits;

    MemorySegment readOnlyLogitsUnguarded(int row) {
        Native.check(lm_session_logits(handle, row, pointerOut), model.path());
        long address = pointerOut.get(ValueLayout.JAVA_LONG, 0);
        if (cachedLogits == null || address != cachedLogitsAddress) {
            cachedLogits = MemorySegment.ofAddress(address)
                    .reinterpret((long) vocabSize * Float.BYTES, releaser.views(), null)
                    .asReadOnly();
            cachedLogitsAddress = address;
        }
        return cachedLogits;
    }

    /** Raw pointer to the last row for the sampler (no reinterpretation needed). */
    MemorySegment lastLogitsPointerUnguarded() {
        Native.check(lm_session_logits(handle, -1, pointerOut), model.path());
        return pointerOut.get(ValueLayout.ADDRESS, 0);
    }

    /** Writes the bytes of a token's piece into the decoder (reusing one native buffer). */
    void appendPieceUnguarded(int token, Utf8StreamDecoder decoder) {
        int status = lm_token_to_piece(model.handle(), token, false, pieceBuffer, pieceBuffer.byteSize(), lengthOut);
        if (status == Native.bufferTooSmall()) {
            long needed = lengthOut.get(ValueLayout.JAVA_LONG, 0);
            pieceBuffer = arena.allocate(Math.max(needed, pieceBuffer.byteSize() * 2));
            status = lm_token_to_piece(model.handle(), token, false, pieceBuffer, pieceBuffer.byteSize(), lengthOut);
        }
        Native.check(status, model.path());
        decoder.append(pieceBuffer, (int) lengthOut.get(ValueLayout.JAVA_LONG, 0));
    }

    /** The cache's change counter (read by the thread using the session). */
    long cacheVersion() {
        return cacheVersion;
    }

    int vocabSize() {
        return vocabSize;
    }

    /** The context length without the open check (for callers that hold the guard). */
    int contextLengthUnchecked() {
        return contextLength;
    }

    MemorySegment intOut() {
        return intOut;
    }

    void generationEnded(Generation g) {
        if (activeGeneration == g) {
            activeGeneration = null;
        }
    }
}
