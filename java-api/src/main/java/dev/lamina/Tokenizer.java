package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_token_is_eog;
import static dev.lamina.bindings.lamina_h.lm_token_to_piece;
import static dev.lamina.bindings.lamina_h.lm_tokenize;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The vocabulary of a {@link Model}: text ↔ token ids. Thread-safe; valid while its model is open
 * (afterwards every method throws {@link IllegalStateException}).
 */
public final class Tokenizer {
    private final Model model;

    Tokenizer(Model model) {
        this.model = model;
    }

    /** Number of tokens in the vocabulary. */
    public int vocabSize() {
        return model.info().vocabSize();
    }

    /** Whether the vocabulary asks for a BOS token at the start of a prompt. */
    public boolean addsBos() {
        return model.info().addBos();
    }

    /**
     * Tokenizes UTF-8 text.
     *
     * @param addBos       put the BOS token first (if the vocabulary has one)
     * @param parseSpecial turn the texts of control tokens (e.g. {@code <|eot_id|>}) into their ids
     * @throws InvalidArgumentException if the text holds a lone surrogate (a {@code char} in
     *     U+D800..U+DFFF without its partner): it has no UTF-8 form, and silently turning it into
     *     {@code '?'} (what {@link String#getBytes} does) would feed the model the wrong text. Clean
     *     such text with {@link #replaceLoneSurrogates(String)} first if replacing is acceptable.
     */
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        return encode(utf8(text), addBos, parseSpecial);
    }

    /**
     * Tokenizes UTF-8 bytes as they are (for text that did not come from a Java string).
     *
     * @throws InvalidArgumentException if the bytes are not valid UTF-8 (the message gives the byte offset)
     */
    public int[] encode(byte[] utf8, boolean addBos, boolean parseSpecial) {
        Objects.requireNonNull(utf8, "utf8");
        byte[] bytes = utf8;
        return model.read(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment textSeg = call.allocate(Math.max(1, bytes.length));
                MemorySegment.copy(bytes, 0, textSeg, ValueLayout.JAVA_BYTE, 0, bytes.length);
                MemorySegment outN = call.allocate(ValueLayout.JAVA_LONG);
                long capacity = bytes.length + 2L;
                MemorySegment tokens = call.allocate(ValueLayout.JAVA_INT, capacity);
                int status = lm_tokenize(model.handle(), textSeg, bytes.length, addBos, parseSpecial,
                        tokens, capacity, outN);
                if (status == Native.bufferTooSmall()) {
                    capacity = outN.get(ValueLayout.JAVA_LONG, 0);
                    tokens = call.allocate(ValueLayout.JAVA_INT, Math.max(1, capacity));
                    status = lm_tokenize(model.handle(), textSeg, bytes.length, addBos, parseSpecial,
                            tokens, capacity, outN);
                }
                Native.check(status, model.path());
                long n = outN.get(ValueLayout.JAVA_LONG, 0);
                return tokens.asSlice(0, n * Integer.BYTES).toArray(ValueLayout.JAVA_INT);
            }
        });
    }

    /** Tokenizes with BOS as the vocabulary asks and special tokens parsed. */
    public int[] encode(String text) {
        return encode(text, addsBos(), true);
    }

    /**
     * The bytes a token stands for. A piece can be an incomplete UTF-8 sequence (byte tokens), so
     * concatenate pieces before decoding. Control tokens give no bytes.
     *
     * @throws InvalidArgumentException if the id is outside the vocabulary
     */
    public byte[] decodePiece(int token) {
        return decodePiece(token, false);
    }

    /** Like {@link #decodePiece(int)}; with {@code renderSpecial}, control tokens give their text. */
    public byte[] decodePiece(int token, boolean renderSpecial) {
        return model.read(() -> {
            try (Arena call = Arena.ofConfined()) {
                return Native.twoCall(call,
                        (buf, cap, len) -> lm_token_to_piece(model.handle(), token, renderSpecial, buf, cap, len),
                        model.path());
            }
        });
    }

    /**
     * The text of a token sequence (pieces concatenated, then decoded; invalid UTF-8 replaced).
     * Control tokens ({@code <s>}, {@code <|eot_id|>}, ...) give no text.
     */
    public String detokenize(int[] tokens) {
        return detokenize(tokens, false);
    }

    /**
     * The text of a token sequence; with {@code renderSpecial}, control tokens give their own text
     * (e.g. {@code <|eot_id|>}), otherwise nothing.
     */
    public String detokenize(int[] tokens, boolean renderSpecial) {
        Objects.requireNonNull(tokens, "tokens");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int t : tokens) {
            bytes.writeBytes(decodePiece(t, renderSpecial));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * The text of one token as the vocabulary spells it, control tokens included (e.g.
     * {@code "<|begin_of_text|>"} for Llama 3's BOS); invalid UTF-8 replaced.
     */
    public String tokenText(int token) {
        return new String(decodePiece(token, true), StandardCharsets.UTF_8);
    }

    /**
     * A decoder that turns tokens arriving one at a time into text without ever splitting a
     * multi-byte UTF-8 character (what {@link Generation} uses for {@link GeneratedToken#text()}).
     *
     * @param renderSpecial whether control tokens give their own text
     */
    public TokenStreamDecoder streamDecoder(boolean renderSpecial) {
        return new TokenStreamDecoder(this, renderSpecial);
    }

    /** The text with every lone surrogate replaced by U+FFFD, so that {@link #encode} accepts it. */
    public static String replaceLoneSurrogates(String text) {
        int bad = firstLoneSurrogate(text);
        if (bad < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        sb.append(text, 0, bad);
        for (int i = bad; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                sb.append(c).append(text.charAt(++i));
            } else {
                sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return sb.toString();
    }

    /** Index of the first surrogate without its partner, or -1. */
    static int firstLoneSurrogate(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    private byte[] utf8(String text) {
        int bad = firstLoneSurrogate(text);
        if (bad >= 0) {
            throw new InvalidArgumentException(String.format(java.util.Locale.ROOT,
                    "text has a lone surrogate U+%04X at index %d: it cannot be encoded as UTF-8"
                            + " (Tokenizer.replaceLoneSurrogates replaces such characters with U+FFFD)",
                    (int) text.charAt(bad), bad), model.path());
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a token ends generation (EOS, EOT or another end-of-generation token). */
    public boolean isEndOfGeneration(int token) {
        return model.read(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment out = call.allocate(ValueLayout.JAVA_BOOLEAN);
                Native.check(lm_token_is_eog(model.handle(), token, out), model.path());
                return out.get(ValueLayout.JAVA_BOOLEAN, 0);
            }
        });
    }
}
