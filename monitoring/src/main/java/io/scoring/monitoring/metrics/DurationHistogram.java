package io.scoring.monitoring.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * One labelled child of a Prometheus classic histogram of durations: a count per bucket and the sum,
 * in nanoseconds, exposed in seconds by its {@link HistogramFamily}.
 *
 * <p>Threading: {@link #record} from any number of threads: a search from the value's power of two and two
 * {@link LongAdder} increments (striped cells under contention, created once). No clock read, no max
 * CAS, no lock, no allocation in steady state. Readers ({@link #bucketCounts}) see each adder's
 * current value; a scrape racing a record may see the bucket without the sum, which Prometheus
 * tolerates.
 */
final class DurationHistogram
{
    private final long[] boundsNanos;
    /** Indexed by a value's bit length: where {@link #bucket} starts looking. */
    private final int[] firstOfPowerOfTwo;
    /** One per bound, then the +Inf bucket; not cumulative. */
    private final LongAdder[] buckets;
    private final LongAdder sumNanos = new LongAdder();

    DurationHistogram(final long[] boundsNanos)
    {
        this.boundsNanos = boundsNanos;
        this.firstOfPowerOfTwo = firstOfPowerOfTwo(boundsNanos);
        this.buckets = new LongAdder[boundsNanos.length + 1];
        for (int i = 0; i < buckets.length; i++)
        {
            buckets[i] = new LongAdder();
        }
    }

    void record(final long nanos)
    {
        final long value = Math.max(0L, nanos);
        buckets[bucket(value)].increment();
        sumNanos.add(value);
    }

    /**
     * The first bucket whose upper bound is at least the value: Prometheus' "le". It starts at the first
     * bound of the value's power of two ({@link #firstOfPowerOfTwo}) and steps past the few smaller bounds
     * there (at most two for {@link HistogramBounds}): a binary search's five unpredictable branches per
     * record were 0.2 µs of each request in the profile (docs/PERFORMANCE.md, "Where the rest goes, on a
     * quiet machine").
     */
    int bucket(final long value)
    {
        int i = firstOfPowerOfTwo[Long.SIZE - Long.numberOfLeadingZeros(value)];
        while (i < boundsNanos.length && boundsNanos[i] < value)
        {
            i++;
        }
        return i;
    }

    /**
     * For each bit length k of a value (0 for 0, else 2^(k-1) <= value < 2^k; recorded values are never
     * negative, so k < 64), the first bound at least 2^(k-1): every bound before it is below any value of
     * that length, so the search can start there.
     */
    private static int[] firstOfPowerOfTwo(final long[] boundsNanos)
    {
        final int[] first = new int[Long.SIZE];
        for (int k = 0; k < Long.SIZE; k++)
        {
            final long smallest = k == 0 ? 0L : 1L << (k - 1);
            int i = 0;
            while (i < boundsNanos.length && boundsNanos[i] < smallest)
            {
                i++;
            }
            first[k] = i;
        }
        return first;
    }

    long[] bucketCounts()
    {
        final long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++)
        {
            counts[i] = buckets[i].sum();
        }
        return counts;
    }

    double sumSeconds()
    {
        return sumNanos.sum() / 1e9;
    }
}
