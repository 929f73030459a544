package io.scoring.training;

import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/** The few XGBoost4J calls the trainers share: dense matrices in, a booster out, probabilities back. */
final class Xgboost
{
    private Xgboost()
    {
    }

    static Booster train(final float[][] rows, final float[] labels, final Map<String, Object> params, final int rounds)
        throws XGBoostError
    {
        final DMatrix train = matrix(rows);
        try
        {
            train.setLabel(labels);
            return XGBoost.train(train, params, rounds, Map.of(), null, null);
        }
        finally
        {
            train.dispose();
        }
    }

    /** P(label = 1) for every row. */
    static float[] predict(final Booster booster, final float[][] rows) throws XGBoostError
    {
        final DMatrix matrix = matrix(rows);
        try
        {
            final float[][] predictions = booster.predict(matrix);
            final float[] probabilities = new float[rows.length];
            for (int i = 0; i < rows.length; i++)
            {
                probabilities[i] = predictions[i][0];
            }
            return probabilities;
        }
        finally
        {
            matrix.dispose();
        }
    }

    private static DMatrix matrix(final float[][] rows) throws XGBoostError
    {
        final int columns = rows[0].length;
        final float[] dense = new float[rows.length * columns];
        for (int i = 0; i < rows.length; i++)
        {
            System.arraycopy(rows[i], 0, dense, i * columns, columns);
        }
        return new DMatrix(dense, rows.length, columns, Float.NaN);
    }
}
