package io.scoring.monitoring.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * One labelled child of a Prometheus classic histogram of durations: a count per bucket and the sum,
 * in nanoseconds, exposed in seconds by its {@link HistogramFamily}.
 *
 * <p>Threading: {@link #record} from any number of threads: a binary search over the bounds and two
 * {@link LongAdder} increments (striped cells under contention, created once). No clock read, no max
 * CAS, no lock, no allocation in steady state. Readers ({@link #bucketCounts}) see each adder's
 * current value; a scrape racing a record may see the bucket without the sum, which Prometheus
 * tolerates.
 */
final class DurationHistogram
{
    private final long[] boundsNanos;
    /** One per bound, then the +Inf bucket; not cumulative. */
    private final LongAdder[] buckets;
    private final LongAdder sumNanos = new LongAdder();

    DurationHistogram(final long[] boundsNanos)
    {
        this.boundsNanos = boundsNanos;
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

    /** The first bucket whose upper bound is at least the value: Prometheus' "le". */
    private int bucket(final long value)
    {
        int low = 0;
        int high = boundsNanos.length;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (boundsNanos[mid] < value)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
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
