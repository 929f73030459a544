package io.scoring.monitoring.metrics;

/**
 * Histogram bucket upper bounds, in nanoseconds. Prometheus aggregates histograms across replicas only
 * when every replica uses the same bounds, so they are constants, not configuration.
 */
final class HistogramBounds
{
    /**
     * A request: 25 µs to 5 s in 25 buckets, about 6 per decade below 10 ms (1-1.5-2-3-5-7.5) where the
     * gateway's own overhead lives, 5 ms exactly on a bound for the SLO, then 1-2.5-5 above 10 ms.
     */
    static final long[] REQUEST = micros(
        25, 35, 50, 75, 100, 150, 200, 300, 500, 750,
        1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000,
        25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000);

    /** A pipeline stage: decode and encode take single microseconds, so 1 µs to 1 s in 1-2.5-5 steps. */
    static final long[] STAGE = micros(
        1, 2, 5, 10, 25, 50, 100, 250, 500,
        1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000);

    private HistogramBounds()
    {
    }

    private static long[] micros(final long... bounds)
    {
        final long[] nanos = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++)
        {
            nanos[i] = bounds[i] * 1_000L;
        }
        return nanos;
    }
}
