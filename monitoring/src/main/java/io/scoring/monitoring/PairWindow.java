package io.scoring.monitoring;

import io.scoring.monitoring.comparison.ChallengerComparison;

import java.util.Arrays;

/**
 * The last N (champion, challenger) pairs for one challenger: both scores of a row and both versions'
 * scoring times of its request. Threading: the monitoring thread only. Fixed arrays: adding allocates
 * nothing; an evaluation allocates only its result.
 */
final class PairWindow
{
    private static final double NANOS_PER_MICRO = 1_000.0;

    private final String version;
    private final String role;
    private final float[] championScores;
    private final float[] challengerScores;
    private final long[] championNanos;
    private final long[] challengerNanos;
    private final double[] scratchA;
    private final double[] scratchB;
    private int next;
    private int size;
    private String championVersion = "";
    private double threshold;

    PairWindow(final String version, final String role, final int capacity)
    {
        this.version = version;
        this.role = role;
        championScores = new float[capacity];
        challengerScores = new float[capacity];
        championNanos = new long[capacity];
        challengerNanos = new long[capacity];
        scratchA = new double[capacity];
        scratchB = new double[capacity];
    }

    /** One row's pair; the champion's spec gives the version and decision threshold reported. */
    void add(final VersionSpec championSpec, final float champion, final float challenger, final long championTime, final long challengerTime)
    {
        this.championVersion = championSpec.version();
        this.threshold = championSpec.decisionThreshold();
        championScores[next] = champion;
        challengerScores[next] = challenger;
        championNanos[next] = championTime;
        challengerNanos[next] = challengerTime;
        next = next + 1 == championScores.length ? 0 : next + 1;
        size = Math.min(size + 1, championScores.length);
    }

    ChallengerComparison evaluate()
    {
        int agree = 0;
        double deltaSum = 0.0;
        for (int i = 0; i < size; i++)
        {
            if ((championScores[i] >= threshold) == (challengerScores[i] >= threshold))
            {
                agree++;
            }
            final double delta = Math.abs((double)challengerScores[i] - championScores[i]);
            deltaSum += delta;
            scratchA[i] = delta;
        }
        Arrays.sort(scratchA, 0, size);
        final double deltaP95 = Ranks.quantile(scratchA, size, 0.95);

        copySorted(championScores, scratchA);
        copySorted(challengerScores, scratchB);
        final double d = KolmogorovSmirnov.statistic(scratchA, size, scratchB, size);
        final double p = KolmogorovSmirnov.pValue(d, size, size);

        copySorted(championNanos, scratchA);
        copySorted(challengerNanos, scratchB);
        final double p50Diff = (Ranks.quantile(scratchB, size, 0.50) - Ranks.quantile(scratchA, size, 0.50)) / NANOS_PER_MICRO;
        final double p99Diff = (Ranks.quantile(scratchB, size, 0.99) - Ranks.quantile(scratchA, size, 0.99)) / NANOS_PER_MICRO;

        return new ChallengerComparison(version, role, championVersion, size, threshold,
            agree / (double)size, deltaSum / size, deltaP95, d, p, p50Diff, p99Diff);
    }

    private void copySorted(final float[] from, final double[] to)
    {
        for (int i = 0; i < size; i++)
        {
            to[i] = from[i];
        }
        Arrays.sort(to, 0, size);
    }

    private void copySorted(final long[] from, final double[] to)
    {
        for (int i = 0; i < size; i++)
        {
            to[i] = from[i];
        }
        Arrays.sort(to, 0, size);
    }
}
