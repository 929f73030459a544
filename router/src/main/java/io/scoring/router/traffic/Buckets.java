package io.scoring.router.traffic;

import io.scoring.hashing.Fnv64;

/**
 * Sticky assignment: a key's bucket in [0, 10,000) is a pure function of a salt (the model's name,
 * or a shadow's) and the key, the same on every replica, across restarts and JVM versions.
 *
 * <p>The function, so other tools can reproduce it: 64-bit FNV-1a over the salt's UTF-16 code units
 * (each as two bytes, low byte first), then one zero code unit, then the key's code units the same
 * way; the result goes through MurmurHash3's 64-bit finalizer (fmix64) and is reduced with
 * {@code Long.remainderUnsigned(h, 10_000)}. FNV-1a alone spreads keys that differ in their last
 * characters poorly across a modulus; the finalizer fixes that. ({@link Fnv64} computes both; BucketsTest
 * pins the results.)
 *
 * <p>Allocates nothing; safe from any thread.
 */
public final class Buckets
{
    /** Traffic is split in hundredths of a percent. */
    public static final int COUNT = 10_000;

    private Buckets()
    {
    }

    /** The hash state after the salt and its separator; computed once per model or shadow. */
    public static long seed(final String salt)
    {
        return Fnv64.mixBytes(Fnv64.mixBytes(Fnv64.OFFSET_BASIS, salt), (char)0);
    }

    /** The key's bucket under a seed. */
    public static int bucket(final long seed, final CharSequence key)
    {
        return (int)Long.remainderUnsigned(Fnv64.fmix64(Fnv64.mixBytes(seed, key)), COUNT);
    }
}
