package io.scoring.monitoring.metrics;

import io.micrometer.core.instrument.Counter;

/**
 * One feature store's lookup latency and cache hits and misses, resolved once per store.
 * Threading: any number of threads; allocation-free.
 */
public final class FeatureStoreMeters
{
    private final DurationHistogram lookup;
    private final Counter hits;
    private final Counter misses;

    FeatureStoreMeters(final DurationHistogram lookup, final Counter hits, final Counter misses)
    {
        this.lookup = lookup;
        this.hits = hits;
        this.misses = misses;
    }

    /** One store call (all of a request's rows), with how many values its cache answered and missed. */
    public void recordLookup(final long nanos, final int cacheHits, final int cacheMisses)
    {
        lookup.record(nanos);
        if (cacheHits > 0)
        {
            hits.increment(cacheHits);
        }
        if (cacheMisses > 0)
        {
            misses.increment(cacheMisses);
        }
    }
}
