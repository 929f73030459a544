package io.scoring.features.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Entities read from Redis recently, kept in the gateway's heap so a repeated entity skips the round trip.
 *
 * <p>Keyed by the read plan (the set of columns read) and the entity key, since two models may read different
 * features of one entity. A cached row holds what Redis answered, timestamps included, not the statuses a
 * request saw: staleness is judged when the row is served, against the clock then, so a cached value turns
 * stale exactly when a fresh read would. A row is cached whether or not the entity was found; an unavailable
 * Redis caches nothing.
 *
 * <p><b>Bounded</b> by entity count (Caffeine's W-TinyLFU eviction) and by time since the read (expire after
 * write). Caffeine's maintenance runs on the calling threads ({@code executor(Runnable::run)}): small amortized
 * work, and no dependence on the common pool.
 *
 * <p>Threading: any number of threads. A lookup allocates its key; a miss allocates the row it caches.
 */
final class NearCache
{
    /** One entity's result for one plan: see {@link ReadPlan#copyRow}. Immutable once cached. */
    record Row(boolean found, float[] values, byte[] statuses, long[] timestamps)
    {
    }

    private record Key(ReadPlan plan, String entityKey)
    {
    }

    private final Cache<Key, Row> rows;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    NearCache(final long maximumSize, final Duration ttl)
    {
        rows = Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .expireAfterWrite(ttl)
            .executor(Runnable::run)
            .build();
    }

    /** The cached row, or null; counts a hit or a miss. */
    Row get(final ReadPlan plan, final CharSequence entityKey)
    {
        final Row row = rows.getIfPresent(new Key(plan, entityKey.toString()));
        (null == row ? misses : hits).increment();

        return row;
    }

    void put(final ReadPlan plan, final CharSequence entityKey, final Row row)
    {
        rows.put(new Key(plan, entityKey.toString()), row);
    }

    long hits()
    {
        return hits.sum();
    }

    long misses()
    {
        return misses.sum();
    }
}
