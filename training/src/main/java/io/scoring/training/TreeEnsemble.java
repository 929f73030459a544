package io.scoring.training;

import java.util.List;

/**
 * Gradient-boosted trees for a binary label: P(bad) = sigmoid(baseMargin + sum of each tree's leaf).
 *
 * <p>{@code baseMargin} is XGBoost's base_score mapped to margin space (logit for binary:logistic).
 */
public record TreeEnsemble(List<Tree> trees, float baseMargin)
{
    public TreeEnsemble
    {
        trees = List.copyOf(trees);
    }
}
