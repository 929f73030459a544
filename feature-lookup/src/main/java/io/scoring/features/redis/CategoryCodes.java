package io.scoring.features.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A categorical column's codes: the model input a stored {@code string_val} becomes, the category's index in the
 * model's list. Matched on the UTF-8 bytes straight from the reply buffer, so nothing is decoded into a String.
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
    private final int count;

    /** The codes of {@code categories}: each one's index in the list, as the model sees it. */
    CategoryCodes(final List<String> categories)
    {
        final int capacity = Integer.highestOneBit(Math.max(2, categories.size()) * 2 - 1) << 1;
        names = new byte[capacity][];
        hashes = new int[capacity];
        codes = new int[capacity];
        mask = capacity - 1;
        count = categories.size();
        for (int code = 0; code < count; code++)
        {
            final byte[] name = categories.get(code).getBytes(StandardCharsets.UTF_8);
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

    /** How many categories: the codes are 0 to {@code count() - 1}. */
    int count()
    {
        return count;
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
