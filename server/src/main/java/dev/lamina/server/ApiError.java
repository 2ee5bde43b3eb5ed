package dev.lamina.server;

/**
 * An error answered in OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}},
 * with its HTTP status. Thrown anywhere on a request's path; the handler turns it into the answer.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiError(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 for a field of the request: its name is the error's {@code param}. */
    public static ApiError badField(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, "invalid_value", message);
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, "invalid_request_error", null, null, message);
    }

    /** 400 for a field this build parses and checks but cannot honour yet. */
    public static ApiError unsupported(String param, String what) {
        return new ApiError(400, "invalid_request_error", param, "unsupported_parameter",
                what + " is not supported by this build of lamina serve");
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
