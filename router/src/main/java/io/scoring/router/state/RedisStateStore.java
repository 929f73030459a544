package io.scoring.router.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The router state shared by every replica, in Redis: one key holds the document (see
 * {@link StateStore}), a counter its revision, and a channel announces each new revision.
 *
 * <pre>
 *   {prefix}:state      the JSON document
 *   {prefix}:revision   incremented with every save (MULTI/EXEC with the SET and the PUBLISH)
 *   {prefix}:changes    pub/sub: the new revision
 * </pre>
 *
 * A replica applies a change as soon as the message arrives; it also checks the revision every
 * {@link #POLL_INTERVAL} so a replica that missed messages (reconnecting, just started) catches up.
 * Two changes through different replicas at the same moment: the later save wins, and every replica
 * converges on it.
 *
 * <p>Threading: {@link #save} from the admin thread; listeners run on this store's own thread.
 */
public final class RedisStateStore implements StateStore, AutoCloseable
{
    /** How often a replica checks for a revision it missed: the bound on convergence when pub/sub is down. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(RedisStateStore.class.getName());

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> subscription;
    private final String stateKey;
    private final String revisionKey;
    private final String channel;
    private final ScheduledExecutorService applier = Executors.newSingleThreadScheduledExecutor((task) ->
    {
        final Thread thread = new Thread(task, "router-state-sync");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long appliedRevision = -1;
    private volatile Consumer<ObjectNode> listener;

    public RedisStateStore(final String uri, final String prefix)
    {
        final RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(Duration.ofSeconds(5));
        client = RedisClient.create(redisUri);
        connection = client.connect();
        subscription = client.connectPubSub();
        stateKey = prefix + ":state";
        revisionKey = prefix + ":revision";
        channel = prefix + ":changes";
    }

    @Override
    public Optional<ObjectNode> load() throws IOException
    {
        final RedisCommands<String, String> redis = connection.sync();
        final String revision = redis.get(revisionKey);
        final String state = redis.get(stateKey);
        if (null == state)
        {
            return Optional.empty();
        }
        appliedRevision = null == revision ? 0 : Long.parseLong(revision);
        return Optional.of(parse(state));
    }

    private static ObjectNode parse(final String text) throws IOException
    {
        final JsonNode state = JSON.readTree(text);
        if (!(state instanceof ObjectNode object) || !state.path("models").isObject())
        {
            throw new IOException("the shared router state is not a router state document");
        }
        return object;
    }

    /** Saves and announces the state; returns once Redis has both. */
    @Override
    public synchronized void save(final ObjectNode state) throws IOException
    {
        final RedisCommands<String, String> redis = connection.sync();
        try
        {
            redis.multi();
            redis.set(stateKey, JSON.writeValueAsString(state));
            redis.incr(revisionKey);
            final TransactionResult result = redis.exec();
            final long revision = result.get(1);
            appliedRevision = Math.max(appliedRevision, revision); // our own change is applied already
            redis.publish(channel, Long.toString(revision));
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("could not save the router state to Redis: " + ex.getMessage(), ex);
        }
    }

    /** Starts listening: {@code listener} gets every newer state saved by another replica. */
    @Override
    public void onChange(final Consumer<ObjectNode> listener)
    {
        this.listener = listener;
        subscription.addListener(new RedisPubSubAdapter<>()
        {
            @Override
            public void message(final String from, final String revision)
            {
                applier.execute(RedisStateStore.this::catchUp);
            }
        });
        subscription.sync().subscribe(channel);
        applier.scheduleWithFixedDelay(this::catchUp, POLL_INTERVAL.toMillis(), POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Applies the stored state when its revision is newer than the one applied here. The reads share
     * the connection with {@link #save}, so they hold the same monitor: a GET sent between save's MULTI
     * and EXEC would be queued into its transaction (and shift EXEC's results). The listener runs
     * outside it: it takes the registry's lock, which an admin change holds while it saves.
     */
    private void catchUp()
    {
        try
        {
            final long revision;
            final String state;
            synchronized (this)
            {
                final RedisCommands<String, String> redis = connection.sync();
                final String revisionText = redis.get(revisionKey);
                revision = null == revisionText ? 0 : Long.parseLong(revisionText);
                if (revision <= appliedRevision)
                {
                    return;
                }
                state = redis.get(stateKey);
            }
            if (null != state && null != listener)
            {
                listener.accept(parse(state));
            }
            synchronized (this)
            {
                appliedRevision = Math.max(appliedRevision, revision);
            }
        }
        catch (final Exception ex)
        {
            LOG.log(System.Logger.Level.WARNING, "router state sync: " + ex.getMessage() + "; retrying");
        }
    }

    @Override
    public void close()
    {
        applier.shutdownNow();
        subscription.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
