package dev.lamina;

import java.nio.file.Path;

/** The model file cannot be opened, read or mapped ({@link Status#IO}). */
public class ModelIOException extends LaminaException {
    private static final long serialVersionUID = 1L;

    public ModelIOException(String nativeMessage, Path file) {
        super(Status.IO, nativeMessage, file);
    }
}
