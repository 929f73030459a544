package io.scoring.features.redis;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.scoring.features.EmbeddedFeatureStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes a feature snapshot (the embedded store's file format) into Redis in Feast's layout, as Feast's own
 * materialization would: per entity one HSET of every feature's {@code float_val} and each feature view's
 * {@code _ts}. A NaN (no value) is an HDEL of that field, so a reload does not leave an older value behind;
 * fields of other feature views in the same hash are left alone. For the demo and the tests; a Feast deployment
 * fills Redis itself.
 *
 * <p>Each snapshot column is stored in the context's feature view, {@code "<featureView>:<column>"}: the one-view
 * layout a model without feature references reads.
 * Commands go pipelined, {@value #ENTITIES_PER_FLUSH} entities per flush, on a connection of the loader's own.
 */
public final class FeastRedisLoader
{
    /** Entities per pipelined flush: large enough to amortize the round trip, small enough to bound memory. */
    static final int ENTITIES_PER_FLUSH = 1_000;
    /** How long one flush's replies may take before the load fails. */
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

    private FeastRedisLoader()
    {
    }

    /** Loads a snapshot file with {@code _ts} = now. */
    public static long load(final Path snapshot, final RedisFeatureStore.Context ctx) throws IOException
    {
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(snapshot))
        {
            return load(store, ctx, Instant.now());
        }
    }

    /** Loads a snapshot from a stream (e.g. a classpath resource) with {@code _ts} = now; does not close it. */
    public static long load(final InputStream snapshot, final RedisFeatureStore.Context ctx) throws IOException
    {
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(snapshot))
        {
            return load(store, ctx, Instant.now());
        }
    }

    /**
     * Writes every entity of {@code store}, with {@code _ts} = {@code eventTime} (whole seconds, as Feast writes it).
     *
     * @return the entities written.
     * @throws IOException if Redis cannot be reached or refuses a write.
     * @throws IllegalArgumentException if the context names no feature view, or a key does not fit the key type.
     */
    public static long load(final EmbeddedFeatureStore store, final RedisFeatureStore.Context ctx, final Instant eventTime)
        throws IOException
    {
        ctx.conclude();
        final String view = ctx.featureView();
        if (null == view)
        {
            throw new IllegalArgumentException("featureView: required to load a snapshot (its columns go to '<featureView>:<column>')");
        }
        final List<String> features = store.featureNames();
        final byte[][] fields = new byte[features.size()][];
        for (int column = 0; column < fields.length; column++)
        {
            fields[column] = FeastKeys.featureField(view + ':' + features.get(column));
        }
        final byte[] timestamp = FeastValues.encodeTimestamp(eventTime.getEpochSecond(), 0);
        final FeastKeys keys = new FeastKeys(ctx.joinKey(), ctx.entityKeyType(), ctx.project());

        try (LettuceClient client = LettuceClient.open(ctx, null))
        {
            final StatefulRedisConnection<byte[], byte[]> connection = client.connection();
            connection.setAutoFlushCommands(false);
            final RedisAsyncCommands<byte[], byte[]> redis = connection.async();
            final List<RedisFuture<?>> pending = new ArrayList<>();
            final long[] written = { 0 };
            store.forEachEntity((entityKey, values) ->
            {
                final byte[] key = keys.redisKey(entityKey);
                final Map<byte[], byte[]> hash = new LinkedHashMap<>();
                final List<byte[]> absent = new ArrayList<>();
                for (int column = 0; column < values.length; column++)
                {
                    if (Float.isNaN(values[column]))
                    {
                        absent.add(fields[column]);
                    }
                    else
                    {
                        hash.put(fields[column], FeastValues.encodeFloat(values[column]));
                    }
                }
                hash.put(FeastKeys.timestampField(view), timestamp);
                pending.add(redis.hset(key, hash));
                if (!absent.isEmpty())
                {
                    pending.add(redis.hdel(key, absent.toArray(new byte[0][])));
                }
                if (++written[0] % ENTITIES_PER_FLUSH == 0)
                {
                    flush(connection, pending);
                }
            });
            flush(connection, pending);

            return written[0];
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
        catch (final RedisException ex)
        {
            throw new IOException("loading features into " + ctx.uri() + " failed: " + ex.getMessage(), ex);
        }
    }

    private static void flush(final StatefulRedisConnection<byte[], byte[]> connection, final List<RedisFuture<?>> pending)
    {
        connection.flushCommands();
        final boolean done = LettuceFutures.awaitAll(
            FLUSH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, pending.toArray(new RedisFuture<?>[0]));
        if (!done)
        {
            throw new UncheckedIOException(new IOException(
                "Redis did not confirm " + pending.size() + " writes within " + FLUSH_TIMEOUT));
        }
        pending.clear();
    }
}
