package dev.unison.platform.edge;

/** An error the partner API answers with its status and a JSON body {@code {"error", "detail"}}. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String error;
    private final Long retryAfterSeconds;

    public ApiException(int status, String error, String detail) {
        this(status, error, detail, null);
    }

    /** With {@code Retry-After} (seconds, RFC 9110 section 10.2.3) on the answer when not null. */
    public ApiException(int status, String error, String detail, Long retryAfterSeconds) {
        super(detail);
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds after which the client may send the request again, or null. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /**
     * 503 {@code overloaded} with {@code Retry-After}: the hub stored nothing of the request and is too
     * busy to take it now (RFC 9110 section 15.6.4); the client sends the same request again later.
     */
    public static ApiException overloaded(String detail, long retryAfterSeconds) {
        return new ApiException(503, "overloaded", detail, Math.max(1, retryAfterSeconds));
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return getMessage();
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(401, "unauthorized", detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "forbidden", detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "not_found", detail);
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, "bad_request", detail);
    }

    public static ApiException unprocessable(String detail) {
        return new ApiException(422, "validation_failed", detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(409, "conflict", detail);
    }
}
