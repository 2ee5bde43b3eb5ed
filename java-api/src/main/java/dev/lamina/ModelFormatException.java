package dev.lamina;

import java.nio.file.Path;

/**
 * The model file is not valid GGUF, contradicts its own structure ({@link Status#BAD_FORMAT}), or
 * uses an architecture, tensor type or feature Lamina does not support ({@link Status#UNSUPPORTED}).
 */
public class ModelFormatException extends LaminaException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(Status status, String nativeMessage, Path file) {
        super(status, nativeMessage, file);
    }
}
