package io.scoring.router.model;

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

    private final String[] names;
    private final Object[] values;
    private final int mask;

    private NameIndex(final Map<String, ? extends V> entries)
    {
        int capacity = 4;
        while (capacity < entries.size() * 2)
        {
            capacity <<= 1;
        }
        names = new String[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        entries.forEach((name, value) ->
        {
            int slot = hash(name) & mask;
            while (null != names[slot])
            {
                slot = (slot + 1) & mask;
            }
            names[slot] = Objects.requireNonNull(name);
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

    /** The value for the name with these characters, or null. Allocates nothing. */
    @SuppressWarnings("unchecked")
    public V get(final CharSequence name)
    {
        int slot = hash(name) & mask;
        String candidate;
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

    /** True when both hold the same characters (String.contentEquals without its type checks). */
    public static boolean sameCharacters(final String name, final CharSequence text)
    {
        final int length = name.length();
        if (text.length() != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (name.charAt(i) != text.charAt(i))
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
        return h ^ (h >>> 16);
    }
}
