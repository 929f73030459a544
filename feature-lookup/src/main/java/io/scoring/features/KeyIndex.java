package io.scoring.features;

/**
 * An open-addressing hash index from entity key to record, built once at load, in native memory.
 *
 * <p>Layout: {@code capacity = N / 0.75 + 1} int slots, linear probing. The home slot is
 * {@code (hash * capacity) >>> 32} (Lemire's multiply-shift), so the capacity need not be a power of two and
 * the load factor stays at 0.75 for every N instead of falling anywhere between 0.375 and 0.75.
 *
 * <pre>
 *   slot (32 bits):  | tag: low (32 - b) bits of the key's hash | record offset (b bits) |
 *   b = bits needed for the records' length; an empty slot is all ones (no record offset is)
 * </pre>
 *
 * <p>The tag turns most probes past another key into a compare of two ints instead of a cache miss on that key's
 * record: a probe reads a record only when (32 - b) hash bits match. With 80 MB of records b = 27 (5 tag bits,
 * 1 in 32 false reads); with 800 MB, b = 30 (2 bits, 1 in 4). Slots hold 32 bits, so the records may span at
 * most 4 GiB.
 *
 * <p>Threading: immutable once built; {@link #find} is safe from any thread and never allocates, blocks or
 * throws.
 */
final class KeyIndex
{
    /** What {@link #find} answers for a key the index does not hold. */
    static final long NOT_FOUND = -1;

    /** Slots hold record offsets in 32 bits. */
    static final long MAX_RECORDS_BYTES = (1L << 32) - 1;

    /** Keeps the slot count ({@code N / LOAD_FACTOR}) and the writer's duplicate check within an int. */
    static final int MAX_ENTITIES = 1 << 28;

    /**
     * 0.75: 5.3 bytes of slots per entity, which with the 2-byte key length keeps a store of 16 features within
     * 1.1 times its raw bytes; a probe sequence at 0.75 averages 2.5 slots on a hit and 8.5 on a miss, mostly
     * within one cache line of slots, and the tags keep record reads to about one a lookup.
     */
    static final double LOAD_FACTOR = 0.75;

    private static final int EMPTY = -1;

    private final Records records;
    private final NativeMemory memory;
    private final long base;
    private final int capacity;
    private final int offsetBits;
    private final int offsetMask;

    KeyIndex(final Records records, final int entityCount)
    {
        this.records = records;
        this.capacity = (int)(entityCount / LOAD_FACTOR) + 1;
        this.offsetBits = 64 - Long.numberOfLeadingZeros(records.length());
        this.offsetMask = (int)((1L << offsetBits) - 1);
        this.memory = new NativeMemory((long)Integer.BYTES * capacity);
        this.base = memory.address();
        memory.fill((byte)EMPTY);
    }

    long lengthInBytes()
    {
        return memory.length();
    }

    /**
     * Indexes {@code record} unless its key is indexed already.
     *
     * @return {@link #NOT_FOUND} when indexed, else the record that already holds the key.
     */
    long putIfAbsent(final long record)
    {
        final int hash = Utf8Keys.hash(records.keyAddress(record), records.keyLength(record));
        final int tag = tag(hash);
        int slot = homeSlot(hash);
        int entry;
        while ((entry = slotAt(slot)) != EMPTY)
        {
            if ((entry & ~offsetMask) == tag && records.keysEqual(recordOf(entry), record))
            {
                return recordOf(entry);
            }
            slot = nextSlot(slot);
        }

        NativeMemory.putInt(slotAddress(slot), tag | (int)record);

        return NOT_FOUND;
    }

    /** The record holding {@code key}, or {@link #NOT_FOUND}. */
    long find(final CharSequence key)
    {
        final int hash = Utf8Keys.hash(key);
        final int tag = tag(hash);
        int slot = homeSlot(hash);
        int entry;
        while ((entry = slotAt(slot)) != EMPTY)
        {
            if ((entry & ~offsetMask) == tag && records.keyEquals(recordOf(entry), key))
            {
                return recordOf(entry);
            }
            slot = nextSlot(slot);
        }

        return NOT_FOUND;
    }

    void free()
    {
        memory.free();
    }

    private int tag(final int hash)
    {
        // a shift by 32 is a shift by 0 in Java, but then the mask is 0 and so is the tag
        return (hash << offsetBits) & ~offsetMask;
    }

    private int homeSlot(final int hash)
    {
        return (int)((Integer.toUnsignedLong(hash) * capacity) >>> 32);
    }

    private int nextSlot(final int slot)
    {
        final int next = slot + 1;
        return next == capacity ? 0 : next;
    }

    private int slotAt(final int slot)
    {
        return NativeMemory.getInt(slotAddress(slot));
    }

    private long slotAddress(final int slot)
    {
        return base + (long)Integer.BYTES * slot;
    }

    private long recordOf(final int entry)
    {
        return Integer.toUnsignedLong(entry & offsetMask);
    }
}
