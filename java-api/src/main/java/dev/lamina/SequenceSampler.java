package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_sampler_accept;
import static dev.lamina.bindings.lamina_h.lm_sampler_add;
import static dev.lamina.bindings.lamina_h.lm_sampler_free;
import static dev.lamina.bindings.lamina_h.lm_sampler_new;
import static dev.lamina.bindings.lamina_h.lm_sampler_sample;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The sampler chain of one {@link Sequence}, for a scheduler that steps many sequences of a
 * {@link BatchSession} and picks each one's next token with its own options (what a
 * {@link Generation} does for a {@link Session}):
 * <pre>{@code
 * try (SequenceSampler sampler = new SequenceSampler(model, options, promptTokens)) {
 *     seq.append(promptTokens);
 *     batch.step();
 *     int token = sampler.sample(seq);   // samples and accepts (penalties see it)
 * }
 * }</pre>
 * It owns a native sampler built from {@link GenerationOptions#samplers()} and
 * {@link GenerationOptions#seed()}; the same options, prompt and logits give the same tokens as a
 * {@link Generation}. Stop strings, the token budget and timeouts are the caller's. One thread at a
 * time (it may move between threads), like the sequence it samples; {@link #close()} frees the native chain (idempotent).
 */
public final class SequenceSampler implements AutoCloseable {
    private final Model model;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment out;
    private MemorySegment sampler;

    /**
     * Builds the chain and lets it see the prompt (repetition penalties look back over prompt and
     * output alike, as in {@link Generation}).
     *
     * @throws InvalidArgumentException if a sampler spec is refused by the native library
     */
    public SequenceSampler(Model model, GenerationOptions options, int[] promptTokens) {
        this.model = Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(promptTokens, "promptTokens");
        this.out = arena.allocate(ValueLayout.ADDRESS);
        try {
            Native.check(lm_sampler_new(model.handle(), options.seed(), out), model.path());
            sampler = out.get(ValueLayout.ADDRESS, 0);
            try (Arena call = Arena.ofConfined()) {
                for (Sampler s : options.samplers()) {
                    Native.check(lm_sampler_add(sampler, call.allocateFrom(s.spec())), model.path());
                }
            }
            for (int token : promptTokens) {
                accept(token);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Picks the next token from the logits the sequence's last step left, and accepts it.
     *
     * @throws IllegalStateException if the sequence has no logits, or this sampler is closed
     */
    public int sample(Sequence sequence) {
        Objects.requireNonNull(sequence, "sequence");
        MemorySegment logits = sequence.logitsForSampling();
        return sample(logits);
    }

    /** Picks a token from a row of {@code vocabSize} float logits (native memory), and accepts it. */
    public int sample(MemorySegment logits) {
        ensureOpen();
        if (!logits.isNative()) {
            throw new IllegalArgumentException("logits must be native memory");
        }
        int vocab = Math.toIntExact(logits.byteSize() / Float.BYTES);
        Native.check(lm_sampler_sample(sampler, logits, vocab, out), model.path());
        int token = out.get(ValueLayout.JAVA_INT, 0);
        accept(token);
        return token;
    }

    /** Tells the chain about a token chosen elsewhere (penalties and Mirostat track it). */
    public void accept(int token) {
        ensureOpen();
        Native.check(lm_sampler_accept(sampler, token), model.path());
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return sampler == null;
    }

    @Override
    public void close() {
        if (sampler != null && !sampler.equals(MemorySegment.NULL)) {
            lm_sampler_free(sampler);
        }
        sampler = null;
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    private void ensureOpen() {
        if (sampler == null) {
            throw new IllegalStateException("this SequenceSampler is closed");
        }
    }
}
