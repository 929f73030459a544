package io.scoring.gateway.rollout;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The last {@code capacity} requests one version answered in one role (champion or canary): each one's
 * latency, score and entity (a hash of its key), or that the model failed it; and how many requests and failures there were since
 * the version loaded. The rollout judge reads a step's requests by sequence number: every request since
 * the step's {@link #mark}, or the last {@code capacity} of them when there were more.
 *
 * <p>Threading: {@link #record} from any number of request threads, wait-free and allocation-free. A
 * writer claims a slot ({@code getAndIncrement}), marks it unpublished, fills it, then publishes the
 * slot's sequence number. The one reader (the rollout thread) copies a slot only when its published
 * sequence is the one it expects before and after the copy, so a slot being overwritten is skipped,
 * never read torn. Bounded: the ring's size is fixed at load.
 */
final class RequestWindow
{
    private static final long UNPUBLISHED = -1L;
    /** The entity of a request without a key: every such request counts as an entity of its own. */
    static final long NO_ENTITY = 0L;

    private final int mask;
    private final long[] latencyNanos;
    private final float[] scores;
    private final long[] entities;
    private final boolean[] failed;
    private final AtomicLongArray published;
    private final AtomicLong claimed = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /** @param capacity a power of two */
    RequestWindow(final int capacity)
    {
        mask = capacity - 1;
        latencyNanos = new long[capacity];
        scores = new float[capacity];
        entities = new long[capacity];
        failed = new boolean[capacity];
        published = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++)
        {
            published.set(i, UNPUBLISHED);
        }
    }

    /**
     * One answered request; {@code score} is read only when the model did not fail.
     *
     * @param entity a hash of the request's entity key; {@link #NO_ENTITY} for a request without one
     */
    void record(final boolean modelFailed, final long nanos, final float score, final long entity)
    {
        if (modelFailed)
        {
            failures.incrementAndGet();
        }
        final long sequence = claimed.getAndIncrement();
        final int slot = (int)(sequence & mask);
        published.set(slot, UNPUBLISHED);
        VarHandle.storeStoreFence(); // the slot reads unpublished before any of its fields change
        latencyNanos[slot] = nanos;
        scores[slot] = score;
        entities[slot] = entity;
        failed[slot] = modelFailed;
        published.setRelease(slot, sequence);
    }

    /** Where a step begins: the requests and failures counted so far. */
    record Mark(long requests, long failures)
    {
    }

    Mark mark()
    {
        return new Mark(claimed.get(), failures.get());
    }

    /** How many requests there were since {@code from}, without copying them. */
    long requestsSince(final Mark from)
    {
        return claimed.get() - from.requests();
    }

    /** The requests since {@code from}: their count, failures, and the successful ones' latencies and scores. */
    Slice since(final Mark from)
    {
        final long to = claimed.get();
        final long requests = to - from.requests();
        final long failed = failures.get() - from.failures();
        final long first = Math.max(from.requests(), to - (mask + 1));
        final double[] latencies = new double[(int)(to - first)];
        final double[] okScores = new double[latencies.length];
        final long[] okEntities = new long[latencies.length];
        int n = 0;
        for (long sequence = first; sequence < to; sequence++)
        {
            final int slot = (int)(sequence & mask);
            if (published.getAcquire(slot) != sequence)
            {
                continue; // still being written, or already overwritten
            }
            final long nanos = latencyNanos[slot];
            final float score = scores[slot];
            final long entity = entities[slot];
            final boolean slotFailed = this.failed[slot];
            VarHandle.loadLoadFence();
            if (published.getAcquire(slot) != sequence || slotFailed)
            {
                continue;
            }
            latencies[n] = nanos;
            okScores[n] = score;
            okEntities[n] = entity;
            n++;
        }
        return new Slice(requests, failed, java.util.Arrays.copyOf(latencies, n), java.util.Arrays.copyOf(okScores, n),
            java.util.Arrays.copyOf(okEntities, n));
    }

    /**
     * A step's requests in one role.
     *
     * @param requests   every request since the mark, failed or not
     * @param failures   those the model failed
     * @param latencies  nanoseconds of the successful ones the ring still held
     * @param scores     their first score, in the same order
     * @param entities   their entities, in the same order
     */
    record Slice(long requests, long failures, double[] latencies, double[] scores, long[] entities)
    {
        /**
         * One score per entity (its first): the router assigns entities, not requests, to the canary, so
         * a cohort's scores are a sample of entities. Counting an entity seen ten times as ten draws
         * makes chance differences between the cohorts look significant.
         */
        double[] scoresPerEntity()
        {
            final java.util.Set<Long> seen = new java.util.HashSet<>();
            final double[] distinct = new double[scores.length];
            int n = 0;
            for (int i = 0; i < scores.length; i++)
            {
                if (entities[i] == NO_ENTITY || seen.add(entities[i]))
                {
                    distinct[n++] = scores[i];
                }
            }
            return java.util.Arrays.copyOf(distinct, n);
        }

        double failureRate()
        {
            return requests == 0 ? 0.0 : failures / (double)requests;
        }
    }
}
