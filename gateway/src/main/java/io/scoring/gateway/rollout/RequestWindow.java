package io.scoring.gateway.rollout;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The last {@code capacity} requests one version answered in one role (champion or canary): each one's
 * latency and score, or that the model failed it; and how many requests and failures there were since
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

    private final int mask;
    private final long[] latencyNanos;
    private final float[] scores;
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
        failed = new boolean[capacity];
        published = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++)
        {
            published.set(i, UNPUBLISHED);
        }
    }

    /** One answered request; {@code score} is read only when the model did not fail. */
    void record(final boolean modelFailed, final long nanos, final float score)
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

    /** The requests since {@code from}: their count, failures, and the successful ones' latencies and scores. */
    Slice since(final Mark from)
    {
        final long to = claimed.get();
        final long requests = to - from.requests();
        final long failed = failures.get() - from.failures();
        final long first = Math.max(from.requests(), to - (mask + 1));
        final double[] latencies = new double[(int)(to - first)];
        final double[] okScores = new double[latencies.length];
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
            final boolean slotFailed = this.failed[slot];
            VarHandle.loadLoadFence();
            if (published.getAcquire(slot) != sequence || slotFailed)
            {
                continue;
            }
            latencies[n] = nanos;
            okScores[n] = score;
            n++;
        }
        return new Slice(requests, failed, java.util.Arrays.copyOf(latencies, n), java.util.Arrays.copyOf(okScores, n));
    }

    /**
     * A step's requests in one role.
     *
     * @param requests   every request since the mark, failed or not
     * @param failures   those the model failed
     * @param latencies  nanoseconds of the successful ones the ring still held
     * @param scores     their first score, in the same order
     */
    record Slice(long requests, long failures, double[] latencies, double[] scores)
    {
        double failureRate()
        {
            return requests == 0 ? 0.0 : failures / (double)requests;
        }
    }
}
