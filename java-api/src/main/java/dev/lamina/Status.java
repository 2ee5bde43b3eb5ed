package dev.lamina;

/** The status codes of the native library ({@code lm_status} in lamina.h). */
public enum Status {
    OK(0),
    INVALID_ARGUMENT(1),
    IO(2),
    BAD_FORMAT(3),
    UNSUPPORTED(4),
    OUT_OF_MEMORY(5),
    CONTEXT_FULL(6),
    BUFFER_TOO_SMALL(7),
    BUSY(8),
    INTERNAL(9),
    /** A progress listener asked to stop a long operation (quantize, synthesize), or an evaluation was cancelled. */
    CANCELLED(10),
    /** A code this version of the Java API does not know (a newer native library). */
    UNKNOWN(-1);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    /** The numeric {@code lm_status} value. */
    public int code() {
        return code;
    }

    /** The C constant name, e.g. {@code LM_ERR_BAD_FORMAT}. */
    public String constantName() {
        return this == OK ? "LM_OK" : "LM_ERR_" + name();
    }

    /** The status with the given numeric code, {@link #UNKNOWN} for codes this version lacks. */
    public static Status of(int code) {
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
