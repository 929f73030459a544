package io.scoring.monitoring;

import org.agrona.concurrent.Agent;

/**
 * The monitoring thread's duty cycle: consume sampled requests (payload log, drift, comparison), give
 * every sink its tick, and close the latency recorders' interval on schedule. On close it drains the
 * sample queue to the end and closes the sinks, so nothing accepted is lost.
 *
 * <p>Threading: runs on its own thread under an Agrona {@code AgentRunner}; everything it drives is
 * touched by no other thread except through their documented thread-safe sides.
 */
final class MonitoringAgent implements Agent
{
    private final SampleConsumer consumer;
    private final LatencyRecorders latency;
    private long nextRollMillis;

    MonitoringAgent(final SampleConsumer consumer, final LatencyRecorders latency)
    {
        this.consumer = consumer;
        this.latency = latency;
        this.nextRollMillis = System.currentTimeMillis() + latency.intervalMillis();
    }

    @Override
    public int doWork()
    {
        final int work = consumer.poll();
        final long now = System.currentTimeMillis();
        consumer.tick(now);
        if (now >= nextRollMillis)
        {
            latency.rollIntervals();
            nextRollMillis = now + latency.intervalMillis();
        }
        return work;
    }

    @Override
    public void onClose()
    {
        consumer.close();
    }

    @Override
    public String roleName()
    {
        return "scoring-monitoring";
    }
}
