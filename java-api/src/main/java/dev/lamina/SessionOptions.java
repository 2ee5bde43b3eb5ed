package dev.lamina;

/**
 * How to create a {@link Session}. A value of 0 means "the library's default".
 *
 * @param contextLength tokens the session's KV cache holds; 0 = min(model's training context, 4096)
 * @param batchSize     most tokens one native evaluation takes; 0 = contextLength. Longer inputs to
 *                      {@link Session#evaluate(int[])} are split into batches of this size
 * @param threads       worker threads; 0 = number of online CPUs
 * @param kvType        the KV cache's type; null = the library's default ({@link KvType#F16})
 */
public record SessionOptions(int contextLength, int batchSize, int threads, KvType kvType) {
    /** Options with the library's default KV cache type. */
    public SessionOptions(int contextLength, int batchSize, int threads) {
        this(contextLength, batchSize, threads, null);
    }

    public SessionOptions {
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must be >= 0, was " + contextLength);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("batchSize must be >= 0, was " + batchSize);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, was " + threads);
        }
    }

    /** All defaults. */
    public static SessionOptions defaults() {
        return new SessionOptions(0, 0, 0);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link SessionOptions}; every setting starts at 0 or null (the library's default). */
    public static final class Builder {
        private int contextLength;
        private int batchSize;
        private int threads;
        private KvType kvType;

        private Builder() {}

        public Builder contextLength(int contextLength) {
            this.contextLength = contextLength;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** The KV cache's type (not null; leave unset for the library's default). */
        public Builder kvType(KvType kvType) {
            if (kvType == null) {
                throw new IllegalArgumentException("kvType must not be null (leave it unset for the default)");
            }
            this.kvType = kvType;
            return this;
        }

        public SessionOptions build() {
            return new SessionOptions(contextLength, batchSize, threads, kvType);
        }
    }
}
