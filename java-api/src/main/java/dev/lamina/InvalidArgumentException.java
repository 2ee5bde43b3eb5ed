package dev.lamina;

import java.nio.file.Path;

/**
 * The native library refused an argument ({@link Status#INVALID_ARGUMENT}): for example a token id
 * outside the vocabulary, invalid UTF-8, or a metadata key that is absent.
 */
public class InvalidArgumentException extends LaminaException {
    private static final long serialVersionUID = 1L;

    public InvalidArgumentException(String nativeMessage, Path file) {
        super(Status.INVALID_ARGUMENT, nativeMessage, file);
    }
}
