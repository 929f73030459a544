package io.scoring.monitoring;

/**
 * The two-sample Kolmogorov-Smirnov test: the statistic D = sup |F1(x) - F2(x)| over sorted samples
 * (ties handled: both empirical CDFs step past a shared value before they are compared), and its
 * p-value from the asymptotic Kolmogorov distribution
 * {@code P(K > t) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 t^2)}, t = D sqrt(n m / (n + m)).
 *
 * <p>That is the same statistic and p-value Apache Commons Math 3 ({@code KolmogorovSmirnovTest})
 * computes whenever n m >= 10,000; below that Commons switches to the exact distribution, which this
 * class does not implement (the callers' windows and reference samples keep n m above 10,000, and the
 * asymptotic p-value is slightly conservative for small samples, so it errs toward no alarm).
 *
 * <p>Threading: stateless. Allocates nothing: callers pass sorted arrays they own.
 *
 * <p>Public for one more caller: the gateway's rollout judge compares a canary's scores with the
 * champion's by the same statistic.
 */
public final class KolmogorovSmirnov
{
    /** Commons Math's stopping rule for the alternating series. */
    private static final double SERIES_TOLERANCE = 1e-20;
    /** Commons Math's cap on the series' terms. */
    private static final int MAX_SERIES_TERMS = 100_000;

    private KolmogorovSmirnov()
    {
    }

    /** D for the first n values of sorted a and the first m values of sorted b; both ascending. */
    public static double statistic(final double[] a, final int n, final double[] b, final int m)
    {
        if (n == 0 || m == 0)
        {
            throw new IllegalArgumentException("both samples need values: n=" + n + ", m=" + m);
        }
        int i = 0;
        int j = 0;
        long supremum = 0;
        while (i < n && j < m)
        {
            final double value = Math.min(a[i], b[j]);
            while (i < n && a[i] == value)
            {
                i++;
            }
            while (j < m && b[j] == value)
            {
                j++;
            }
            supremum = Math.max(supremum, Math.abs((long)i * m - (long)j * n));
        }
        return supremum / ((double)n * m);
    }

    /** The asymptotic p-value of D for samples of sizes n and m. */
    public static double pValue(final double d, final int n, final int m)
    {
        final double t = d * Math.sqrt(((double)n * m) / ((double)n + m));
        if (t == 0.0)
        {
            return 1.0;
        }
        final double x = -2.0 * t * t;
        int sign = -1;
        long k = 1;
        double partialSum = 0.5;
        double delta = 1.0;
        while (delta > SERIES_TOLERANCE && k < MAX_SERIES_TERMS)
        {
            delta = Math.exp(x * k * k);
            partialSum += sign * delta;
            sign = -sign;
            k++;
        }
        return 1.0 - 2.0 * partialSum;
    }
}
