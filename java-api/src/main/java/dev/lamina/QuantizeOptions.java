package dev.lamina;

import java.util.Objects;

/**
 * How {@link ModelWriter#quantize} rewrites a model.
 *
 * @param fileType a name of {@link ModelWriter#fileTypeNames()}, e.g. "Q8_0", "Q4_K_M", "F16"
 *                 (case-insensitive; the native library validates it)
 * @param threads  worker threads; 0 = number of online CPUs
 * @param progress called between tensors; may cancel (see {@link ProgressListener})
 */
public record QuantizeOptions(String fileType, int threads, ProgressListener progress) {
    public QuantizeOptions {
        Objects.requireNonNull(fileType, "fileType");
        Objects.requireNonNull(progress, "progress");
        if (fileType.isBlank()) {
            throw new IllegalArgumentException("fileType must not be blank");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, was " + threads);
        }
    }

    /** Quantizes to {@code fileType} with all CPUs and no progress reporting. */
    public static QuantizeOptions of(String fileType) {
        return builder(fileType).build();
    }

    public static Builder builder(String fileType) {
        return new Builder(fileType);
    }

    /** Builds {@link QuantizeOptions}: all CPUs and no listener unless set. */
    public static final class Builder {
        private final String fileType;
        private int threads;
        private ProgressListener progress = ProgressListener.none();

        private Builder(String fileType) {
            this.fileType = fileType;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder progress(ProgressListener progress) {
            this.progress = progress;
            return this;
        }

        public QuantizeOptions build() {
            return new QuantizeOptions(fileType, threads, progress);
        }
    }
}
