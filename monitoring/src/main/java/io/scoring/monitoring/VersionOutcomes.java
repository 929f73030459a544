package io.scoring.monitoring;

import io.scoring.monitoring.feedback.VersionAccuracy;

import java.util.Arrays;

/**
 * The last {@link Monitoring.Context#feedbackWindowLabels()} (score, label) pairs of one model version, and the
 * online metrics over them. Threading: synchronized; labels arrive on feedback threads, reports on
 * admin threads. Fixed arrays; a report sorts a copy it allocates.
 */
final class VersionOutcomes
{
    private static final double CLIP = 1e-15;

    private final VersionSpec spec;
    private final Monitoring.Context config;
    private final float[] scores;
    private final byte[] labels;
    private int next;
    private int size;

    VersionOutcomes(final VersionSpec spec, final Monitoring.Context config)
    {
        this.spec = spec;
        this.config = config;
        this.scores = new float[config.feedbackWindowLabels()];
        this.labels = new byte[config.feedbackWindowLabels()];
    }

    VersionSpec spec()
    {
        return spec;
    }

    synchronized void add(final float score, final int label)
    {
        scores[next] = score;
        labels[next] = (byte)label;
        next = next + 1 == scores.length ? 0 : next + 1;
        size = Math.min(size + 1, scores.length);
    }

    synchronized VersionAccuracy accuracy()
    {
        final double threshold = spec.decisionThreshold();
        long positives = 0;
        double logLoss = 0.0;
        double cost = 0.0;
        final long[] keys = new long[size];
        for (int i = 0; i < size; i++)
        {
            final double p = Math.min(1.0 - CLIP, Math.max(CLIP, scores[i]));
            final boolean positive = labels[i] == 1;
            final boolean decidedPositive = scores[i] >= threshold;
            positives += labels[i];
            logLoss -= positive ? Math.log(p) : Math.log(1.0 - p);
            if (positive && !decidedPositive)
            {
                cost += config.feedbackFalseNegativeCost();
            }
            else if (!positive && decidedPositive)
            {
                cost += config.feedbackFalsePositiveCost();
            }
            keys[i] = ((long)sortable(scores[i]) << 1) | labels[i];
        }
        if (size == 0)
        {
            return new VersionAccuracy(spec.version(), 0, 0, threshold, Double.NaN, Double.NaN, Double.NaN);
        }
        Arrays.sort(keys); // by score, the label riding in the low bit
        final double[] sortedScores = new double[size];
        final byte[] sortedLabels = new byte[size];
        for (int i = 0; i < size; i++)
        {
            sortedScores[i] = unsortable((int)(keys[i] >> 1));
            sortedLabels[i] = (byte)(keys[i] & 1);
        }
        return new VersionAccuracy(spec.version(), size, positives, threshold,
            Ranks.auc(sortedScores, sortedLabels, size), logLoss / size, cost / size);
    }

    /** A float's bits turned into an int that orders as the float does, negatives included. */
    private static int sortable(final float value)
    {
        final int bits = Float.floatToIntBits(value);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    private static float unsortable(final int key)
    {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
    }
}
