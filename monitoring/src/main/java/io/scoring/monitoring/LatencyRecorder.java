package io.scoring.monitoring;

import io.scoring.monitoring.latency.Percentiles;
import io.scoring.monitoring.latency.VersionLatency;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies of one (model, version, role), in nanoseconds, in an HdrHistogram {@link Recorder}.
 *
 * <p>Threading: {@link #record} is wait-free and safe from any number of threads (the Recorder's
 * writer side). {@link #roll} and {@link #snapshot} are the reader side, serialised on this object:
 * {@code roll} swaps the Recorder's active histogram for the one it recycled last time, adds the
 * finished interval into the since-start histogram and keeps it as "the last interval". Four
 * histograms exist for the life of the recorder (two in the Recorder, the last interval, the
 * cumulative), so steady state allocates nothing on either side except the snapshot's result.
 *
 * <p>Never on the hot path: resizing (the range is fixed, values above {@link #HIGHEST_TRACKABLE_NANOS}
 * are clamped to it and so show as the max), locking, allocating.
 */
final class LatencyRecorder
{
    /** Values above a minute are clamped: a request that slow is an outage, its exact size moot. */
    static final long HIGHEST_TRACKABLE_NANOS = 60_000_000_000L;
    /** 3 digits: every percentile within 0.1 % of the true value (1 µs at 1 ms). */
    static final int SIGNIFICANT_DIGITS = 3;

    private static final double NANOS_PER_MICRO = 1_000.0;

    private final String version;
    private final String role;
    private final Recorder recorder = new Recorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    private final Histogram sinceStart = new Histogram(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    /** Null until the first roll: a Recorder accepts only its own histograms back for recycling. */
    private Histogram lastInterval;

    LatencyRecorder(final String version, final String role)
    {
        this.version = version;
        this.role = role;
    }

    /** Records one latency. Wait-free, allocation-free. */
    void record(final long nanos)
    {
        recorder.recordValue(Math.max(0L, Math.min(nanos, HIGHEST_TRACKABLE_NANOS)));
    }

    String version()
    {
        return version;
    }

    String role()
    {
        return role;
    }

    /** Closes the current interval: it becomes the last interval and is added to since-start. */
    synchronized void roll()
    {
        final Histogram finished = recorder.getIntervalHistogram(lastInterval);
        sinceStart.add(finished);
        lastInterval = finished;
    }

    /** Percentiles of the last closed interval and since start, in microseconds. */
    synchronized VersionLatency snapshot()
    {
        if (null == lastInterval)
        {
            return new VersionLatency(version, role, percentiles(sinceStart), percentiles(sinceStart), 0, 0);
        }
        return new VersionLatency(version, role,
            percentiles(lastInterval), percentiles(sinceStart),
            lastInterval.getStartTimeStamp(), lastInterval.getEndTimeStamp());
    }

    private static Percentiles percentiles(final Histogram histogram)
    {
        if (histogram.getTotalCount() == 0)
        {
            return new Percentiles(0, 0, 0, 0, 0, 0);
        }
        return new Percentiles(
            histogram.getTotalCount(),
            micros(histogram.getValueAtPercentile(50.0)),
            micros(histogram.getValueAtPercentile(90.0)),
            micros(histogram.getValueAtPercentile(99.0)),
            micros(histogram.getValueAtPercentile(99.9)),
            micros(histogram.getMaxValue()));
    }

    private static double micros(final long nanos)
    {
        return nanos / NANOS_PER_MICRO;
    }
}
