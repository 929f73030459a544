package io.scoring.router.model;

/**
 * One float output of a model, {@code [batch, 1]}, and what it means.
 *
 * @param name              the ONNX output name
 * @param description       what the score means, for people reading answers and metadata
 * @param decisionThreshold the score at or above which the decision is positive; NaN when none is set
 */
public record OutputSpec(String name, String description, double decisionThreshold)
{
}
