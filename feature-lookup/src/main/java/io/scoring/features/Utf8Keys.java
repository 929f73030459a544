package io.scoring.features;

/**
 * Hashes and compares entity keys as their UTF-8 bytes, whether the key is stored (bytes in native memory, or
 * in an array while writing) or asked for (a {@code CharSequence}, encoded on the fly so a lookup allocates
 * nothing). All three hashes agree for the same key.
 *
 * <p>An unpaired surrogate in a {@code CharSequence} is encoded as its 3-byte sequence, which valid UTF-8
 * never holds: such a key matches nothing the {@link SnapshotWriter} wrote, since it refuses them.
 *
 * <p>The hash is 32-bit FNV-1a, one multiply per byte, finished with MurmurHash3's fmix32 so that both its
 * high bits (which pick the home slot) and its low bits (kept as a tag) are well mixed.
 */
final class Utf8Keys
{
    private static final int FNV_OFFSET_BASIS = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;

    private Utf8Keys()
    {
    }

    static int hash(final CharSequence key)
    {
        int hash = FNV_OFFSET_BASIS;
        for (int i = 0, length = key.length(); i < length; )
        {
            final char c = key.charAt(i);
            if (c < 0x80)
            {
                hash = mix(hash, c);
                i++;
                continue;
            }

            final int codePoint = Character.codePointAt(key, i);
            i += Character.charCount(codePoint);
            int bytes = utf8Bytes(codePoint);
            for (int n = utf8Length(codePoint); n > 0; n--, bytes >>>= 8)
            {
                hash = mix(hash, bytes);
            }
        }

        return finish(hash);
    }

    static int hash(final long address, final int length)
    {
        int hash = FNV_OFFSET_BASIS;
        for (long p = address, end = address + length; p < end; p++)
        {
            hash = mix(hash, NativeMemory.getByte(p));
        }

        return finish(hash);
    }

    static int hash(final byte[] key, final int length)
    {
        int hash = FNV_OFFSET_BASIS;
        for (int i = 0; i < length; i++)
        {
            hash = mix(hash, key[i]);
        }

        return finish(hash);
    }

    /** Whether {@code key}, encoded as UTF-8, is exactly the {@code length} bytes at {@code address}. */
    static boolean equals(final CharSequence key, final long address, final int length)
    {
        long p = address;
        final long end = address + length;
        for (int i = 0, keyLength = key.length(); i < keyLength; )
        {
            final char c = key.charAt(i);
            if (c < 0x80)
            {
                if (p == end || NativeMemory.getByte(p++) != c)
                {
                    return false;
                }
                i++;
                continue;
            }

            final int codePoint = Character.codePointAt(key, i);
            i += Character.charCount(codePoint);
            int bytes = utf8Bytes(codePoint);
            for (int n = utf8Length(codePoint); n > 0; n--, bytes >>>= 8)
            {
                if (p == end || NativeMemory.getByte(p++) != (byte)bytes)
                {
                    return false;
                }
            }
        }

        return p == end;
    }

    /** Of a code point of 0x80 or more: ASCII takes the callers' fast path. */
    private static int utf8Length(final int codePoint)
    {
        return codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    }

    /**
     * The UTF-8 bytes of a code point of 0x80 or more, packed into an int with the first byte lowest, so callers
     * shift them out in order.
     */
    private static int utf8Bytes(final int codePoint)
    {
        final int last = (0x80 | codePoint & 0x3F);
        if (codePoint < 0x800)
        {
            return (0xC0 | codePoint >>> 6) | last << 8;
        }

        final int middle = (0x80 | codePoint >>> 6 & 0x3F);
        if (codePoint < 0x10000)
        {
            return (0xE0 | codePoint >>> 12) | middle << 8 | last << 16;
        }

        return (0xF0 | codePoint >>> 18) | (0x80 | codePoint >>> 12 & 0x3F) << 8 | middle << 16 | last << 24;
    }

    private static int mix(final int hash, final int utf8Byte)
    {
        return (hash ^ (utf8Byte & 0xFF)) * FNV_PRIME;
    }

    private static int finish(final int hash)
    {
        int h = hash;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;

        return h;
    }
}
