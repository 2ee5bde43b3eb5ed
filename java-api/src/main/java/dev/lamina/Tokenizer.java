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
     */
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        return model.read(() -> {
            try (Arena call = Arena.ofConfined()) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
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

    /** The text of a token sequence (pieces concatenated, then decoded; invalid UTF-8 replaced). */
    public String detokenize(int[] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int t : tokens) {
            bytes.writeBytes(decodePiece(t));
        }
        return bytes.toString(StandardCharsets.UTF_8);
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
