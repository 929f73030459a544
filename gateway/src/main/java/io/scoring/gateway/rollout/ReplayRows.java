package io.scoring.gateway.rollout;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The last {@code capacity} sampled input rows of one model, whichever version answered them: what the
 * replay gate scores with the candidate and the champion before the candidate takes live traffic.
 * A request's first row only (a batch is one request).
 *
 * <p>Threading: as {@link RequestWindow}: writers wait-free and allocation-free (a slot claimed, marked
 * unpublished, filled, published), one reader that copies only slots whose sequence holds still.
 */
final class ReplayRows
{
    private static final long UNPUBLISHED = -1L;

    private final int capacity;
    private final int featureCount;
    private final float[] rows;
    private final AtomicLongArray published;
    private final AtomicLong claimed = new AtomicLong();

    ReplayRows(final int capacity, final int featureCount)
    {
        this.capacity = capacity;
        this.featureCount = featureCount;
        rows = new float[capacity * featureCount];
        published = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++)
        {
            published.set(i, UNPUBLISHED);
        }
    }

    /** Keeps the first {@code featureCount} floats of {@code input}. */
    void record(final float[] input)
    {
        final long sequence = claimed.getAndIncrement();
        final int slot = (int)(sequence % capacity);
        published.set(slot, UNPUBLISHED);
        VarHandle.storeStoreFence();
        System.arraycopy(input, 0, rows, slot * featureCount, featureCount);
        published.setRelease(slot, sequence);
    }

    /** Rows sampled since the model loaded. */
    long recorded()
    {
        return claimed.get();
    }

    int featureCount()
    {
        return featureCount;
    }

    /** The last rows held, oldest first, each a copy. */
    List<float[]> lastRows()
    {
        final long to = claimed.get();
        final List<float[]> copies = new ArrayList<>();
        for (long sequence = Math.max(0, to - capacity); sequence < to; sequence++)
        {
            final int slot = (int)(sequence % capacity);
            if (published.getAcquire(slot) != sequence)
            {
                continue;
            }
            final float[] row = new float[featureCount];
            System.arraycopy(rows, slot * featureCount, row, 0, featureCount);
            VarHandle.loadLoadFence();
            if (published.getAcquire(slot) == sequence)
            {
                copies.add(row);
            }
        }
        return copies;
    }
}
