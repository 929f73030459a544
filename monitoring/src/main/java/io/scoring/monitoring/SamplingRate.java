package io.scoring.monitoring;

import io.scoring.hashing.Fnv64;

/**
 * A model's sampling rate and the per-request decision. The decision hashes the request id (FNV-1a
 * over its chars, then a 64-bit finaliser) and compares it with the rate, so it needs no shared random
 * state, and the same request id gets the same answer wherever it is asked (the serving and the shadow
 * path agree).
 *
 * <p>Threading: {@link #sample} from any number of threads, {@link #percent(double)} from an admin
 * thread. Never allocates, locks or throws on the hot path.
 */
final class SamplingRate
{
    /** 2^32: the hash's top 32 bits are compared against percent / 100 of this. */
    private static final long SCALE = 1L << 32;

    private volatile long threshold;
    private volatile double percent;

    SamplingRate(final double percent)
    {
        percent(percent);
    }

    void percent(final double percent)
    {
        if (!(percent >= 0.0 && percent <= 100.0))
        {
            throw new IllegalArgumentException("sampling rate must be within 0..100 percent: " + percent);
        }
        this.percent = percent;
        this.threshold = (long)Math.ceil(percent / 100.0 * SCALE);
    }

    double percent()
    {
        return percent;
    }

    /** True when this request is to be sampled. Allocation-free. */
    boolean sample(final CharSequence requestId)
    {
        return (hash(requestId) >>> 32) < threshold;
    }

    static long hash(final CharSequence text)
    {
        return Fnv64.fmix64(Fnv64.mix(Fnv64.OFFSET_BASIS, text));
    }
}
