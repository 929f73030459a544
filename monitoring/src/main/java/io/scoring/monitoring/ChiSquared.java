package io.scoring.monitoring;

/**
 * Pearson's chi-squared tests and their tail probability:
 * <ul>
 * <li>goodness of fit of counts against known proportions ({@link #statistic}), as Apache Commons
 * Math 3's {@code ChiSquareTest.chiSquare(double[], long[])}: the proportions scaled to the total;</li>
 * <li>homogeneity of two sets of counts ({@link #twoSampleStatistic}), as Commons'
 * {@code chiSquareDataSetsComparison}: whether both were drawn from one distribution, neither's
 * proportions taken as exact. Drift uses this one: the reference shares are themselves estimated from
 * the training rows, and testing against them as if exact understates the variance by a factor
 * (1 + n / N) for a window of n and a reference of N rows, which turns noise into alarms.</li>
 * </ul>
 *
 * <p>Threading: stateless. Allocates nothing.
 */
final class ChiSquared
{
    private ChiSquared()
    {
    }

    /**
     * The statistic sum((o - e)^2 / e) over the first {@code k} cells, with e = total * expected[i] /
     * sum(expected). Every expected value must be positive.
     */
    static double statistic(final double[] expected, final long[] observed, final int k)
    {
        double sumExpected = 0.0;
        double sumObserved = 0.0;
        for (int i = 0; i < k; i++)
        {
            if (!(expected[i] > 0.0))
            {
                throw new IllegalArgumentException("expected[" + i + "] must be positive: " + expected[i]);
            }
            sumExpected += expected[i];
            sumObserved += observed[i];
        }
        final double ratio = sumObserved / sumExpected;
        double statistic = 0.0;
        for (int i = 0; i < k; i++)
        {
            final double e = ratio * expected[i];
            final double deviation = observed[i] - e;
            statistic += deviation * deviation / e;
        }
        return statistic;
    }

    /**
     * The two-sample statistic over the first {@code k} categories; categories empty in both samples
     * are skipped (they carry no information), see {@link #nonEmptyCategories}.
     */
    static double twoSampleStatistic(final long[] observed1, final long[] observed2, final int k)
    {
        long sum1 = 0;
        long sum2 = 0;
        for (int i = 0; i < k; i++)
        {
            sum1 += observed1[i];
            sum2 += observed2[i];
        }
        if (sum1 == 0 || sum2 == 0)
        {
            throw new IllegalArgumentException("both samples need counts: " + sum1 + ", " + sum2);
        }
        final double weight = Math.sqrt((double)sum1 / (double)sum2);
        double statistic = 0.0;
        for (int i = 0; i < k; i++)
        {
            final long both = observed1[i] + observed2[i];
            if (both == 0)
            {
                continue;
            }
            final double deviation = sum1 == sum2 ?
                observed1[i] - observed2[i] : observed1[i] / weight - observed2[i] * weight;
            statistic += deviation * deviation / both;
        }
        return statistic;
    }

    /** Categories with a count in either sample: the two-sample test's degrees of freedom plus one. */
    static int nonEmptyCategories(final long[] observed1, final long[] observed2, final int k)
    {
        int categories = 0;
        for (int i = 0; i < k; i++)
        {
            categories += observed1[i] + observed2[i] > 0 ? 1 : 0;
        }
        return categories;
    }

    /** P(X >= statistic) for X chi-squared with the given degrees of freedom. */
    static double pValue(final double statistic, final int degreesOfFreedom)
    {
        if (degreesOfFreedom < 1)
        {
            throw new IllegalArgumentException("degrees of freedom must be at least 1: " + degreesOfFreedom);
        }
        return Gamma.regularizedGammaQ(degreesOfFreedom / 2.0, statistic / 2.0);
    }
}
