package charrnn.serve;

/** An error answered with an HTTP status and OpenAI's error object: {"error": {message, type, param, code}}. */
final class ApiError extends RuntimeException {
    final int status;
    final String type;
    final String param;

    ApiError(int status, String type, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
    }

    /** 400: a field of the request, named, and what is wrong with it. */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, message);
    }
}
