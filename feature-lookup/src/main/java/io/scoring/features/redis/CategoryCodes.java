package io.scoring.features.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A categorical column's codes: the model input a stored {@code string_val} becomes. Matched on the UTF-8 bytes
 * straight from the reply buffer, so nothing is decoded into a String.
 *
 * <p>Open addressing, linear probing, at most half full; each slot keeps the name's hash to skip most byte
 * comparisons. Immutable; safe to share between threads.
 */
final class CategoryCodes
{
    /** What {@link #code} answers for a name that is not a category. */
    static final int UNKNOWN = -1;

    private final byte[][] names;
    private final int[] hashes;
    private final int[] codes;
    private final int mask;

    CategoryCodes(final Map<String, Integer> codeByName)
    {
        final int capacity = Integer.highestOneBit(Math.max(2, codeByName.size()) * 2 - 1) << 1;
        names = new byte[capacity][];
        hashes = new int[capacity];
        codes = new int[capacity];
        mask = capacity - 1;
        for (final Map.Entry<String, Integer> category : codeByName.entrySet())
        {
            final int code = category.getValue();
            if (code < 0 || code > (1 << 24))
            {
                throw new IllegalArgumentException("category '" + category.getKey() + "': code " + code +
                    " is outside [0, 2^24], the integers a float holds exactly");
            }
            final byte[] name = category.getKey().getBytes(StandardCharsets.UTF_8);
            final int hash = hash(ByteBuffer.wrap(name), 0, name.length);
            int slot = hash & mask;
            while (null != names[slot])
            {
                slot = (slot + 1) & mask;
            }
            names[slot] = name;
            hashes[slot] = hash;
            codes[slot] = code;
        }
    }

    /** The code of the category named by the {@code length} UTF-8 bytes at {@code src[offset]}, or {@link #UNKNOWN}. */
    int code(final ByteBuffer src, final int offset, final int length)
    {
        final int hash = hash(src, offset, length);
        for (int slot = hash & mask; null != names[slot]; slot = (slot + 1) & mask)
        {
            if (hashes[slot] == hash && bytesEqual(names[slot], src, offset, length))
            {
                return codes[slot];
            }
        }

        return UNKNOWN;
    }

    /** 32-bit FNV-1a: category names are short, and the same bytes hash the same from an array or a reply. */
    private static int hash(final ByteBuffer src, final int offset, final int length)
    {
        int hash = 0x811C9DC5;
        for (int i = 0; i < length; i++)
        {
            hash = (hash ^ (src.get(offset + i) & 0xFF)) * 0x01000193;
        }

        return hash;
    }

    private static boolean bytesEqual(final byte[] name, final ByteBuffer src, final int offset, final int length)
    {
        if (name.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (name[i] != src.get(offset + i))
            {
                return false;
            }
        }

        return true;
    }
}
