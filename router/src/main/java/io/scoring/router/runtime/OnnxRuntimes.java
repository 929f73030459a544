package io.scoring.router.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.nativeeval.NativeEvaluators;
import io.scoring.router.runtime.nativeeval.UnsupportedGraphException;

import java.util.List;
import java.util.Random;

/**
 * Turns an ONNX model into a validated, warmed-up {@link Scorer}. A version that fails here never
 * serves: the exception says what is wrong with it.
 *
 * <p>Runtime selection: ONNX Runtime always opens the model first, so every version is validated the
 * same way and with the same messages. When the whole graph is one the native evaluators support
 * ({@link NativeEvaluators}), and they agree with ONNX Runtime on a set of probe rows, the native
 * scorer serves and the session is closed; otherwise ONNX Runtime serves, and the log says why.
 */
public final class OnnxRuntimes
{
    /** Which runtimes a version may be served by; the router's {@code runtime} setting. */
    public enum Choice
    {
        /** The native evaluator when the graph is supported, ONNX Runtime otherwise. */
        AUTO,
        /** ONNX Runtime always. */
        ONNXRUNTIME
    }

    /** Native and ONNX Runtime scores may differ by this much, relative above 1, before the native one is refused. */
    static final double AGREEMENT_TOLERANCE = 1e-5;
    /** Probe rows compared at load: defaults, zeros, all-NaN, and seeded random rows of several scales. */
    static final int PROBE_ROWS = 32;

    private static final System.Logger LOG = System.getLogger(OnnxRuntimes.class.getName());

    private OnnxRuntimes()
    {
    }

    /** {@link #load(byte[], ModelConfig, int, Choice, NativeEvaluators.TreeLayout)} with trees laid out as suits them. */
    public static Scorer load(final byte[] onnxModel, final ModelConfig config, final int maxRows, final Choice choice)
        throws OrtException
    {
        return load(onnxModel, config, maxRows, choice, NativeEvaluators.TreeLayout.AUTO);
    }

    /**
     * Opens a session over the model bytes, checks its signature against the config, picks the runtime,
     * and runs a warm-up inference at batch size 1 and {@code maxRows} on the calling thread, so the
     * first real request does not pay for lazy initialisation.
     */
    public static Scorer load(
        final byte[] onnxModel,
        final ModelConfig config,
        final int maxRows,
        final Choice choice,
        final NativeEvaluators.TreeLayout treeLayout)
        throws OrtException
    {
        final OnnxScorer onnx = openValidated(onnxModel, config, maxRows);
        final Scorer scorer;
        try
        {
            scorer = choice == Choice.AUTO ? nativeIfEquivalent(onnxModel, config, maxRows, treeLayout, onnx) : onnx;
        }
        catch (final RuntimeException ex)
        {
            onnx.close();
            throw ex;
        }
        warmUp(scorer, config, maxRows);
        return scorer;
    }

    private static OnnxScorer openValidated(final byte[] onnxModel, final ModelConfig config, final int maxRows)
        throws OrtException
    {
        final OrtEnvironment env = OrtEnvironment.getEnvironment();
        final OnnxSignature.Prepared prepared = OnnxSignature.prepare(onnxModel, config);
        final OrtSession session = OnnxScorer.openSession(env, prepared.model());
        try
        {
            OnnxSignature.checkInputs(session, config);
            final List<OutputForm> forms = OnnxSignature.outputForms(session, config, prepared);
            return new OnnxScorer(env, session, config, forms, maxRows);
        }
        catch (final RuntimeException | OrtException ex)
        {
            OnnxScorer.closeSession(session);
            throw ex;
        }
    }

    /** The native scorer if the graph compiles and agrees with ONNX Runtime (whose session then closes), else ONNX Runtime. */
    private static Scorer nativeIfEquivalent(
        final byte[] onnxModel,
        final ModelConfig config,
        final int maxRows,
        final NativeEvaluators.TreeLayout treeLayout,
        final OnnxScorer onnx)
    {
        final Scorer compiled;
        try
        {
            compiled = NativeEvaluators.compile(onnxModel, config, maxRows, treeLayout, onnx.outputForms());
        }
        catch (final UnsupportedGraphException ex)
        {
            LOG.log(System.Logger.Level.INFO, "model {0}: served by onnxruntime: {1}", config.name(), ex.getMessage());
            return onnx;
        }
        final String disagreement;
        try
        {
            disagreement = disagreement(compiled, onnx, config);
        }
        catch (final RuntimeException ex)
        {
            compiled.close();
            throw ex;
        }
        if (null != disagreement)
        {
            LOG.log(System.Logger.Level.WARNING, "model {0}: served by onnxruntime, {1} disagrees with it: {2}",
                config.name(), compiled.runtimeName(), disagreement);
            compiled.close();
            return onnx;
        }
        onnx.close();
        return compiled;
    }

    /** Scores the probe rows one at a time with both runtimes; null when every score agrees. */
    private static String disagreement(final Scorer compiled, final Scorer onnx, final ModelConfig config)
    {
        final int featureCount = config.featureCount();
        final int outputCount = config.outputCount();
        final float[] row = new float[featureCount];
        final float[] expected = new float[outputCount];
        final float[] actual = new float[outputCount];
        final Random random = new Random(featureCount * 31L + outputCount);
        for (int probe = 0; probe < PROBE_ROWS; probe++)
        {
            for (final FeatureSpec feature : config.features())
            {
                row[feature.index()] = switch (probe)
                {
                    case 0 -> feature.hasDefault() ? feature.defaultValue() : 0f;
                    case 1 -> 0f;
                    case 2 -> Float.NaN;
                    default -> (float)(random.nextGaussian() * Math.pow(10, probe % 4));
                };
            }
            if (onnx.score(row, 1, expected) != Scorer.OK || compiled.score(row, 1, actual) != Scorer.OK)
            {
                return "probe row " + probe + " failed to score";
            }
            for (int j = 0; j < outputCount; j++)
            {
                final double tolerance = AGREEMENT_TOLERANCE * Math.max(1.0, Math.abs(expected[j]));
                final boolean same = Float.compare(expected[j], actual[j]) == 0 ||
                    Math.abs(expected[j] - actual[j]) <= tolerance;
                if (!same)
                {
                    return "probe row " + probe + ", output '" + config.outputs().get(j).name() + "': " + actual[j] +
                        " where onnxruntime gives " + expected[j];
                }
            }
        }
        return null;
    }

    private static void warmUp(final Scorer scorer, final ModelConfig config, final int maxRows)
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
                throw new IllegalArgumentException("warm-up inference failed" + failureOf(scorer));
            }
            for (int i = 0; i < rows * config.outputCount(); i++)
            {
                if (!Float.isFinite(output[i]))
                {
                    scorer.close();
                    throw new IllegalArgumentException("warm-up inference gave a non-finite score: " + output[i]);
                }
            }
        }
    }

    private static String failureOf(final Scorer scorer)
    {
        return scorer instanceof OnnxScorer onnx ? ": " + onnx.lastFailure() : "";
    }
}
