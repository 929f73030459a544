package io.scoring.router.model;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable map from names to values that answers lookups by any {@link CharSequence}: a String,
 * or a reused view over the bytes a decoder just read. A {@code HashMap<String, V>} would need a
 * String key (an allocation per lookup when the name arrives as bytes); this one compares characters.
 *
 * <p>Open addressing with linear probing over a table at most half full, so a miss ends within a few
 * probes. Lookups allocate nothing. Built once (model configs, routing tables); safe to share between
 * threads once published.
 */
public final class NameIndex<V>
{
    private static final NameIndex<?> EMPTY = new NameIndex<>(Map.of());

    /** Each name's characters: a {@link CharArrayText} lookup compares arrays, any other text its characters. */
    private final char[][] names;
    private final Object[] values;
    private final int mask;

    private NameIndex(final Map<String, ? extends V> entries)
    {
        int capacity = 4;
        while (capacity < entries.size() * 2)
        {
            capacity <<= 1;
        }
        names = new char[capacity][];
        values = new Object[capacity];
        mask = capacity - 1;
        entries.forEach((name, value) ->
        {
            int slot = hash(name) & mask;
            while (null != names[slot])
            {
                slot = (slot + 1) & mask;
            }
            names[slot] = name.toCharArray();
            values[slot] = Objects.requireNonNull(value);
        });
    }

    public static <V> NameIndex<V> of(final Map<String, ? extends V> entries)
    {
        return new NameIndex<>(entries);
    }

    @SuppressWarnings("unchecked")
    public static <V> NameIndex<V> empty()
    {
        return (NameIndex<V>)EMPTY;
    }

    /**
     * Text whose characters sit in an array that a lookup reads directly: a decoder's reused buffer. Hashing
     * and comparing through {@code charAt}, one call and one bounds check per character, was 0.4 µs of each
     * request's 4 lookups (model, features, categories) in the profile of docs/PERFORMANCE.md ("Where the rest
     * goes", December 7th); over the array the compare is {@code Arrays.equals}, which the JIT vectorizes.
     */
    public interface CharArrayText extends CharSequence
    {
        /** The characters, valid from 0 to {@link #length()}; the array is the holder's own, not a copy. */
        char[] array();

        @Override
        default char charAt(final int index)
        {
            if (index >= length())
            {
                throw new IndexOutOfBoundsException(index);
            }
            return array()[index];
        }

        @Override
        default CharSequence subSequence(final int start, final int end)
        {
            return new String(array(), start, end - start);
        }
    }

    /** The value for the name with these characters, or null. Allocates nothing. */
    @SuppressWarnings("unchecked")
    public V get(final CharSequence name)
    {
        if (name instanceof CharArrayText text)
        {
            return get(text.array(), text.length());
        }
        int slot = hash(name) & mask;
        char[] candidate;
        while (null != (candidate = names[slot]))
        {
            if (sameCharacters(candidate, name))
            {
                return (V)values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private V get(final char[] chars, final int length)
    {
        int h = 0;
        for (int i = 0; i < length; i++)
        {
            h = 31 * h + chars[i];
        }
        int slot = spread(h) & mask;
        char[] candidate;
        while (null != (candidate = names[slot]))
        {
            if (candidate.length == length && Arrays.equals(candidate, 0, length, chars, 0, length))
            {
                return (V)values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    /** True when both hold the same characters. */
    private static boolean sameCharacters(final char[] name, final CharSequence text)
    {
        final int length = name.length;
        if (text.length() != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (name[i] != text.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** String's hash of the characters, whatever holds them, with the high bits folded into the low. */
    private static int hash(final CharSequence text)
    {
        int h = 0;
        for (int i = 0, length = text.length(); i < length; i++)
        {
            h = 31 * h + text.charAt(i);
        }
        return spread(h);
    }

    /** The high bits folded into the low, which pick the slot; both lookups' hashes end here, so they agree. */
    private static int spread(final int h)
    {
        return h ^ (h >>> 16);
    }
}
