package io.scoring.gateway;

import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.features.redis.FeastRedisLoader;
import io.scoring.features.redis.RedisFeatureStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The feature store the settings name: the embedded store over a snapshot (the bundled demo's by
 * default), or Redis in Feast's layout, its {@link RedisFeatureStore.Context} the gateway's
 * ({@link GatewayConfig#redisContext()}, from the {@code --redis-*} settings). Also {@code load-features}, which
 * writes a snapshot into Redis.
 */
final class FeatureStores
{
    private FeatureStores()
    {
    }

    static FeatureStore open(final GatewayConfig config) throws IOException
    {
        if (null != config.redisUri())
        {
            try
            {
                return RedisFeatureStore.connect(config.redisContext(config.redisUri()));
            }
            catch (final RuntimeException ex)
            {
                throw new IOException("--features " + config.redisUri() + ": " + ex.getMessage(), ex);
            }
        }
        final Path snapshot = config.features();
        if (null == snapshot)
        {
            try (InputStream in = DemoBundle.features())
            {
                return EmbeddedFeatureStore.load(in);
            }
        }
        if (!Files.isRegularFile(snapshot))
        {
            throw new IOException("--features " + snapshot + ": no such file");
        }
        return EmbeddedFeatureStore.load(snapshot);
    }

    /**
     * {@code load-features redis://host:port [SNAPSHOT] [--redis-project P] [--redis-feature-view V] ...}:
     * writes a snapshot (the bundled demo applicants by default) into Redis in Feast's layout.
     *
     * @return how many entities were written
     */
    static long loadIntoRedis(final String[] args) throws IOException
    {
        if (args.length < 1 || !(args[0].startsWith("redis://") || args[0].startsWith("rediss://")))
        {
            throw new IllegalArgumentException("usage: load-features redis://host:port [snapshot-file] [--redis-project P] " +
                "[--redis-feature-view V] [--redis-join-key K]");
        }
        final String uri = args[0];
        final boolean hasSnapshot = args.length > 1 && !args[1].startsWith("--");
        final String[] flags = java.util.Arrays.copyOfRange(args, hasSnapshot ? 2 : 1, args.length);
        final RedisFeatureStore.Context settings = GatewayConfig.resolve(flags, java.util.Map.of()).redisContext(uri);
        if (hasSnapshot)
        {
            return FeastRedisLoader.load(Path.of(args[1]), settings);
        }
        try (InputStream in = DemoBundle.features())
        {
            return FeastRedisLoader.load(in, settings);
        }
    }
}
