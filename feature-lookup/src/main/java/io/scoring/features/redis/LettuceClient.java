package io.scoring.features.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One Lettuce connection to the store's Redis with its own client and threads, set up for a store that must
 * answer within a deadline:
 * <ul>
 *   <li>two I/O and two computation threads, Lettuce's minimum: the store uses one connection, so more would idle;</li>
 *   <li>auto-reconnect, backing off exponentially up to {@link RedisFeatureStore.Context#reconnectDelayMax()};</li>
 *   <li>while disconnected, commands are refused at once ({@code REJECT_COMMANDS}) rather than buffered until
 *       Redis returns: a lookup fails fast, and nothing piles up;</li>
 *   <li>at most {@link RedisFeatureStore.Context#requestQueueSize()} commands queued; Lettuce's own command timeouts and
 *       latency metrics off (the store keeps its deadline itself, and they cost a timer and a record per
 *       command).</li>
 * </ul>
 */
final class LettuceClient implements AutoCloseable
{
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);
    /** Lettuce raises smaller thread pools to this (and logs that it did). */
    private static final int LETTUCE_MIN_THREADS = 2;

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;

    private LettuceClient(
        final ClientResources resources, final RedisClient client, final StatefulRedisConnection<byte[], byte[]> connection)
    {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
    }

    /**
     * Connects, or fails with Lettuce's {@code RedisConnectionException} if Redis cannot be reached now.
     *
     * @param customizer sees each channel Lettuce opens (tests count its writes), or null.
     */
    static LettuceClient open(final RedisFeatureStore.Context ctx, final NettyCustomizer customizer)
    {
        final DefaultClientResources.Builder resourcesBuilder = DefaultClientResources.builder()
            .ioThreadPoolSize(LETTUCE_MIN_THREADS)
            .computationThreadPoolSize(LETTUCE_MIN_THREADS)
            .reconnectDelay(Delay.exponential(Duration.ZERO, ctx.reconnectDelayMax(), 2, TimeUnit.MILLISECONDS))
            .commandLatencyRecorder(CommandLatencyRecorder.disabled());
        if (null != customizer)
        {
            resourcesBuilder.nettyCustomizer(customizer);
        }
        final ClientResources resources = resourcesBuilder.build();

        final RedisClient client = RedisClient.create(resources, RedisURI.create(ctx.uri()));
        client.setOptions(ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .requestQueueSize(ctx.requestQueueSize())
            .socketOptions(SocketOptions.builder()
                .connectTimeout(ctx.connectTimeout())
                .keepAlive(true)
                .tcpNoDelay(true)
                .build())
            .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
            .build());

        try
        {
            return new LettuceClient(resources, client, client.connect(ByteArrayCodec.INSTANCE));
        }
        catch (final RuntimeException ex)
        {
            shutdown(client, resources);
            throw ex;
        }
    }

    StatefulRedisConnection<byte[], byte[]> connection()
    {
        return connection;
    }

    @Override
    public void close()
    {
        connection.close();
        shutdown(client, resources);
    }

    private static void shutdown(final RedisClient client, final ClientResources resources)
    {
        client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
        resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
