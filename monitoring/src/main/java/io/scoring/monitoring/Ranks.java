package io.scoring.monitoring;

/**
 * Order statistics over sorted samples: nearest-rank quantiles and the area under the ROC curve.
 *
 * <p>Threading: stateless. Allocates nothing: callers pass arrays they own and have sorted.
 */
final class Ranks
{
    private Ranks()
    {
    }

    /** The nearest-rank q-quantile (0 < q <= 1) of the first n values of an ascending array. */
    static double quantile(final double[] sorted, final int n, final double q)
    {
        if (n == 0)
        {
            return Double.NaN;
        }
        final int rank = (int)Math.ceil(q * n);
        return sorted[Math.max(0, Math.min(n, rank) - 1)];
    }

    /**
     * Exact AUC, the Mann-Whitney U over both classes: the probability that a random positive scores
     * above a random negative, ties counting one half. {@code scores} ascending with {@code labels}
     * (1 positive, 0 negative) in the same order. NaN when either class is absent.
     */
    static double auc(final double[] scores, final byte[] labels, final int n)
    {
        long positives = 0;
        double positiveRankSum = 0.0;
        int i = 0;
        while (i < n)
        {
            int j = i;
            long tiedPositives = 0;
            while (j < n && scores[j] == scores[i])
            {
                tiedPositives += labels[j];
                j++;
            }
            final double averageRank = (i + 1 + j) / 2.0; // ranks i+1 .. j share their mean
            positiveRankSum += tiedPositives * averageRank;
            positives += tiedPositives;
            i = j;
        }
        final long negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return Double.NaN;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
