package io.scoring.gateway.pipeline;

import io.grpc.Status;

/**
 * How a request ended. The pipeline returns one of these as a value; the transports turn it into a
 * gRPC status or an HTTP status here, in the one place that maps them.
 */
public enum Outcome
{
    OK(Status.Code.OK, 200),
    MODEL_NOT_FOUND(Status.Code.NOT_FOUND, 404),
    VERSION_NOT_FOUND(Status.Code.NOT_FOUND, 404),
    INVALID_ARGUMENT(Status.Code.INVALID_ARGUMENT, 400),
    TOO_LARGE(Status.Code.RESOURCE_EXHAUSTED, 413),
    SCORING_FAILED(Status.Code.INTERNAL, 500),
    SHUTTING_DOWN(Status.Code.UNAVAILABLE, 503),
    /** Refused at the edge: the concurrency limit was reached (HTTP adds {@code Retry-After}). */
    OVERLOADED(Status.Code.RESOURCE_EXHAUSTED, 429),
    /** The caller's deadline passed before the request was scored; it was not scored. */
    DEADLINE_EXCEEDED(Status.Code.DEADLINE_EXCEEDED, 504),
    /**
     * The caller went away (cancelled, reset, closed) before its answer; nothing is written. 499 is nginx's
     * "client closed request", for the logs: no client ever reads it.
     */
    CANCELLED(Status.Code.CANCELLED, 499);

    private final Status.Code grpcCode;
    private final int httpStatus;

    Outcome(final Status.Code grpcCode, final int httpStatus)
    {
        this.grpcCode = grpcCode;
        this.httpStatus = httpStatus;
    }

    public Status grpcStatus(final String message)
    {
        return grpcCode.toStatus().withDescription(message);
    }

    public int httpStatus()
    {
        return httpStatus;
    }

    /** The lower-case label used in logs and metrics. */
    public String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
