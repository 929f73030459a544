package io.scoring.features;

import java.util.Arrays;

/**
 * The keys a {@link SnapshotWriter} has written, as (32-bit hash, record offset) pairs, so it can refuse a
 * duplicate without keeping the keys: on a hash match the writer reads the earlier key back from the file.
 * 8 bytes a slot at a load factor of at most 0.75: 10.7 to 21 bytes of heap an entity (134 MiB for 10
 * million entities).
 *
 * <p>The writer probes: {@link #firstSlot}, then {@link #nextSlot} while {@link #isOccupied}, and
 * {@link #put}s into the free slot it ends on. Not thread-safe: one writer, one thread.
 */
final class WrittenKeys
{
    private static final long EMPTY = -1;
    private static final int INITIAL_CAPACITY = 1 << 10;

    private long[] entries = newEntries(INITIAL_CAPACITY);
    private int size;

    int firstSlot(final int hash)
    {
        return hash & (entries.length - 1);
    }

    int nextSlot(final int slot)
    {
        return (slot + 1) & (entries.length - 1);
    }

    boolean isOccupied(final int slot)
    {
        return entries[slot] != EMPTY;
    }

    int hashAt(final int slot)
    {
        return (int)(entries[slot] >>> 32);
    }

    long recordAt(final int slot)
    {
        return entries[slot] & 0xFFFF_FFFFL;
    }

    /** Fills a free slot that probing for {@code hash} ended on; {@code record} < 4 GiB, so no entry is EMPTY. */
    void put(final int slot, final int hash, final long record)
    {
        entries[slot] = (long)hash << 32 | record;
        if (++size > entries.length / 4 * 3)
        {
            grow();
        }
    }

    private void grow()
    {
        final long[] old = entries;
        entries = newEntries(old.length * 2);
        for (final long entry : old)
        {
            if (entry != EMPTY)
            {
                int slot = firstSlot((int)(entry >>> 32));
                while (isOccupied(slot))
                {
                    slot = nextSlot(slot);
                }
                entries[slot] = entry;
            }
        }
    }

    private static long[] newEntries(final int capacity)
    {
        final long[] entries = new long[capacity];
        Arrays.fill(entries, EMPTY);

        return entries;
    }
}
