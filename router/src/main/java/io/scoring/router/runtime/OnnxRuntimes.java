package io.scoring.router.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.model.OutputSpec;

import java.util.List;

/**
 * Turns an ONNX model into a validated, warmed-up {@link Scorer}. A version that fails here never
 * serves: the exception says what is wrong with it.
 */
public final class OnnxRuntimes
{
    private OnnxRuntimes()
    {
    }

    /**
     * Opens a session over the model bytes, checks its signature against the config, and runs a
     * warm-up inference at batch size 1 and {@code maxRows} on the calling thread, so the first real
     * request does not pay for lazy initialisation.
     */
    public static Scorer load(final byte[] onnxModel, final ModelConfig config, final int maxRows)
        throws OrtException
    {
        final OrtEnvironment env = OrtEnvironment.getEnvironment();
        final List<String> outputNames = config.outputs().stream().map(OutputSpec::name).toList();
        final OrtSession session;
        try (OrtSession.SessionOptions options = OnnxScorer.latencyOptions())
        {
            session = env.createSession(onnxModel, options);
        }
        try
        {
            OnnxScorer.validateSignature(session, config.inputName(), config.featureCount(), outputNames);
        }
        catch (final RuntimeException ex)
        {
            session.close();
            throw ex;
        }

        final OnnxScorer scorer = new OnnxScorer(
            env, session, config.inputName(), outputNames, config.featureCount(), maxRows);
        warmUp(scorer, config, maxRows);
        return scorer;
    }

    private static void warmUp(final OnnxScorer scorer, final ModelConfig config, final int maxRows)
    {
        final int featureCount = config.featureCount();
        final float[] input = new float[maxRows * featureCount];
        for (int row = 0; row < maxRows; row++)
        {
            for (final FeatureSpec feature : config.features())
            {
                input[row * featureCount + feature.index()] = feature.hasDefault() ? feature.defaultValue() : 0f;
            }
        }
        final float[] output = new float[maxRows * config.outputCount()];
        for (final int rows : new int[]{1, maxRows})
        {
            if (scorer.score(input, rows, output) != Scorer.OK)
            {
                scorer.close();
                throw new IllegalStateException("warm-up inference failed: " + scorer.lastFailure());
            }
            for (int i = 0; i < rows * config.outputCount(); i++)
            {
                if (!Float.isFinite(output[i]))
                {
                    scorer.close();
                    throw new IllegalStateException("warm-up inference gave a non-finite score: " + output[i]);
                }
            }
        }
    }
}
