package io.scoring.router.traffic;

/**
 * Sticky assignment: a key's bucket in [0, 10,000) is a pure function of a salt (the model's name,
 * or a shadow's) and the key, the same on every replica, across restarts and JVM versions.
 *
 * <p>The function, so other tools can reproduce it: 64-bit FNV-1a over the salt's UTF-16 code units
 * (each as two bytes, low byte first), then one zero code unit, then the key's code units the same
 * way; the result goes through MurmurHash3's 64-bit finalizer (fmix64) and is reduced with
 * {@code Long.remainderUnsigned(h, 10_000)}. FNV-1a alone spreads keys that differ in their last
 * characters poorly across a modulus; the finalizer fixes that.
 *
 * <p>Allocates nothing; safe from any thread.
 */
public final class Buckets
{
    /** Traffic is split in hundredths of a percent. */
    public static final int COUNT = 10_000;

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Buckets()
    {
    }

    /** The hash state after the salt and its separator; computed once per model or shadow. */
    public static long seed(final String salt)
    {
        return mixChar(mix(FNV_OFFSET, salt), (char)0);
    }

    /** The key's bucket under a seed. */
    public static int bucket(final long seed, final CharSequence key)
    {
        return (int)Long.remainderUnsigned(fmix64(mix(seed, key)), COUNT);
    }

    private static long mix(final long state, final CharSequence text)
    {
        long h = state;
        for (int i = 0, n = text.length(); i < n; i++)
        {
            h = mixChar(h, text.charAt(i));
        }
        return h;
    }

    private static long mixChar(final long state, final char c)
    {
        long h = (state ^ (c & 0xff)) * FNV_PRIME;
        h = (h ^ (c >>> 8)) * FNV_PRIME;
        return h;
    }

    private static long fmix64(final long value)
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
