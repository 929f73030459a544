package io.scoring.monitoring;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The table from a record's source id to its {@link SampleSource}. Ids are handed out once and never
 * reused, so a record still queued when its version unloads can never be attributed to another one.
 *
 * <p>Threading: {@link #register} from load-time threads (serialised here), {@link #source} from the
 * monitoring thread. Bounded: {@link #CAPACITY} registrations per process; beyond that registration
 * fails loudly at load time, never on the hot path.
 */
final class SampleSources
{
    /** 65,536 (model, version, role) registrations: years of hourly reloads of a dozen models. */
    static final int CAPACITY = 1 << 16;

    private final AtomicReferenceArray<SampleSource> byId = new AtomicReferenceArray<>(CAPACITY);
    private int next;

    synchronized SampleSource register(final VersionSpec spec, final String role)
    {
        if (next == CAPACITY)
        {
            throw new IllegalStateException("more than " + CAPACITY + " version registrations in one process");
        }
        final SampleSource source = new SampleSource(next, spec, role);
        byId.set(next++, source);
        return source;
    }

    /** Forgets a source: its queued records are skipped from now on. */
    void remove(final SampleSource source)
    {
        byId.compareAndSet(source.id(), source, null);
    }

    SampleSource source(final int id)
    {
        return id >= 0 && id < CAPACITY ? byId.get(id) : null;
    }
}
