package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_session_embed;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Texts to vectors: the model's last hidden states after the final norm (no output matrix),
 * pooled per text as {@link EmbedderOptions#pooling()} says. Many texts go through one native
 * batch, each as its own sequence, so the weights are read once per batch:
 * <pre>{@code
 * try (Embedder e = model.newEmbedder(EmbedderOptions.builder().pooling(Pooling.MEAN).normalize(true).build())) {
 *     List<float[]> vectors = e.embed(List.of("first document", "second document"));
 * }
 * }</pre>
 * Calls from several threads take turns. Owns a native session, closed with it or its model.
 */
public final class Embedder implements ModelSession {
    private final Model model;
    private final EmbedderOptions options;
    private final Arena arena = Arena.ofShared();
    private final NativeSessionReleaser releaser;
    private final MemorySegment handle;
    private final int dimension;
    private boolean closed;

    Embedder(Model model, EmbedderOptions options) {
        this.model = model;
        this.options = options;
        this.releaser = new NativeSessionReleaser(arena, "embedder");
        try {
            releaser.session = NativeSessions.create(model, options.session(), options.textsPerBatch(), true);
            model.register(releaser);
            this.handle = releaser.session.reinterpret(arena, null);
            this.dimension = model.info().embeddingLength();
        } catch (RuntimeException | Error e) {
            model.unregister(this, releaser);
            releaser.run();
            throw e;
        }
    }

    /** Floats per vector (the model's n_embd). */
    public int dimension() {
        return dimension;
    }

    public EmbedderOptions options() {
        return options;
    }

    /** The vector of one text (tokenized as the model's tokenizer does by default, with BOS if it adds one). */
    public float[] embed(String text) {
        return embed(List.of(text)).get(0);
    }

    /** One vector per text, in order. A text longer than the session's batch is an {@link InvalidArgumentException} naming it. */
    public synchronized List<float[]> embed(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        List<int[]> tokens = new ArrayList<>(texts.size());
        for (String t : texts) {
            tokens.add(model.tokenizer().encode(Objects.requireNonNull(t, "text")));
        }
        return embedTokens(tokens);
    }

    /** One vector per token sequence, in order. */
    public synchronized List<float[]> embedTokens(List<int[]> texts) {
        if (closed) {
            throw new IllegalStateException("the embedder is closed");
        }
        if (texts.isEmpty()) {
            return List.of();
        }
        try (Arena call = Arena.ofConfined()) {
            int n = texts.size();
            MemorySegment pointers = call.allocate(ValueLayout.ADDRESS, n);
            MemorySegment lengths = call.allocate(ValueLayout.JAVA_INT, n);
            for (int i = 0; i < n; i++) {
                int[] t = texts.get(i);
                pointers.setAtIndex(ValueLayout.ADDRESS, i, call.allocateFrom(ValueLayout.JAVA_INT, t.length == 0 ? new int[1] : t));
                lengths.setAtIndex(ValueLayout.JAVA_INT, i, t.length);
            }
            MemorySegment out = call.allocate(ValueLayout.JAVA_FLOAT, (long) n * dimension);
            Native.check(lm_session_embed(handle, pointers, lengths, n, options.pooling().nativeValue(),
                    options.normalize(), out, (long) n * dimension), model.path());
            List<float[]> vectors = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                vectors.add(out.asSlice((long) i * dimension * Float.BYTES, (long) dimension * Float.BYTES)
                        .toArray(ValueLayout.JAVA_FLOAT));
            }
            return vectors;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        model.unregister(this, releaser);
        releaser.run();
    }

    @Override
    public String toString() {
        return "Embedder[" + model.path().getFileName() + ", " + options.pooling() + (options.normalize() ? ", normalized" : "")
                + (closed ? ", closed" : "") + "]";
    }
}
