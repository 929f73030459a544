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
    /** What is attached, at each key's {@link AttachmentKey#index}; null where nothing is. Copied on write. */
    private volatile Object[] attached = new Object[0];

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
     * Attaches the gateway's per-version state (its meters, the rollout's request windows) so the request
     * path reaches it with two loads rather than a lookup. Set before the
     * version takes traffic; attaching under a key again replaces that key's value. Copy on write: a
     * reader sees the old set of attachments or the new one, whole.
     */
    public synchronized <T> void attach(final AttachmentKey<T> key, final T value)
    {
        final Object[] next = java.util.Arrays.copyOf(attached, Math.max(attached.length, key.index + 1));
        next[key.index] = key.type.cast(value);
        attached = next;
    }

    /**
     * What is attached under {@code key}, or null when nothing is: one array load at the key's index, on every
     * request (its meters, its rollout window) and every shadow result. It was a scan of the attachments
     * comparing keys, which the profile of docs/PERFORMANCE.md ("Where the rest goes", December 7th) put at
     * 0.25 µs per request on each of the event loop and the shadow thread. No type check of its own:
     * {@link #attach} checked the value against the key's type, and the caller's cast is to its static type.
     */
    @SuppressWarnings("unchecked")
    public <T> T attachment(final AttachmentKey<T> key)
    {
        final Object[] current = attached;
        return key.index < current.length ? (T)current[key.index] : null;
    }

    /**
     * The type of what {@link #attach} hangs on a version, so the reader gets it back typed, without a
     * cast: the owner declares one {@code static final} key and uses it on both sides.
     */
    public static final class AttachmentKey<T>
    {
        private static final AtomicInteger KEYS = new AtomicInteger();

        private final String name;
        private final Class<T> type;
        /** This key's slot in every version's attachments: keys are few, static and made once. */
        private final int index = KEYS.getAndIncrement();

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
