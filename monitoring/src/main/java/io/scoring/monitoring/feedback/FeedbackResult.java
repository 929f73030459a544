package io.scoring.monitoring.feedback;

/** What became of a label; the gateway maps it to an HTTP status at its edge. */
public enum FeedbackResult
{
    /** Joined to its prediction and counted (200). */
    JOINED,
    /** No remembered prediction has this request id: never made, evicted, or already labelled (404). */
    UNKNOWN_REQUEST,
    /** The prediction is older than the TTL (404). */
    EXPIRED,
    /** The label is neither 0 nor 1 (400). */
    INVALID_LABEL
}
