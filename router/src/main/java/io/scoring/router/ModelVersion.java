package io.scoring.router;

import io.scoring.router.runtime.Scorer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded, validated and warmed-up version of a model, ready to score.
 *
 * <p>Requests hold it between {@link #acquire} and {@link #release}; {@link #retire} closes its runtime
 * only once no request holds it, so an unload never pulls a runtime from under a request in flight.
 * The handshake: a request increments, then checks {@code retiring}; retire sets {@code retiring}, then
 * waits for the count to reach zero. Either the request sees the flag and backs off, or retire sees
 * the request and waits.
 */
public final class ModelVersion
{
    private final String model;
    private final String version;
    private final Scorer scorer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean retiring;
    private volatile Object attachment;

    public ModelVersion(final String model, final String version, final Scorer scorer)
    {
        this.model = model;
        this.version = version;
        this.scorer = scorer;
    }

    public String model()
    {
        return model;
    }

    public String version()
    {
        return version;
    }

    public Scorer scorer()
    {
        return scorer;
    }

    public String runtimeName()
    {
        return scorer.runtimeName();
    }

    /**
     * Attaches the gateway's per-version state (its meters) so the request path reaches it with a field
     * load rather than a lookup. Set once, before the version takes traffic.
     */
    public void attach(final Object attachment)
    {
        this.attachment = attachment;
    }

    public Object attachment()
    {
        return attachment;
    }

    /** Takes a hold for one request; false when the version is being retired (route again). */
    boolean acquire()
    {
        inFlight.incrementAndGet();
        if (retiring)
        {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back a hold taken by {@link #acquire}. */
    public void release()
    {
        inFlight.decrementAndGet();
    }

    /** Refuses new holds, waits for the ones out, then closes the runtime. Called off the request path. */
    void retire()
    {
        retiring = true;
        while (inFlight.get() > 0)
        {
            Thread.onSpinWait();
            Thread.yield();
        }
        scorer.close();
    }
}
