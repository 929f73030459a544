package io.scoring.bench.load;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A {@link Recording} that also keeps what the overload scenario asks of a gateway: how fast refusals at the
 * edge ({@code RESOURCE_EXHAUSTED}) and calls shed from the scoring queue come back, from the moment each was
 * sent, and the latency of successful answers over time, in {@value #BUCKET_MILLIS} ms buckets by completion
 * from the window's start (to see when latency is back to normal after an overload).
 *
 * <p>Thread safety: as {@link Recording}; the buckets are concurrent histograms.
 */
final class OverloadRecording extends Recording
{
    static final int BUCKET_MILLIS = 100;
    static final String REFUSED = "RESOURCE_EXHAUSTED";
    /** A RESOURCE_EXHAUSTED for a call the gateway admitted, then shed from its scoring queue (GrpcTarget). */
    static final String SHED = "RESOURCE_EXHAUSTED_SHED";

    private final long windowStart;
    private final Recorder refused = new Recorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    private final Recorder shed = new Recorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    private final Histogram[] buckets;

    OverloadRecording(final long windowStartNanos, final long windowEndNanos)
    {
        super(windowStartNanos, windowEndNanos, ServerCpu.NONE);
        this.windowStart = windowStartNanos;
        buckets = new Histogram[(int)((windowEndNanos - windowStartNanos) / (BUCKET_MILLIS * 1_000_000L)) + 1];
        for (int i = 0; i < buckets.length; i++)
        {
            buckets[i] = new ConcurrentHistogram(1, HIGHEST_TRACKABLE_NANOS, 2);
        }
    }

    @Override
    public void completed(final long intendedNanos, final long sentNanos, final String error, final int bytes)
    {
        super.completed(intendedNanos, sentNanos, error, bytes);
        final long now = System.nanoTime();
        if (intendedNanos < windowStart)
        {
            return;
        }
        if (REFUSED.equals(error))
        {
            refused.recordValue(Math.min(now - sentNanos, HIGHEST_TRACKABLE_NANOS));
        }
        else if (SHED.equals(error))
        {
            shed.recordValue(Math.min(now - sentNanos, HIGHEST_TRACKABLE_NANOS));
        }
        else if (null == error)
        {
            final int bucket = (int)((now - windowStart) / (BUCKET_MILLIS * 1_000_000L));
            if (bucket < buckets.length)
            {
                buckets[bucket].recordValue(Math.min(now - intendedNanos, HIGHEST_TRACKABLE_NANOS));
            }
        }
    }

    /** Refusals' time from send to answer, nanoseconds; call once, after the run. */
    Histogram refused()
    {
        return refused.getIntervalHistogram();
    }

    /** Shed calls' time from send to answer, nanoseconds; call once, after the run. */
    Histogram shed()
    {
        return shed.getIntervalHistogram();
    }

    /** Successful answers' latency (from intended send) completed in each bucket, nanoseconds. */
    Histogram[] buckets()
    {
        return buckets;
    }
}
