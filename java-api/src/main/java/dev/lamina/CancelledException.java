package dev.lamina;

import java.nio.file.Path;

/**
 * An evaluation was stopped before it finished ({@link Status#CANCELLED}): by a cancel request from
 * another thread, or because its deadline passed ({@link DeadlineExceededException}). The KV cache is
 * as it was before the call, so the session (or batch session) can be used again at once.
 */
public class CancelledException extends LaminaException {
    private static final long serialVersionUID = 1L;

    public CancelledException(String nativeMessage, Path file) {
        super(Status.CANCELLED, nativeMessage, file);
    }
}
