package io.scoring.training;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Version 1 of credit-risk: logistic regression, fitted by XGBoost's linear booster (gblinear) with
 * cyclic coordinate descent on standardized features.
 *
 * <p>Standardization (training mean and population standard deviation per feature) only helps the
 * optimizer; it is folded back into the exported weights, so the model takes the raw encoded features:
 * {@code w_raw = w / s} and {@code b_raw = b + baseMargin - sum(w * m / s)}.
 */
final class LogisticRegressionTrainer
{
    /** Coordinate-descent passes over all features; the weights stop moving well before this. */
    static final int ROUNDS = 300;
    /** Full Newton steps per coordinate; the objective is convex and the features are standardized. */
    static final double ETA = 1.0;
    /** A small L2 penalty (XGBoost scales it by the sum of instance weights, here 700). */
    static final double LAMBDA = 0.01;

    private LogisticRegressionTrainer()
    {
    }

    static Trained<LinearModel> train(final CreditData data, final int[] trainRows, final long seed)
        throws XGBoostError, IOException
    {
        final float[][] train = data.rows(trainRows);
        final int features = data.featureCount();
        final double[] mean = new double[features];
        final double[] scale = new double[features];
        for (int f = 0; f < features; f++)
        {
            mean[f] = ColumnStats.mean(train, f);
            final double sd = ColumnStats.standardDeviation(train, f);
            scale[f] = sd > 0 ? sd : 1;
        }

        final Map<String, Object> params = new LinkedHashMap<>();
        params.put("booster", "gblinear");
        params.put("objective", "binary:logistic");
        params.put("updater", "coord_descent");
        params.put("feature_selector", "cyclic");
        params.put("eta", ETA);
        params.put("lambda", LAMBDA);
        params.put("alpha", 0.0);
        params.put("base_score", 0.5);
        params.put("nthread", 1);
        params.put("seed", seed);
        params.put("verbosity", 1);

        final Booster booster = Xgboost.train(standardize(train, mean, scale), data.labels(trainRows), params, ROUNDS);
        try
        {
            final XgboostJsonModel json = XgboostJsonModel.of(booster);
            final float[] weightsThenBias = json.linearWeightsThenBias();
            if (weightsThenBias.length != features + 1)
            {
                throw new IllegalStateException("expected " + (features + 1) + " linear weights, got " + weightsThenBias.length);
            }
            final float[] weights = new float[features];
            double bias = weightsThenBias[features] + (double)json.baseMargin();
            for (int f = 0; f < features; f++)
            {
                weights[f] = (float)(weightsThenBias[f] / scale[f]);
                bias -= weightsThenBias[f] * mean[f] / scale[f];
            }
            final float[] reference = Xgboost.predict(booster, standardize(data.rows(), mean, scale));

            final Map<String, Object> hyperParameters = new LinkedHashMap<>(params);
            hyperParameters.put("rounds", ROUNDS);
            hyperParameters.put("standardization", "training mean and population standard deviation, folded into the weights");
            return new Trained<>(new LinearModel(weights, (float)bias), reference, hyperParameters);
        }
        finally
        {
            booster.dispose();
        }
    }

    private static float[][] standardize(final float[][] rows, final double[] mean, final double[] scale)
    {
        final float[][] standardized = new float[rows.length][mean.length];
        for (int i = 0; i < rows.length; i++)
        {
            for (int f = 0; f < mean.length; f++)
            {
                standardized[i][f] = (float)((rows[i][f] - mean[f]) / scale[f]);
            }
        }
        return standardized;
    }
}
