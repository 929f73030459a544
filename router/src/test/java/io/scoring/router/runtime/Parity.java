package io.scoring.router.runtime;

import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.nativeeval.NativeEvaluators;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Loads a model twice, once as the gateway would (native when supported) and once on ONNX Runtime, and
 * checks they score rows alike: at batch size 1 and in full batches, within {@value #TOLERANCE}
 * (relative above 1), NaN for NaN.
 */
final class Parity
{
    static final double TOLERANCE = 1e-5;
    static final int MAX_ROWS = 64;

    /** Special floats every generated row set draws from. */
    static final float[] SPECIAL = {
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE, -0f, 0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL / 4, -Float.MIN_NORMAL / 3, Float.MIN_NORMAL};

    private Parity()
    {
    }

    /**
     * Checks the model is served by {@code runtime} (any runtime when null: failures then name the one that
     * served it) and agrees with ONNX Runtime on every row.
     */
    static void assertSameScores(final byte[] model, final ModelConfig config, final String runtime,
        final List<float[]> rows) throws Exception
    {
        assertSameScores(model, config, runtime, rows, NativeEvaluators.TreeLayout.AUTO);
    }

    /** {@link #assertSameScores(byte[], ModelConfig, String, List)} with the native trees laid out as {@code layout}. */
    static void assertSameScores(final byte[] model, final ModelConfig config, final String runtime,
        final List<float[]> rows, final NativeEvaluators.TreeLayout layout) throws Exception
    {
        try (Scorer served = OnnxRuntimes.load(model, config, MAX_ROWS, OnnxRuntimes.Choice.AUTO, layout);
            Scorer reference = OnnxRuntimes.load(model, config, MAX_ROWS, OnnxRuntimes.Choice.ONNXRUNTIME))
        {
            if (runtime != null)
            {
                assertEquals(runtime, served.runtimeName());
            }
            final int features = config.featureCount();
            final int outputs = config.outputCount();
            final float[] expected = new float[MAX_ROWS * outputs];
            final float[] actual = new float[MAX_ROWS * outputs];
            for (final float[] row : rows)
            {
                score(reference, row, 1, expected);
                score(served, row, 1, actual);
                compare(expected, actual, outputs, row, served.runtimeName());
            }
            final float[] batch = new float[MAX_ROWS * features];
            for (int start = 0; start + MAX_ROWS <= rows.size(); start += MAX_ROWS)
            {
                for (int r = 0; r < MAX_ROWS; r++)
                {
                    System.arraycopy(rows.get(start + r), 0, batch, r * features, features);
                }
                score(reference, batch, MAX_ROWS, expected);
                score(served, batch, MAX_ROWS, actual);
                compare(expected, actual, MAX_ROWS * outputs, batch, served.runtimeName());
            }
        }
    }

    /**
     * Rows of {@code features} values drawn from the thresholds the model compares with, their float
     * neighbours, the special floats and ordinary numbers; one special value at most per row when
     * {@code oneSpecialPerRow} (linear models: several huge inputs overflow a float sum in an order-dependent way).
     */
    static List<float[]> rows(final int features, final float[] thresholds, final int count, final long seed,
        final boolean oneSpecialPerRow)
    {
        final Random random = new Random(seed);
        final List<float[]> rows = new ArrayList<>();
        rows.add(new float[features]);
        for (final float special : SPECIAL)
        {
            final float[] row = new float[features];
            if (oneSpecialPerRow && Math.abs(special) == Float.MAX_VALUE)
            {
                row[0] = special;
            }
            else
            {
                java.util.Arrays.fill(row, special);
            }
            rows.add(row);
        }
        while (rows.size() < count)
        {
            final float[] row = new float[features];
            for (int i = 0; i < features; i++)
            {
                row[i] = ordinary(random, thresholds);
            }
            if (oneSpecialPerRow)
            {
                row[random.nextInt(features)] = SPECIAL[random.nextInt(SPECIAL.length)];
            }
            else
            {
                for (int i = 0; i < features; i++)
                {
                    if (random.nextInt(6) == 0)
                    {
                        row[i] = SPECIAL[random.nextInt(SPECIAL.length)];
                    }
                }
            }
            rows.add(row);
        }
        return rows;
    }

    private static float ordinary(final Random random, final float[] thresholds)
    {
        final float threshold = thresholds.length == 0 ? 0f : thresholds[random.nextInt(thresholds.length)];
        return switch (random.nextInt(4))
        {
            case 0 -> threshold;
            case 1 -> Math.nextUp(threshold);
            case 2 -> Math.nextDown(threshold);
            default -> (float)(random.nextGaussian() * 3);
        };
    }

    private static void score(final Scorer scorer, final float[] input, final int rows, final float[] output)
    {
        assertEquals(Scorer.OK, scorer.score(input, rows, output), scorer.runtimeName() + " failed");
    }

    private static void compare(final float[] expected, final float[] actual, final int count, final float[] input,
        final String runtime)
    {
        for (int i = 0; i < count; i++)
        {
            final double tolerance = TOLERANCE * Math.max(1.0, Math.abs(expected[i]));
            if (Float.compare(expected[i], actual[i]) != 0 && !(Math.abs(expected[i] - actual[i]) <= tolerance))
            {
                fail("score " + i + ": onnxruntime " + expected[i] + ", " + runtime + " " + actual[i] + " for input " +
                    java.util.Arrays.toString(input.length > 40 ? java.util.Arrays.copyOf(input, 40) : input));
            }
        }
    }
}
