package dev.lamina;

/**
 * How to create a {@link Session}. A value of 0 means "the library's default".
 *
 * @param contextLength tokens the session's KV cache holds; 0 = min(model's training context, 4096)
 * @param batchSize     most tokens one native evaluation takes; 0 = contextLength. Longer inputs to
 *                      {@link Session#evaluate(int[])} are split into batches of this size
 * @param threads       worker threads; 0 = number of online CPUs
 */
public record SessionOptions(int contextLength, int batchSize, int threads) {
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

    /** Builds {@link SessionOptions}; every setting starts at 0 (the library's default). */
    public static final class Builder {
        private int contextLength;
        private int batchSize;
        private int threads;

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

        public SessionOptions build() {
            return new SessionOptions(contextLength, batchSize, threads);
        }
    }
}
