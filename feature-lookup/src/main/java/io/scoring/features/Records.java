package io.scoring.features;

import java.nio.charset.StandardCharsets;

/**
 * The entity records of a loaded snapshot, exactly as the file holds them, back to back in one block of native
 * memory. A record is named by its offset in the block.
 *
 * <pre>
 *   +---------------------+--------------------------+------------------------------------+
 *   | key length (uint16) | key (UTF-8, key length)  | F x float32 (NaN = no value)       |
 *   +---------------------+--------------------------+------------------------------------+
 *   little-endian, unaligned: x86-64 and AArch64 read unaligned floats at full speed, and padding would
 *   cost up to 3 bytes an entity.
 * </pre>
 *
 * <p>Threading: immutable once loaded; any thread may read it until {@link #free}.
 */
final class Records
{
    static final int KEY_LENGTH_BYTES = 2;

    private final NativeMemory memory;
    private final long base;
    private final int featureCount;
    private final long valuesBytes;

    Records(final NativeMemory memory, final int featureCount)
    {
        this.memory = memory;
        this.base = memory.address();
        this.featureCount = featureCount;
        this.valuesBytes = (long)Float.BYTES * featureCount;
    }

    long length()
    {
        return memory.length();
    }

    int keyLength(final long record)
    {
        return NativeMemory.getUnsignedShortLittleEndian(base + record);
    }

    long keyAddress(final long record)
    {
        return base + record + KEY_LENGTH_BYTES;
    }

    /** The offset just past the record: the next record's, or {@link #length()} after the last. */
    long end(final long record)
    {
        return record + KEY_LENGTH_BYTES + keyLength(record) + valuesBytes;
    }

    boolean keyEquals(final long record, final CharSequence key)
    {
        return Utf8Keys.equals(key, keyAddress(record), keyLength(record));
    }

    boolean keysEqual(final long record, final long otherRecord)
    {
        final int length = keyLength(record);
        if (length != keyLength(otherRecord))
        {
            return false;
        }

        final long key = keyAddress(record);
        final long otherKey = keyAddress(otherRecord);
        for (int i = 0; i < length; i++)
        {
            if (NativeMemory.getByte(key + i) != NativeMemory.getByte(otherKey + i))
            {
                return false;
            }
        }

        return true;
    }

    /** The key as a String, for error messages; allocates. */
    String key(final long record)
    {
        final byte[] bytes = new byte[keyLength(record)];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = NativeMemory.getByte(keyAddress(record) + i);
        }

        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Copies value {@code columns[i]} to {@code target[targetOffset + positions[i]]}. A column outside
     * {@code [0, F)}, such as {@link FeatureStore#MISSING_COLUMN}, reads as NaN rather than as someone else's
     * memory.
     */
    void copyValues(
        final long record, final int[] columns, final int[] positions, final float[] target, final int targetOffset)
    {
        final long values = keyAddress(record) + keyLength(record);
        for (int i = 0; i < columns.length; i++)
        {
            final int column = columns[i];
            target[targetOffset + positions[i]] = column >= 0 && column < featureCount ?
                NativeMemory.getFloatLittleEndian(values + (long)Float.BYTES * column) : Float.NaN;
        }
    }

    void free()
    {
        memory.free();
    }
}
