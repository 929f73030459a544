package io.scoring.training;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Map;

/** Runs an exported graph in ONNX Runtime and holds it to the trainer's own predictions. */
public final class OnnxRuntimeCheck
{
    /** How far ONNX Runtime's P(bad) may stray from XGBoost's: float rounding, not a different model. */
    public static final double TOLERANCE = 1e-5;

    private OnnxRuntimeCheck()
    {
    }

    /** P(bad) for each row, as the gateway will compute it: through ONNX Runtime on the given graph. */
    public static float[] score(final byte[] model, final float[][] rows) throws OrtException
    {
        final OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions())
        {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options);
                OnnxTensor input = OnnxTensor.createTensor(env, rows);
                OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input)))
            {
                final float[][] output = (float[][])result.get(OnnxExport.OUTPUT)
                    .orElseThrow(() -> new IllegalStateException("the graph has no output " + OnnxExport.OUTPUT))
                    .getValue();
                final float[] probabilities = new float[output.length];
                for (int i = 0; i < output.length; i++)
                {
                    probabilities[i] = output[i][0];
                }
                return probabilities;
            }
        }
    }

    /**
     * Fails, naming the worst rows, unless every {@code actual[i]} is within {@link #TOLERANCE} of
     * {@code expected[i]}.
     *
     * @return the largest absolute difference
     */
    public static double requireAgreement(final String what, final float[] expected, final float[] actual)
    {
        if (expected.length != actual.length)
        {
            throw new IllegalStateException(what + ": " + actual.length + " scores for " + expected.length + " rows");
        }
        double worst = 0;
        int worstRow = -1;
        int disagreements = 0;
        for (int i = 0; i < expected.length; i++)
        {
            final double difference = Math.abs((double)expected[i] - actual[i]);
            if (!(difference <= TOLERANCE))
            {
                disagreements++;
            }
            if (!(difference <= worst))
            {
                worst = difference;
                worstRow = i;
            }
        }
        if (disagreements > 0)
        {
            throw new IllegalStateException(String.format(
                "%s: ONNX Runtime disagrees with XGBoost on %d of %d rows by more than %.0e; worst row %d: %s vs %s",
                what, disagreements, expected.length, TOLERANCE, worstRow, actual[worstRow], expected[worstRow]));
        }
        return worst;
    }
}
