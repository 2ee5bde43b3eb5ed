package dev.lamina;

import java.util.Objects;

/**
 * Options of an {@link Embedder}: the pooling, L2 normalisation, how many texts one native
 * batch embeds together, and the session they run in (context length bounds a text's tokens).
 */
public final class EmbedderOptions {
    /** Texts embedded together by default: each one sequence of the same batch. */
    public static final int DEFAULT_TEXTS_PER_BATCH = 16;

    private final Pooling pooling;
    private final boolean normalize;
    private final int textsPerBatch;
    private final SessionOptions session;

    private EmbedderOptions(Builder b) {
        this.pooling = b.pooling;
        this.normalize = b.normalize;
        this.textsPerBatch = b.textsPerBatch;
        this.session = b.session;
    }

    public static EmbedderOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Pooling pooling() {
        return pooling;
    }

    public boolean normalize() {
        return normalize;
    }

    public int textsPerBatch() {
        return textsPerBatch;
    }

    public SessionOptions session() {
        return session;
    }

    @Override
    public String toString() {
        return "EmbedderOptions[pooling=" + pooling + ", normalize=" + normalize + ", textsPerBatch=" + textsPerBatch
                + ", session=" + session + "]";
    }

    public static final class Builder {
        private Pooling pooling = Pooling.MODEL;
        private boolean normalize;
        private int textsPerBatch = DEFAULT_TEXTS_PER_BATCH;
        private SessionOptions session = SessionOptions.defaults();

        private Builder() {}

        public Builder pooling(Pooling v) {
            pooling = Objects.requireNonNull(v, "pooling");
            return this;
        }

        /** Scales each vector to unit L2 length (for cosine similarity as a dot product). */
        public Builder normalize(boolean v) {
            normalize = v;
            return this;
        }

        /** 1 to 64 texts per native batch. */
        public Builder textsPerBatch(int v) {
            if (v < 1 || v > 64) {
                throw new IllegalArgumentException("textsPerBatch must be 1..64, was " + v);
            }
            textsPerBatch = v;
            return this;
        }

        /** Context length, batch size, threads and KV type of the session the texts run in. */
        public Builder session(SessionOptions v) {
            session = Objects.requireNonNull(v, "session");
            return this;
        }

        public EmbedderOptions build() {
            return new EmbedderOptions(this);
        }
    }
}
