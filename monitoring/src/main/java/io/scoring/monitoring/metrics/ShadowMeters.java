package io.scoring.monitoring.metrics;

import io.micrometer.core.instrument.Counter;

/**
 * One model's shadow traffic: requests scored by shadow versions, dropped because the shadow queue
 * was full, and failed; requests whose shadows and sample were shed because the gateway was near its
 * concurrency limit; the queue depth is a gauge over the supplier given at resolution.
 * Threading: any number of threads; allocation-free.
 */
public final class ShadowMeters
{
    private final Counter scored;
    private final Counter dropped;
    private final Counter errors;
    private final Counter shed;

    ShadowMeters(final Counter scored, final Counter dropped, final Counter errors, final Counter shed)
    {
        this.scored = scored;
        this.dropped = dropped;
        this.errors = errors;
        this.shed = shed;
    }

    /** A request answered without its shadows and its sample: background work shed under overload. */
    public void shed()
    {
        shed.increment();
    }

    public void scored()
    {
        scored.increment();
    }

    public void dropped()
    {
        dropped.increment();
    }

    public void failed()
    {
        errors.increment();
    }
}
