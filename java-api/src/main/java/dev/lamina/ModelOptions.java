package dev.lamina;

/**
 * How to load a model.
 *
 * @param vocabOnly read only the metadata and the vocabulary: no tensor is required or mapped,
 *                  so tokenizing works but sessions cannot be created
 */
public record ModelOptions(boolean vocabOnly) {
    /** Everything loaded (the default). */
    public static ModelOptions defaults() {
        return new ModelOptions(false);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ModelOptions}; every setting starts at its default. */
    public static final class Builder {
        private boolean vocabOnly;

        private Builder() {}

        public Builder vocabOnly(boolean vocabOnly) {
            this.vocabOnly = vocabOnly;
            return this;
        }

        public ModelOptions build() {
            return new ModelOptions(vocabOnly);
        }
    }
}
