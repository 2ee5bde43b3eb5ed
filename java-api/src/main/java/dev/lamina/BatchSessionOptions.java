package dev.lamina;

import java.util.Objects;

/**
 * How to create a {@link BatchSession}. A value of 0 means "the library's default".
 * <pre>{@code
 * BatchSessionOptions.builder().maxSequences(8).contextLength(4096).kvType(KvType.F32).build()
 * }</pre>
 *
 * @param session      the KV cache (its {@link SessionOptions#contextLength() cells} are shared by all
 *                     sequences), the most tokens one {@link BatchSession#step()} evaluates in one native
 *                     call ({@link SessionOptions#batchSize()}; 0 = contextLength), threads and cache type
 * @param maxSequences sequences that may be open at once; 0 = the library's default (1)
 */
public record BatchSessionOptions(SessionOptions session, int maxSequences) {
    public BatchSessionOptions {
        Objects.requireNonNull(session, "session");
        if (maxSequences < 0) {
            throw new IllegalArgumentException("maxSequences must be >= 0, was " + maxSequences);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link BatchSessionOptions}; every setting starts at 0 or null (the library's default). */
    public static final class Builder {
        private final SessionOptions.Builder session = SessionOptions.builder();
        private int maxSequences;

        private Builder() {}

        /** Sequences that may be open at once (the library allows up to 64). */
        public Builder maxSequences(int maxSequences) {
            this.maxSequences = maxSequences;
            return this;
        }

        /** KV cells shared by all sequences. */
        public Builder contextLength(int contextLength) {
            session.contextLength(contextLength);
            return this;
        }

        /** Most tokens one native decode takes; a step with more queued tokens makes several. */
        public Builder batchSize(int batchSize) {
            session.batchSize(batchSize);
            return this;
        }

        public Builder threads(int threads) {
            session.threads(threads);
            return this;
        }

        /** The KV cache's type (not null; leave unset for the library's default). */
        public Builder kvType(KvType kvType) {
            session.kvType(kvType);
            return this;
        }

        public BatchSessionOptions build() {
            return new BatchSessionOptions(session.build(), maxSequences);
        }
    }
}
