package dev.lamina;

import java.nio.file.Path;

/**
 * A failure reported by the native library. Subclasses say what kind; {@link #status()} gives the
 * exact native status, {@link #nativeMessage()} the library's own message (which names the file,
 * key, tensor or value at fault) and {@link #file()} the model file involved, if any.
 */
public class LaminaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Status status;
    private final String nativeMessage;
    private final transient Path file;

    public LaminaException(Status status, String nativeMessage, Path file) {
        super(compose(status, nativeMessage, file));
        this.status = status;
        this.nativeMessage = nativeMessage == null ? "" : nativeMessage;
        this.file = file;
    }

    /** The native status code. */
    public Status status() {
        return status;
    }

    /** The message of {@code lm_last_error()} for the failing call ("" if it gave none). */
    public String nativeMessage() {
        return nativeMessage;
    }

    /** The model file involved, or null if the failure concerns no file. */
    public Path file() {
        return file;
    }

    private static String compose(Status status, String nativeMessage, Path file) {
        StringBuilder sb = new StringBuilder();
        sb.append(nativeMessage == null || nativeMessage.isBlank() ? "operation failed" : nativeMessage);
        sb.append(" [").append(status.constantName()).append(']');
        if (file != null && (nativeMessage == null || !nativeMessage.contains(file.toString()))) {
            sb.append(" (file: ").append(file).append(')');
        }
        return sb.toString();
    }
}
