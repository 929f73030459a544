package io.scoring.gateway.rollout;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last {@code capacity} requests one version answered in one role (champion or canary), per thread
 * that answers them: each one's latency, score and entity (a hash of its key), or that the model failed
 * it; and how many requests and failures there were since the version loaded. The rollout judge reads a
 * step's requests by sequence number: every request since the step's {@link #mark}, or the last
 * {@code capacity} of each thread's when there were more.
 *
 * <p>Striped by thread: each event loop (or scoring thread) records into a ring of its own, so two
 * cores answering the same version do not contend for one counter and one array's cache lines
 * ({@code RolloutRecordBenchmark}, two threads: 397 ns per request with one shared ring, 20 ns striped).
 * A thread gets its stripe once, in the order threads first record; up to {@link #STRIPES}
 * rings, so the event loops of a machine of up to that many cores each have their own, and a ring is
 * made only when a thread first answers in this window (one gRPC connection is one event loop: one ring).
 *
 * <p>Threading: {@link #record} from any number of request threads, wait-free, and allocation-free after
 * a thread's first request in the window (which makes its ring). A
 * writer claims a slot of its ring ({@code getAndIncrement}), marks it unpublished, fills it, then
 * publishes the slot's sequence number. The one reader (the rollout thread) copies a slot only when its
 * published sequence is the one it expects before and after the copy, so a slot being overwritten (two
 * threads sharing a stripe) is skipped, never read torn. Bounded: {@link #STRIPES} rings of a fixed size.
 */
final class RequestWindow
{
    /** Rings per window: a power of two, the cores of the machines this runs on, up to 8. */
    static final int STRIPES = Math.min(8, Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1));
    private static final long UNPUBLISHED = -1L;
    /** The entity of a request without a key: every such request counts as an entity of its own. */
    static final long NO_ENTITY = 0L;
    private static final java.util.concurrent.atomic.AtomicInteger THREADS = new java.util.concurrent.atomic.AtomicInteger();
    /** Each thread's stripe, the same in every window: the order in which threads first recorded. */
    private static final ThreadLocal<Integer> STRIPE_OF_THREAD = ThreadLocal.withInitial(() -> THREADS.getAndIncrement() & (STRIPES - 1));

    private final int capacity;
    /** Made by a stripe's first request, so a window costs only the rings of the threads that answer it. */
    private final AtomicReferenceArray<Ring> rings = new AtomicReferenceArray<>(STRIPES);

    /** @param capacity a power of two: each thread's ring */
    RequestWindow(final int capacity)
    {
        this.capacity = capacity;
    }

    /**
     * One answered request; {@code score} is read only when the model did not fail.
     *
     * @param entity a hash of the request's entity key; {@link #NO_ENTITY} for a request without one
     */
    void record(final boolean modelFailed, final long nanos, final float score, final long entity)
    {
        final int stripe = STRIPE_OF_THREAD.get();
        Ring ring = rings.get(stripe);
        if (null == ring)
        {
            // once per thread and window: the first request a thread answers in this version and role
            rings.compareAndSet(stripe, null, new Ring(capacity));
            ring = rings.get(stripe);
        }
        ring.record(modelFailed, nanos, score, entity);
    }

    /** Where a step begins: the requests and failures counted so far, per ring. */
    record Mark(long[] requests, long[] failures)
    {
    }

    Mark mark()
    {
        final long[] requests = new long[STRIPES];
        final long[] failures = new long[STRIPES];
        for (int i = 0; i < STRIPES; i++)
        {
            final Ring ring = rings.get(i);
            if (null != ring)
            {
                requests[i] = ring.claimed.get();
                failures[i] = ring.failures.get();
            }
        }
        return new Mark(requests, failures);
    }

    /** How many requests there were since {@code from}, without copying them. */
    long requestsSince(final Mark from)
    {
        long requests = 0;
        for (int i = 0; i < STRIPES; i++)
        {
            final Ring ring = rings.get(i);
            requests += null == ring ? 0 : ring.claimed.get() - from.requests()[i];
        }
        return requests;
    }

    /** The requests since {@code from}: their count, failures, and the successful ones' latencies and scores. */
    Slice since(final Mark from)
    {
        final List<Slice> slices = new ArrayList<>(STRIPES);
        for (int i = 0; i < STRIPES; i++)
        {
            final Ring ring = rings.get(i);
            if (null != ring)
            {
                slices.add(ring.since(from.requests()[i], from.failures()[i]));
            }
        }
        return WindowParts.merge(slices);
    }

    /** One thread's (one stripe's) requests. */
    private static final class Ring
    {
        private final int mask;
        private final long[] latencyNanos;
        private final float[] scores;
        private final long[] entities;
        private final boolean[] failed;
        private final AtomicLongArray published;
        private final AtomicLong claimed = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();

        Ring(final int capacity)
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

        Slice since(final long fromRequests, final long fromFailures)
        {
            final long to = claimed.get();
            final long requests = to - fromRequests;
            final long failedSince = failures.get() - fromFailures;
            final long first = Math.max(fromRequests, to - (mask + 1));
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
            return new Slice(requests, failedSince, Arrays.copyOf(latencies, n), Arrays.copyOf(okScores, n),
                Arrays.copyOf(okEntities, n));
        }
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
