package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_sampler_accept;
import static dev.lamina.bindings.lamina_h.lm_sampler_add;
import static dev.lamina.bindings.lamina_h.lm_sampler_add_grammar;
import static dev.lamina.bindings.lamina_h.lm_sampler_free;
import static dev.lamina.bindings.lamina_h.lm_sampler_new;
import static dev.lamina.bindings.lamina_h.lm_sampler_sample;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A running generation: an {@link Iterator} (and single-use {@link Iterable}) of
 * {@link GeneratedToken}s that is also {@link AutoCloseable}.
 * <pre>{@code
 * try (Generation g = session.generate("Once upon a time", GenerationOptions.greedy().maxTokens(64))) {
 *     for (GeneratedToken t : g) System.out.print(t.text());
 *     System.out.println(g.result().generationTokensPerSecond());
 * }
 * }</pre>
 * The prompt is evaluated by the first {@link #hasNext()} (or {@link #next()}, {@link #result()}),
 * not by {@link Session#generate}, so that {@link #cancel()} or a timeout can stop it too. Each token
 * is then sampled and evaluated when {@link #hasNext()} asks for it, so once the prompt is evaluated
 * the session's position counts it and every delivered token. A generation that is cancelled,
 * closed or runs out of time before (or while) its prompt is evaluated leaves the session as it was.
 *
 * <p><b>Stopping.</b> {@link #cancel()} (any thread) and {@link GenerationOptions#timeout()} stop
 * the native evaluation in progress within one layer, a long prompt's included; the generation
 * then finishes with {@link FinishReason#CANCELLED} or {@link FinishReason#DEADLINE} and the KV
 * cache holds exactly the prompt and the delivered tokens (or nothing of the prompt, if its
 * evaluation was stopped). The native sampler is freed when
 * the generation finishes, is closed, or the session starts another generation or closes, so
 * leaving a loop early leaks nothing. {@link #cancel()} may be called from any thread; the other
 * methods follow the session's one-thread-at-a-time rule: a call made while another thread is
 * inside a call on the same generation throws {@link ConcurrentModificationException} at once
 * (handing the generation from one thread to another between calls is fine). If another thread closes the session (or
 * its model) while this generation runs, the close waits for the token in progress, and
 * {@link #hasNext()} then returns {@code false} (reason {@link FinishReason#CANCELLED}) or, if it
 * meets the close still in progress, throws {@link IllegalStateException}; {@link #close()} is then
 * a no-op.
 */
public final class Generation implements Iterator<GeneratedToken>, Iterable<GeneratedToken>, AutoCloseable {
    private final Session session;
    private final GenerationOptions options;
    private final int promptTokens;
    /** The prompt until the first hasNext() evaluates it; null after. */
    private int[] pendingPrompt;
    private long promptNanos;
    private final boolean hasDeadline;
    private final long deadlineNanos;
    private final Utf8StreamDecoder decoder = new Utf8StreamDecoder();
    private final StringBuilder text = new StringBuilder();
    private final int longestStop;

    private MemorySegment sampler = MemorySegment.NULL;
    private GeneratedToken next;
    private int generated;
    private long generationNanos;
    private FinishReason finishReason;
    private volatile boolean cancelRequested;
    /** Ids of the tokens evaluated into the session so far (what the KV cache gained). */
    private int[] ids = new int[32];
    private FinishListener finishListener;
    /**
     * The thread inside a call, or null. hasNext() holding a token and next() handing it out are
     * two steps, so two threads overlapping there would both deliver it; the session's own guard
     * covers only the native calls.
     */
    private final AtomicReference<Thread> user = new AtomicReference<>();

    /** Told once when a generation finishes, with the session's guard held (no guarded calls). */
    interface FinishListener {
        void finished(String text, int[] generatedIds, FinishReason reason);
    }

    /**
     * Called by the session with its guard held: checks the prompt (evaluated later, by the first
     * hasNext()) and creates the sampler.
     */
    Generation(Session session, int[] prompt, GenerationOptions options) {
        this.session = session;
        this.options = options;
        this.promptTokens = prompt.length;
        this.longestStop = options.stopStrings().stream().mapToInt(String::length).max().orElse(0);
        this.hasDeadline = options.timeout() != null;
        this.deadlineNanos = hasDeadline ? AbortSignal.deadlineAfter(options.timeout()) : 0;
        int position = session.positionUnguarded();
        if (prompt.length > 0) {
            session.checkTokenIds(prompt);
            if ((long) position + prompt.length > session.contextLengthUnchecked()) {
                throw new ContextFullException("a prompt of " + prompt.length + " tokens at position " + position
                        + " does not fit into the context of " + session.contextLengthUnchecked() + " tokens");
            }
            this.pendingPrompt = prompt.clone();
        } else if (position == 0) {
            throw new IllegalArgumentException("an empty prompt needs a session that already holds tokens");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment out = call.allocate(ValueLayout.ADDRESS);
            Native.check(lm_sampler_new(session.model().handle(), options.seed(), out), session.model().path());
            sampler = out.get(ValueLayout.ADDRESS, 0);
            try {
                for (Sampler s : options.samplers()) {
                    Native.check(lm_sampler_add(sampler, call.allocateFrom(s.spec())), session.model().path());
                }
                // The penalties look back over prompt and output alike.
                for (int token : prompt) {
                    Native.check(lm_sampler_accept(sampler, token), session.model().path());
                }
                // After the prompt: the grammar constrains the output alone.
                if (options.grammar() != null) {
                    Native.check(lm_sampler_add_grammar(sampler, call.allocateFrom(options.grammar()), MemorySegment.NULL),
                            session.model().path());
                }
            } catch (RuntimeException e) {
                lm_sampler_free(sampler);
                sampler = MemorySegment.NULL;
                throw e;
            }
        }
    }

    @Override
    public boolean hasNext() {
        boolean entered = enter();
        try {
            return hasNextGuarded();
        } finally {
            exit(entered);
        }
    }

    private boolean hasNextGuarded() {
        if (next != null) {
            return true;
        }
        if (finishReason != null) {
            return false;
        }
        try {
            session.enter();
        } catch (IllegalStateException e) {
            // Another thread closed the session: the close ended this generation (CANCELLED) before
            // setting the volatile flag read here, so the reason is visible now.
            if (session.isClosed() && finishReason != null) {
                return false;
            }
            throw e;
        }
        try {
            if (pendingPrompt != null) {
                long start = System.nanoTime();
                int[] prompt = pendingPrompt;
                pendingPrompt = null;
                boolean evaluated = evaluatePrompt(prompt);
                promptNanos = System.nanoTime() - start;
                if (!evaluated) {
                    return false;
                }
            }
            long start = System.nanoTime();
            advance();
            generationNanos += System.nanoTime() - start;
        } catch (RuntimeException | Error e) {
            releaseUnguarded(FinishReason.CANCELLED);
            throw e;
        } finally {
            session.exit();
        }
        return next != null;
    }

    @Override
    public GeneratedToken next() {
        boolean entered = enter();
        try {
            if (!hasNextGuarded()) {
                throw new NoSuchElementException("the generation has finished: " + finishReason);
            }
            GeneratedToken t = next;
            next = null;
            return t;
        } finally {
            exit(entered);
        }
    }

    /** This generation itself: it can be iterated once. */
    @Override
    public Iterator<GeneratedToken> iterator() {
        return this;
    }

    /** Delivers every remaining token to {@code action}, then closes the generation. */
    @Override
    public void forEach(Consumer<? super GeneratedToken> action) {
        try {
            forEachRemaining(action);
        } finally {
            close();
        }
    }

    /** The remaining tokens as a sequential stream; closing the stream closes the generation. */
    public Stream<GeneratedToken> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(this::close);
    }

    /**
     * The remaining tokens as a {@link Flow.Publisher}, produced on a new virtual thread as the one
     * subscriber requests them. Cancelling the subscription cancels the generation; the generation
     * is closed when the stream ends. Kotlin's {@code asFlow()} (kotlinx-coroutines-jdk9) and
     * Reactor's {@code JdkFlowAdapter} adapt it directly.
     */
    public Flow.Publisher<GeneratedToken> publisher() {
        return publisher(runnable -> Thread.ofVirtual().name("lamina-generation").start(runnable));
    }

    /**
     * Like {@link #publisher()}, producing on {@code executor} (the task waits for demand, so it
     * holds one of the executor's threads for as long as the stream runs).
     */
    public Flow.Publisher<GeneratedToken> publisher(Executor executor) {
        return new GenerationPublisher(this, Objects.requireNonNull(executor, "executor"));
    }

    /** The model file, for exceptions raised about this generation. */
    java.nio.file.Path sessionPath() {
        return session.model().path();
    }

    /**
     * Stops the generation (reason {@link FinishReason#CANCELLED}); safe to call from any thread. A
     * native evaluation in progress for it (its prompt, or a token) stops within one layer and leaves
     * the KV cache as it was before that evaluation; otherwise it stops before the next token.
     */
    public void cancel() {
        cancelRequested = true;
    }

    /** Read by the session's abort callback on the evaluating thread. */
    boolean isCancelRequested() {
        return cancelRequested;
    }

    boolean hasDeadline() {
        return hasDeadline;
    }

    /** The {@link System#nanoTime()} by which the generation must end (if {@link #hasDeadline()}). */
    long deadlineNanos() {
        return deadlineNanos;
    }

    /** Whether the generation has finished (no token is left to deliver). */
    public boolean isFinished() {
        return finishReason != null && next == null;
    }

    /**
     * The summary, after generating every remaining token if the generation has not finished yet.
     */
    public GenerationResult result() {
        boolean entered = enter();
        try {
            while (hasNextGuarded()) {
                next = null;
            }
            return new GenerationResult(finishReason, text.toString(), promptTokens, generated, promptNanos, generationNanos);
        } finally {
            exit(entered);
        }
    }

    /** Stops the generation (reason {@link FinishReason#CANCELLED} if it had not finished) and frees it. Idempotent. */
    @Override
    public void close() {
        boolean entered = enter();
        try {
            closeGuarded();
        } finally {
            exit(entered);
        }
    }

    private void closeGuarded() {
        if (finishReason != null && sampler.equals(MemorySegment.NULL)) {
            return;
        }
        if (session.isClosed()) {
            finishIfRunning(FinishReason.CANCELLED);
            return; // the session freed everything when it closed
        }
        try {
            session.enter();
        } catch (IllegalStateException e) {
            if (session.isClosing()) {
                return; // another thread is closing the session, which ends this generation
            }
            throw e;
        }
        try {
            releaseUnguarded(FinishReason.CANCELLED);
        } finally {
            session.exit();
        }
    }

    // ---- one thread at a time ---------------------------------------------------------------------

    /** Takes the guard; false if this thread holds it already (next() calls hasNext()). */
    private boolean enter() {
        Thread me = Thread.currentThread();
        if (user.get() == me) {
            return false;
        }
        if (!user.compareAndSet(null, me)) {
            Thread other = user.get();
            throw new ConcurrentModificationException("Generation is in use by thread '"
                    + (other == null ? "?" : other.getName())
                    + "'; a Generation must be used by one thread at a time (cancel() is the exception)");
        }
        return true;
    }

    private void exit(boolean entered) {
        if (entered) {
            user.set(null);
        }
    }

    // ---- internals (the session guard is held) ------------------------------------------------------

    /** Evaluates the prompt; false if it was stopped (the generation has then finished). */
    private boolean evaluatePrompt(int[] prompt) {
        if (stopRequested()) {
            return false;
        }
        try {
            session.evaluateUnguarded(prompt, session.positionUnguarded(), false, this);
            return true;
        } catch (CancelledException | IllegalStateException e) {
            if (stopRequested()) { // the evaluation was stopped for one of the generation's reasons
                return false;
            }
            throw e;
        }
    }

    /** Finishes the generation if it was cancelled, its session is closing or its time ran out. */
    private boolean stopRequested() {
        if (cancelRequested || session.isClosing()) {
            releaseUnguarded(FinishReason.CANCELLED);
            return true;
        }
        if (hasDeadline && System.nanoTime() - deadlineNanos >= 0) {
            releaseUnguarded(FinishReason.DEADLINE);
            return true;
        }
        return false;
    }

    private void advance() {
        if (stopRequested()) {
            return;
        }
        if (generated >= options.maxTokens()) {
            releaseUnguarded(FinishReason.MAX_TOKENS);
            return;
        }
        int position = session.positionUnguarded();
        if (position >= session.contextLengthUnchecked()) {
            releaseUnguarded(FinishReason.CONTEXT_FULL);
            return;
        }
        MemorySegment out = session.intOut();
        MemorySegment logits = session.lastLogitsPointerUnguarded();
        Native.check(lm_sampler_sample(sampler, logits, session.vocabSize(), out), session.model().path());
        int token = out.get(ValueLayout.JAVA_INT, 0);
        Native.check(lm_sampler_accept(sampler, token), session.model().path());
        if (isEndOfGeneration(token)) {
            releaseUnguarded(FinishReason.END_OF_GENERATION);
            return;
        }
        try {
            session.evaluateOneUnguarded(token, position, this);
        } catch (CancelledException | IllegalStateException e) {
            if (stopRequested()) { // the evaluation was stopped for one of the generation's reasons
                return;
            }
            throw e;
        }
        if (generated == ids.length) {
            ids = java.util.Arrays.copyOf(ids, ids.length * 2);
        }
        ids[generated] = token;
        session.appendPieceUnguarded(token, decoder);
        String piece = decoder.take();
        generated++;
        if (longestStop > 0) {
            piece = cutAtStopString(piece);
        } else {
            text.append(piece);
        }
        next = new GeneratedToken(token, piece);
        if (finishReason == null && generated >= options.maxTokens()) {
            releaseUnguarded(FinishReason.MAX_TOKENS);
        }
    }

    private boolean isEndOfGeneration(int token) {
        MemorySegment flag = session.intOut();
        Native.check(dev.lamina.bindings.lamina_h.lm_token_is_eog(session.model().handle(), token, flag),
                session.model().path());
        return flag.get(ValueLayout.JAVA_BOOLEAN, 0);
    }

    /** Appends a piece; if the text now contains a stop string, cuts it there and finishes. */
    private String cutAtStopString(String piece) {
        int before = text.length();
        text.append(piece);
        int from = Math.max(0, before - longestStop + 1);
        int cut = -1;
        for (String stop : options.stopStrings()) {
            int i = text.indexOf(stop, from);
            if (i >= 0 && (cut < 0 || i < cut)) {
                cut = i;
            }
        }
        if (cut < 0) {
            return piece;
        }
        text.setLength(cut);
        releaseUnguarded(FinishReason.STOP_STRING);
        return cut > before ? piece.substring(0, cut - before) : "";
    }

    private void finishIfRunning(FinishReason reason) {
        if (finishReason == null) {
            finishReason = reason;
            text.append(decoder.flush());
            if (finishListener != null) {
                FinishListener l = finishListener;
                finishListener = null;
                l.finished(text.toString(), java.util.Arrays.copyOf(ids, generated), reason);
            }
        }
    }

    /** Sets who is told when this generation finishes (at most one; used by {@link Chat}). */
    void onFinish(FinishListener listener) {
        this.finishListener = listener;
    }

    /** Records why the generation ended (first reason wins) and frees the sampler. */
    void releaseUnguarded(FinishReason reason) {
        finishIfRunning(reason);
        if (!sampler.equals(MemorySegment.NULL)) {
            lm_sampler_free(sampler);
            sampler = MemorySegment.NULL;
        }
        session.generationEnded(this);
    }
}
