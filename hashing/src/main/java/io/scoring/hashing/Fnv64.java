package io.scoring.hashing;

/**
 * 64-bit FNV-1a over text, and MurmurHash3's 64-bit finalizer (fmix64) that every use here applies after
 * it: FNV-1a alone leaves its low bits weak, so keys that differ only in their last characters land close
 * together under a modulus or a threshold; fmix64 makes every output bit depend on every input bit.
 *
 * <p>Two ways to feed a UTF-16 code unit, both used and both fixed forever, because their results are
 * compared across replicas and releases: {@link #mixBytes} feeds it as two bytes, low byte first (the
 * documented traffic-bucket function, which tools outside the JVM reproduce over UTF-16LE bytes);
 * {@link #mix} feeds it whole in one step (the sampling decision and the prediction journal).
 *
 * <p>Pure functions: allocate nothing, safe from any thread.
 */
public final class Fnv64
{
    /** FNV-1a's 64-bit offset basis: the state before the first input. */
    public static final long OFFSET_BASIS = 0xcbf29ce484222325L;

    private static final long PRIME = 0x100000001b3L;

    private Fnv64()
    {
    }

    /** The state after each UTF-16 code unit of {@code text}, each in one step. */
    public static long mix(final long state, final CharSequence text)
    {
        long h = state;
        for (int i = 0, length = text.length(); i < length; i++)
        {
            h = (h ^ text.charAt(i)) * PRIME;
        }
        return h;
    }

    /** The state after each UTF-16 code unit of {@code text} as two bytes, low byte first. */
    public static long mixBytes(final long state, final CharSequence text)
    {
        long h = state;
        for (int i = 0, length = text.length(); i < length; i++)
        {
            h = mixBytes(h, text.charAt(i));
        }
        return h;
    }

    /** The state after one UTF-16 code unit as two bytes, low byte first. */
    public static long mixBytes(final long state, final char c)
    {
        final long h = (state ^ (c & 0xff)) * PRIME;
        return (h ^ (c >>> 8)) * PRIME;
    }

    /** MurmurHash3's fmix64 (SMHasher, public domain). */
    public static long fmix64(final long value)
    {
        long k = value;
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
