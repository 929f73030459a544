package io.scoring.monitoring;

/**
 * Something the monitoring thread feeds every sampled request to: the payload log, drift, comparison.
 * Threading: all three callbacks come from the monitoring thread only, so a sink needs no locking for
 * its own state (what it publishes to other threads it publishes safely).
 */
interface SampleSink
{
    void onSample(Sample sample);

    /** Called on every pass of the monitoring thread's loop, busy or idle: time-driven work goes here. */
    default void onTick(final long epochMillis)
    {
    }

    /** The queue is drained and closed: flush and release. */
    default void onClose()
    {
    }
}
