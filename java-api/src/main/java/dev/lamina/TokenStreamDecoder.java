package dev.lamina;

/**
 * Turns tokens that arrive one at a time (a stream from a generation, a network peer, ...) into
 * text, never splitting a multi-byte UTF-8 character: a token whose piece ends inside a character
 * (a byte token such as {@code <0xF0>}) gives "" and the token that completes the character gives
 * all of it. Created by {@link Tokenizer#streamDecoder(boolean)}; not thread-safe.
 * <pre>{@code
 * TokenStreamDecoder d = tokenizer.streamDecoder(false);
 * for (int id : ids) System.out.print(d.decode(id));
 * System.out.print(d.finish());
 * }</pre>
 */
public final class TokenStreamDecoder {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private final Utf8StreamDecoder bytes = new Utf8StreamDecoder();

    TokenStreamDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /**
     * Adds one token and returns the text it completes ("" while a character is incomplete).
     *
     * @throws InvalidArgumentException if the id is outside the vocabulary
     */
    public String decode(int token) {
        bytes.append(tokenizer.decodePiece(token, renderSpecial));
        return bytes.take();
    }

    /** Whether bytes of an incomplete character are being held back. */
    public boolean hasPending() {
        return bytes.pending() > 0;
    }

    /** Returns what is still held back (an incomplete character becomes U+FFFD) and starts over. */
    public String finish() {
        return bytes.flush();
    }
}
