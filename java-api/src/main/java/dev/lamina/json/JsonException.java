package dev.lamina.json;

/** Malformed JSON text; the message names the offset (and line) at fault. */
public final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }
}
