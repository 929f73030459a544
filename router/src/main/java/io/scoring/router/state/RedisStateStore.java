package io.scoring.router.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
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
 *   {prefix}:doc:{name}    a document of its own (a model's rollout)
 *   {prefix}:lease:{name}  "{holder}#{fence}" while held (SET NX PX; renewed and released by a script
 *                          that checks the value, so only the holder extends or drops it)
 *   {prefix}:fence:{name}  the lease's fencing token, INCR on every acquisition (in the same script);
 *                          a document write is a script that SETs only when its fence is this one
 *   {prefix}:parts:{name}  a hash: each replica's part of a figure of the fleet
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
    private final String prefix;
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
        this.prefix = prefix;
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

    /** Saves and announces the state in one script that first checks the guard's fence (see {@link #FENCED_STATE}). */
    @Override
    public synchronized boolean save(final ObjectNode state, final Lease guard) throws IOException
    {
        final String text = JSON.writeValueAsString(state);
        final Long revision = redis("save the router state", () -> connection.sync().eval(FENCED_STATE, ScriptOutputType.INTEGER,
            new String[] {stateKey, revisionKey, prefix + ":fence:" + guard.name()}, text, Long.toString(guard.fence()), channel));
        if (revision == 0L)
        {
            return false;
        }
        appliedRevision = Math.max(appliedRevision, revision); // our own change is applied already
        return true;
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

    /** SET NX PX and INCR together: a lease is never held without its own fence. */
    private static final String ACQUIRE =
        "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then " +
        "  local fence = redis.call('INCR', KEYS[2]) " +
        "  redis.call('SET', KEYS[1], ARGV[1] .. '#' .. fence, 'PX', ARGV[2]) " +
        "  return fence " +
        "end " +
        "return 0";
    private static final String RENEW =
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
    private static final String RELEASE =
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
    /** The compare-and-set of a fenced write: a driver that lost its lease cannot overwrite its successor's state. */
    private static final String FENCED_SET =
        "if tonumber(ARGV[2]) < 0 or tonumber(redis.call('GET', KEYS[2]) or '0') == tonumber(ARGV[2]) then " +
        "  redis.call('SET', KEYS[1], ARGV[1]) return 1 " +
        "end " +
        "return 0";

    /** {@link #save}'s SET, INCR and PUBLISH, done only while the fence is the lease's newest; the new revision, or 0. */
    private static final String FENCED_STATE =
        "if tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[2]) then return 0 end " +
        "redis.call('SET', KEYS[1], ARGV[1]) " +
        "local revision = redis.call('INCR', KEYS[2]) " +
        "redis.call('PUBLISH', ARGV[3], tostring(revision)) " +
        "return revision";

    @Override
    public boolean sharedByReplicas()
    {
        return true;
    }

    @Override
    public synchronized Optional<ObjectNode> loadDocument(final String name) throws IOException
    {
        final String text = redis("load " + name, () -> connection.sync().get(prefix + ":doc:" + name));
        if (null == text)
        {
            return Optional.empty();
        }
        final JsonNode json = JSON.readTree(text);
        if (!(json instanceof ObjectNode object))
        {
            throw new IOException(prefix + ":doc:" + name + " is not a JSON object");
        }
        return Optional.of(object);
    }

    @Override
    public synchronized boolean saveDocument(final String name, final ObjectNode document, final long fence) throws IOException
    {
        final String text = JSON.writeValueAsString(document);
        final Long written = redis("save " + name, () -> connection.sync().eval(FENCED_SET, ScriptOutputType.INTEGER,
            new String[] {prefix + ":doc:" + name, prefix + ":fence:" + name}, text, Long.toString(fence)));
        return written == 1L;
    }

    @Override
    public synchronized Optional<Lease> tryLease(final String name, final String holder, final Duration ttl) throws IOException
    {
        final Long fence = redis("lease " + name, () -> connection.sync().eval(ACQUIRE, ScriptOutputType.INTEGER,
            new String[] {prefix + ":lease:" + name, prefix + ":fence:" + name}, holder, Long.toString(ttl.toMillis())));
        return fence == 0L ? Optional.empty() : Optional.of(new Lease(name, holder, fence));
    }

    @Override
    public synchronized boolean renew(final Lease lease, final Duration ttl) throws IOException
    {
        final Long renewed = redis("renew " + lease.name(), () -> connection.sync().eval(RENEW, ScriptOutputType.INTEGER,
            new String[] {prefix + ":lease:" + lease.name()}, held(lease), Long.toString(ttl.toMillis())));
        return renewed == 1L;
    }

    @Override
    public synchronized void release(final Lease lease) throws IOException
    {
        redis("release " + lease.name(), () -> connection.sync().eval(RELEASE, ScriptOutputType.INTEGER,
            new String[] {prefix + ":lease:" + lease.name()}, held(lease)));
    }

    @Override
    public synchronized Optional<String> leaseHolder(final String name) throws IOException
    {
        final String value = redis("lease " + name, () -> connection.sync().get(prefix + ":lease:" + name));
        return null == value ? Optional.empty() : Optional.of(value.substring(0, Math.max(0, value.lastIndexOf('#'))));
    }

    private static String held(final Lease lease)
    {
        return lease.holder() + "#" + lease.fence();
    }

    @Override
    public synchronized void publishPart(final String name, final String part, final String value, final Duration ttl)
        throws IOException
    {
        final String key = prefix + ":parts:" + name;
        redis("publish " + name, () ->
        {
            connection.sync().hset(key, part, value);
            return connection.sync().pexpire(key, ttl.toMillis());
        });
    }

    @Override
    public synchronized Map<String, String> parts(final String name) throws IOException
    {
        return redis("read " + name, () -> connection.sync().hgetall(prefix + ":parts:" + name));
    }

    /** A Redis call whose failure (down, timed out) is an IOException naming what was being done. */
    private static <T> T redis(final String what, final java.util.function.Supplier<T> call) throws IOException
    {
        try
        {
            return call.get();
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("the shared state store (Redis), " + what + ": " + ex.getMessage(), ex);
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
