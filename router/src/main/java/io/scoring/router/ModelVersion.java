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
    private volatile Attached<?> attached;

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
     * load rather than a lookup. Set once, before the version takes traffic; one key per version, because
     * one owner (the gateway's monitoring) attaches.
     *
     * @throws IllegalStateException when a value under another key is already attached
     */
    public <T> void attach(final AttachmentKey<T> key, final T value)
    {
        final Attached<?> current = attached;
        if (null != current && current.key != key)
        {
            throw new IllegalStateException(model + " " + version + " already carries " + current.key.name +
                ", cannot also carry " + key.name);
        }
        attached = new Attached<>(key, key.type.cast(value));
    }

    /** What is attached under {@code key}, or null when nothing is. Allocation-free. */
    public <T> T attachment(final AttachmentKey<T> key)
    {
        final Attached<?> current = attached;
        return null != current && current.key == key ? key.type.cast(current.value) : null;
    }

    /**
     * The type of what {@link #attach} hangs on a version, so the reader gets it back typed, without a
     * cast: the owner declares one {@code static final} key and uses it on both sides.
     */
    public static final class AttachmentKey<T>
    {
        private final String name;
        private final Class<T> type;

        public AttachmentKey(final String name, final Class<T> type)
        {
            this.name = name;
            this.type = type;
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    /** The key and its value, published together by one volatile write. */
    private record Attached<T>(AttachmentKey<T> key, T value)
    {
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
