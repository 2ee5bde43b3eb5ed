package dev.lamina;

/**
 * Receives the progress of a long operation ({@link ModelWriter#quantize}, {@link ModelWriter#synthesize}).
 * It is called on the thread that started the operation, between units of work.
 */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param done  units done so far (tensor elements; grows monotonically up to {@code total})
     * @param total units of the whole operation
     * @return {@code true} to continue, {@code false} to cancel: the operation then throws
     *         {@link LaminaException} with {@link Status#CANCELLED} and leaves no output file.
     *         An exception thrown here also cancels the operation and is rethrown by it.
     */
    boolean onProgress(long done, long total);

    /** A listener that never cancels and reports nothing. */
    static ProgressListener none() {
        return (done, total) -> true;
    }
}
