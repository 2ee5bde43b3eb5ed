package dev.lamina;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@link ModelWriter#synthesize} writes a random-weight model of a real model's shape.
 *
 * @param shape    a name of {@link ModelWriter#shapeNames()}, e.g. "tinyllama-1.1b"
 * @param fileType a name of {@link ModelWriter#fileTypeNames()}, e.g. "Q4_0"
 * @param vocab    a GGUF file whose {@code tokenizer.*} metadata is copied (e.g. a llama.cpp vocab file)
 * @param seed     same seed = same file
 * @param threads  worker threads; 0 = number of online CPUs
 * @param progress called between tensors; may cancel (see {@link ProgressListener})
 */
public record SynthesizeOptions(String shape, String fileType, Path vocab, long seed, int threads,
                                ProgressListener progress) {
    public SynthesizeOptions {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(fileType, "fileType");
        Objects.requireNonNull(vocab, "vocab");
        Objects.requireNonNull(progress, "progress");
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, was " + threads);
        }
    }

    public static Builder builder(String shape, Path vocab) {
        return new Builder(shape, vocab);
    }

    /** Builds {@link SynthesizeOptions}: Q4_0, seed 1, all CPUs and no listener unless set. */
    public static final class Builder {
        private final String shape;
        private final Path vocab;
        private String fileType = "Q4_0";
        private long seed = 1;
        private int threads;
        private ProgressListener progress = ProgressListener.none();

        private Builder(String shape, Path vocab) {
            this.shape = shape;
            this.vocab = vocab;
        }

        public Builder fileType(String fileType) {
            this.fileType = fileType;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder progress(ProgressListener progress) {
            this.progress = progress;
            return this;
        }

        public SynthesizeOptions build() {
            return new SynthesizeOptions(shape, fileType, vocab, seed, threads, progress);
        }
    }
}
