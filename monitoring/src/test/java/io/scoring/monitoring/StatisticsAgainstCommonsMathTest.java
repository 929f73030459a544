package io.scoring.monitoring;

import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Our statistics against Apache Commons Math 3.6.1 on the same samples. Tolerance 1e-9 absolute:
 * the statistics are the same arithmetic; the p-values differ only by the last bits of the gamma
 * functions' series.
 */
class StatisticsAgainstCommonsMathTest
{
    private static final double TOLERANCE = 1e-9;

    @Test
    void shouldMatchCommonsMathKolmogorovSmirnovOnShiftedNormals()
    {
        final Random random = new Random(7);
        for (final double shift : new double[] {0.0, 0.05, 0.1, 0.2, 0.5})
        {
            final double[] a = normals(random, 700, 0.0);
            final double[] b = normals(random, 300, shift);
            assertKsMatches(a, b);
        }
    }

    @Test
    void shouldMatchCommonsMathKolmogorovSmirnovWithHeavyTies()
    {
        final Random random = new Random(11);
        final double[] a = new double[500];
        final double[] b = new double[400];
        for (int i = 0; i < a.length; i++)
        {
            a[i] = random.nextInt(4) + 1; // like installment_commitment: 1..4
        }
        for (int i = 0; i < b.length; i++)
        {
            b[i] = random.nextInt(5) + 1;
        }
        assertKsMatches(a, b);
    }

    @Test
    void shouldMatchCommonsMathChiSquaredGoodnessOfFit()
    {
        final double[] expected = {0.25, 0.10, 0.30, 0.05, 0.30};
        final long[][] observations = {
            {26, 9, 31, 4, 30},      // close to expected
            {10, 30, 30, 5, 25},     // far off
            {250, 101, 297, 52, 300},
        };
        for (final long[] observed : observations)
        {
            final double statistic = ChiSquared.statistic(expected, observed, expected.length);
            assertEquals(new ChiSquareTest().chiSquare(expected, observed), statistic, TOLERANCE);
            assertEquals(new ChiSquareTest().chiSquareTest(expected, observed),
                ChiSquared.pValue(statistic, expected.length - 1), TOLERANCE);
        }
    }

    @Test
    void shouldMatchCommonsMathTwoSampleChiSquared()
    {
        final long[] reference = {274, 63, 394, 50, 219}; // unequal totals: the weighted form
        final long[][] windows = {{120, 25, 160, 20, 75}, {40, 90, 100, 20, 50}, {274, 63, 394, 50, 219}};
        for (final long[] window : windows)
        {
            final double statistic = ChiSquared.twoSampleStatistic(reference, window, reference.length);
            final ChiSquareTest commons = new ChiSquareTest();
            assertEquals(commons.chiSquareDataSetsComparison(reference, window), statistic, TOLERANCE);
            assertEquals(commons.chiSquareTestDataSetsComparison(reference, window),
                ChiSquared.pValue(statistic, ChiSquared.nonEmptyCategories(reference, window, reference.length) - 1),
                TOLERANCE);
        }
    }

    @Test
    void shouldMatchCommonsMathChiSquaredTailAcrossDegreesOfFreedom()
    {
        for (int df = 1; df <= 30; df += 3)
        {
            for (final double x : new double[] {0.01, 0.5, 1.0, 3.0, 10.0, 25.0, 60.0})
            {
                final double commons = 1.0 - new org.apache.commons.math3.distribution.ChiSquaredDistribution(df)
                    .cumulativeProbability(x);
                assertEquals(commons, ChiSquared.pValue(x, df), TOLERANCE, "df=" + df + ", x=" + x);
            }
        }
    }

    private static void assertKsMatches(final double[] a, final double[] b)
    {
        final double[] sortedA = a.clone();
        final double[] sortedB = b.clone();
        Arrays.sort(sortedA);
        Arrays.sort(sortedB);
        final KolmogorovSmirnovTest commons = new KolmogorovSmirnovTest();
        final double d = KolmogorovSmirnov.statistic(sortedA, a.length, sortedB, b.length);
        assertEquals(commons.kolmogorovSmirnovStatistic(a, b), d, TOLERANCE);
        // n * m >= 10,000: Commons uses the asymptotic distribution, as we do
        assertEquals(commons.kolmogorovSmirnovTest(a, b), KolmogorovSmirnov.pValue(d, a.length, b.length), TOLERANCE);
    }

    private static double[] normals(final Random random, final int n, final double mean)
    {
        final double[] values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = mean + random.nextGaussian();
        }
        return values;
    }
}
