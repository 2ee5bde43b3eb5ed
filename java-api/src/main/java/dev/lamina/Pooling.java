package dev.lamina;

/** How an {@link Embedder} makes one vector of a text's per-token hidden states. */
public enum Pooling {
    /** The model file's {@code pooling_type}; models without one (decoders) pool {@link #LAST}. */
    MODEL(-1),
    /** The mean over the text's tokens. */
    MEAN(1),
    /** The first token's. */
    CLS(2),
    /** The last token's: in a decoder, the one that has seen the whole text. */
    LAST(3);

    private final int nativeValue;

    Pooling(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    /** The lm_pooling value. */
    int nativeValue() {
        return nativeValue;
    }
}
