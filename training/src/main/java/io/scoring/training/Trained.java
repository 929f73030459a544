package io.scoring.training;

import java.util.Map;

/**
 * A trained model, XGBoost's own P(bad) for every row of the data set (the reference its ONNX export
 * must reproduce), and the hyper-parameters it was trained with (for the README and metrics.json).
 */
record Trained<M>(M model, float[] xgboostProbabilities, Map<String, Object> hyperParameters)
{
}
