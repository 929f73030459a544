package io.scoring.training;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Version 2 of credit-risk: gradient-boosted trees (XGBoost gbtree, exact greedy splits) on the raw
 * encoded features, categorical indices treated as ordered numbers.
 *
 * <p>Modest on purpose: 700 training rows. No row or column sampling, so the seed changes nothing
 * today; it is fixed anyway so that turning sampling on stays reproducible.
 */
final class GradientBoostedTreesTrainer
{
    static final int ROUNDS = 200;
    static final double ETA = 0.05;
    static final int MAX_DEPTH = 3;
    static final double MIN_CHILD_WEIGHT = 1.0;
    static final double LAMBDA = 1.0;

    private GradientBoostedTreesTrainer()
    {
    }

    static Trained<TreeEnsemble> train(final CreditData data, final int[] trainRows, final long seed)
        throws XGBoostError, IOException
    {
        final Map<String, Object> params = new LinkedHashMap<>();
        params.put("booster", "gbtree");
        params.put("objective", "binary:logistic");
        params.put("tree_method", "exact");
        params.put("max_depth", MAX_DEPTH);
        params.put("eta", ETA);
        params.put("min_child_weight", MIN_CHILD_WEIGHT);
        params.put("lambda", LAMBDA);
        params.put("subsample", 1.0);
        params.put("colsample_bytree", 1.0);
        // Set, so XGBoost 2+ does not estimate it from the labels; read back from the model either way.
        params.put("base_score", 0.5);
        params.put("nthread", 1);
        params.put("seed", seed);
        params.put("verbosity", 1);

        final Booster booster = Xgboost.train(data.rows(trainRows), data.labels(trainRows), params, ROUNDS);
        try
        {
            final XgboostJsonModel json = XgboostJsonModel.of(booster);
            final TreeEnsemble ensemble = new TreeEnsemble(json.trees(), json.baseMargin());
            final float[] reference = Xgboost.predict(booster, data.rows());

            final Map<String, Object> hyperParameters = new LinkedHashMap<>(params);
            hyperParameters.put("rounds", ROUNDS);
            return new Trained<>(ensemble, reference, hyperParameters);
        }
        finally
        {
            booster.dispose();
        }
    }
}
