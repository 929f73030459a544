package io.scoring.monitoring.metrics;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A recorded duration lands in the bucket Prometheus' "le" names: the first bound at least the value. The
 * search starts at the value's power of two; checked here against a plain scan at every bound, either side
 * of it, at every power of two, and at random values, for both sets of bounds the gateway exports.
 */
class DurationHistogramTest
{
    @Test
    void everyValueLandsInTheFirstBucketWhoseBoundIsAtLeastIt()
    {
        for (final long[] bounds : new long[][]{HistogramBounds.REQUEST, HistogramBounds.STAGE})
        {
            final DurationHistogram histogram = new DurationHistogram(bounds);
            for (final long bound : bounds)
            {
                for (long value = bound - 2; value <= bound + 2; value++)
                {
                    assertEquals(firstAtLeast(bounds, value), histogram.bucket(value), "value " + value);
                }
            }
            for (int k = 0; k < Long.SIZE - 1; k++)
            {
                final long power = 1L << k;
                for (final long value : new long[]{power - 1, power, power + 1})
                {
                    assertEquals(firstAtLeast(bounds, value), histogram.bucket(value), "value " + value);
                }
            }
            assertEquals(bounds.length, histogram.bucket(Long.MAX_VALUE), "the +Inf bucket");
            final SplittableRandom random = new SplittableRandom(13);
            for (int i = 0; i < 100_000; i++)
            {
                final long value = random.nextLong(bounds[bounds.length - 1] * 2);
                assertEquals(firstAtLeast(bounds, value), histogram.bucket(value), "value " + value);
            }
        }
    }

    @Test
    void recordedDurationsAreCountedInTheirBucketsAndSummed()
    {
        final DurationHistogram histogram = new DurationHistogram(HistogramBounds.STAGE);
        histogram.record(1_000);      // exactly 1 µs: "le 1e-6"
        histogram.record(1_001);      // just above: "le 2e-6"
        histogram.record(-5);         // a clock going backwards counts as 0
        histogram.record(2_000_000_000L);  // beyond the last bound: +Inf
        final long[] counts = histogram.bucketCounts();
        assertEquals(2, counts[0]);
        assertEquals(1, counts[1]);
        assertEquals(1, counts[counts.length - 1]);
        assertEquals(2.000002001, histogram.sumSeconds(), 1e-12);
    }

    private static int firstAtLeast(final long[] bounds, final long value)
    {
        int i = 0;
        while (i < bounds.length && bounds[i] < value)
        {
            i++;
        }
        return i;
    }
}
