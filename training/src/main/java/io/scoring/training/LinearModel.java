package io.scoring.training;

/** A logistic regression over the raw encoded features: P(bad) = sigmoid(bias + weights . x). */
public record LinearModel(float[] weights, float bias)
{
}
