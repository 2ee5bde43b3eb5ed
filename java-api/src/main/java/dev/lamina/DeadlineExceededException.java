package dev.lamina;

import java.nio.file.Path;
import java.time.Duration;

/**
 * An evaluation was stopped because the time it was given ran out. Like every
 * {@link CancelledException} it leaves the KV cache as it was before the call.
 */
public class DeadlineExceededException extends CancelledException {
    private static final long serialVersionUID = 1L;

    private final transient Duration timeout;

    public DeadlineExceededException(String message, Duration timeout, Path file) {
        super(message, file);
        this.timeout = timeout;
    }

    /** The time the evaluation was given. */
    public Duration timeout() {
        return timeout;
    }
}
