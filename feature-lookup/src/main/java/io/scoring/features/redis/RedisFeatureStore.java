package io.scoring.features.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.NettyCustomizer;
import io.scoring.features.FeatureStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link FeatureStore} over Feast's Redis online store: point the gateway at the Redis a Feast deployment
 * already fills. {@link FeastKeys} documents the layout, {@link FeastValues} the values.
 *
 * <p><b>One round trip per request.</b> {@link #lookupAll} sends one HMGET per entity (the requested features'
 * fields, and {@code _ts:<view>} for views with a max_age), all handed to Lettuce as one batch on the one shared
 * connection: one write, one flush, whatever the number of entities and feature views. Replies are decoded
 * from Lettuce's buffer as they arrive ({@link PendingRead}).
 *
 * <p><b>Deadline and degradation.</b> The caller waits at most {@link RedisStoreSettings#deadline()}. A late reply,
 * a lost connection, or an open circuit breaker ({@link CircuitBreaker}) makes every value of the entities not
 * served from the near cache NaN with {@link #STATUS_STORE_UNAVAILABLE}: the pipeline then takes the defaults.
 * While Redis is disconnected Lettuce refuses commands at once, and after
 * {@link RedisStoreSettings#breakerFailureThreshold()} failures in a row the breaker answers without trying,
 * so a dead or hung Redis costs a request nothing; one probe per cool-down finds it back.
 *
 * <p><b>Near cache.</b> Optional ({@link RedisStoreSettings#nearCacheSize()}): see {@link NearCache}. It keeps
 * answering for the entities it holds while Redis is away.
 *
 * <p><b>Threading.</b> Any number of threads. Each keeps its own read state and recently used read plans, so a
 * steady-state lookup allocates only what Lettuce does per command, the near cache's key, and a cached row on a
 * miss. {@link #lookupAll} <b>blocks</b> its thread until the replies arrive or the deadline passes: on a Netty
 * event loop that stalls the loop's other connections for up to a round trip (the deadline, at worst, until the
 * breaker opens). An asynchronous lookup that resumes the pipeline on the reply is future work.
 *
 * <p><b>Never</b> throws from a lookup: every outcome is a status.
 */
public final class RedisFeatureStore implements FeatureStore
{
    /** Distinct column sets (model versions) with a shared plan; beyond that plans are made per thread. */
    private static final int MAX_SHARED_PLANS = 1024;
    /** Recently used plans each thread keeps: models served by one thread at once. */
    private static final int PLANS_PER_THREAD = 8;
    /** The feature view and feature {@link #warmUp} reads: nothing is stored under it. */
    private static final String WARM_UP = "scoring-gateway-warm-up";

    private final RedisStoreSettings settings;
    private final LettuceClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final FeastKeys keys;
    private final long deadlineNs;
    private final CircuitBreaker breaker;
    private final NearCache nearCache;
    private final LongAdder unavailableLookups = new LongAdder();
    private final LongAdder keptFromRedis = new LongAdder();
    private final ThreadLocal<ThreadState> threadState = ThreadLocal.withInitial(ThreadState::new);

    private final Object bindLock = new Object();
    private final Map<String, Integer> columnByName = new HashMap<>();
    private final Map<String, ReadPlan.View> views = new HashMap<>();
    private volatile ReadPlan.Column[] boundColumns = new ReadPlan.Column[0];
    private final Map<List<Integer>, ReadPlan> sharedPlans = new ConcurrentHashMap<>();

    private volatile boolean closed;

    private RedisFeatureStore(final RedisStoreSettings settings, final LettuceClient client)
    {
        this.settings = settings;
        this.client = client;
        this.connection = client.connection();
        this.keys = new FeastKeys(settings.joinKey(), settings.entityKeyType(), settings.project());
        this.deadlineNs = settings.deadline().toNanos();
        this.breaker = new CircuitBreaker(settings.breakerFailureThreshold(), settings.breakerCoolDown().toNanos());
        this.nearCache = settings.nearCacheSize() > 0 ? new NearCache(settings.nearCacheSize(), settings.nearCacheTtl()) : null;
    }

    /**
     * Connects to the settings' Redis. Fails with Lettuce's {@code RedisConnectionException} if it cannot be
     * reached now (a misconfigured address shows at startup); once connected, losing Redis degrades lookups and
     * the connection comes back by itself.
     */
    public static RedisFeatureStore connect(final RedisStoreSettings settings)
    {
        return connect(settings, null);
    }

    /** {@link #connect(RedisStoreSettings)}, with a hook on each Netty channel: tests count writes with it. */
    static RedisFeatureStore connect(final RedisStoreSettings settings, final NettyCustomizer customizer)
    {
        final RedisFeatureStore store = new RedisFeatureStore(settings, LettuceClient.open(settings, customizer));
        store.warmUp();
        return store;
    }

    @Override
    public String name()
    {
        return "redis";
    }

    /** Binds a model feature to the field {@link RedisStoreSettings#featureRef} names; the store cannot check Redis holds it. */
    @Override
    public int columnIndex(final String featureName)
    {
        synchronized (bindLock)
        {
            final Integer bound = columnByName.get(featureName);
            if (null != bound)
            {
                return bound;
            }

            final RedisStoreSettings.FeatureRef ref = settings.featureRef(featureName);
            if (null == ref)
            {
                return MISSING_COLUMN;
            }
            final ReadPlan.View view = views.computeIfAbsent(ref.featureView(), (name) ->
                new ReadPlan.View(name, FeastKeys.timestampField(name), settings.maxAge(name).toMillis()));
            final Map<String, Integer> codes = settings.categories(featureName);
            final ReadPlan.Column column = new ReadPlan.Column(featureName, view,
                FeastKeys.featureField(ref.featureView(), ref.feature()), null == codes ? null : new CategoryCodes(codes));

            final int index = boundColumns.length;
            final ReadPlan.Column[] grown = Arrays.copyOf(boundColumns, index + 1);
            grown[index] = column;
            boundColumns = grown;
            columnByName.put(featureName, index);

            return index;
        }
    }

    /**
     * Delegates to {@link #lookupAll}. {@link #ENTITY_NOT_FOUND} (target untouched) when the entity is not stored
     * or the store is unavailable; otherwise {@link #FOUND}, with NaN for each value missing, stale or invalid.
     */
    @Override
    public int lookup(
        final CharSequence entityKey, final int[] columns, final int[] positions, final float[] target, final int targetOffset)
    {
        final ThreadState thread = threadState.get();
        final int stride = thread.ensureSingleRow(positions);
        thread.singleKey[0] = entityKey;
        lookupAll(thread.singleKey, 1, columns, positions, thread.singleValues, thread.singleStatuses, stride);
        thread.singleKey[0] = null;

        boolean found = false;
        for (final int position : positions)
        {
            final byte status = thread.singleStatuses[position];
            found |= status != STATUS_ENTITY_NOT_FOUND && status != STATUS_STORE_UNAVAILABLE;
        }
        if (!found)
        {
            return ENTITY_NOT_FOUND;
        }
        for (final int position : positions)
        {
            target[targetOffset + position] = thread.singleValues[position];
        }

        return FOUND;
    }

    @Override
    public void lookupAll(
        final CharSequence[] entityKeys,
        final int rows,
        final int[] columns,
        final int[] positions,
        final float[] values,
        final byte[] statuses,
        final int stride)
    {
        final ThreadState thread = threadState.get();
        PendingRead read = null;
        try
        {
            final ReadPlan plan = plan(thread, columns);
            final long nowMs = System.currentTimeMillis();
            read = thread.read();
            read.begin(plan);
            for (int row = 0; row < rows; row++)
            {
                final NearCache.Row cached = null == nearCache ? null : nearCache.get(plan, entityKeys[row]);
                if (null != cached)
                {
                    plan.copyRow(cached.found(), cached.values(), cached.statuses(), 0, cached.timestamps(), 0,
                        positions, values, statuses, row * stride, nowMs);
                }
                else if (!read.add(keys, entityKeys[row], row))
                {
                    ReadPlan.markRow(positions, values, statuses, row * stride, STATUS_ENTITY_NOT_FOUND);
                }
            }
            if (read.count() > 0)
            {
                fetch(read, entityKeys, positions, values, statuses, stride, nowMs);
            }
        }
        catch (final RuntimeException ex)
        {
            // a bug, not an outcome: the request still gets an answer, and this read is not trusted again
            if (null != read)
            {
                read.abandon();
            }
            for (int row = 0; row < rows; row++)
            {
                ReadPlan.markRow(positions, values, statuses, row * stride, STATUS_STORE_UNAVAILABLE);
            }
            unavailableLookups.increment();
        }
    }

    /** Near-cache lookups that found the entity; 0 without a near cache. */
    @Override
    public long cacheHits()
    {
        return null == nearCache ? 0 : nearCache.hits();
    }

    /** Near-cache lookups that went on to Redis; 0 without a near cache. */
    @Override
    public long cacheMisses()
    {
        return null == nearCache ? 0 : nearCache.misses();
    }

    /** Lookups that answered {@link #STATUS_STORE_UNAVAILABLE}: late, failed, or cut off by the breaker. */
    public long unavailableLookups()
    {
        return unavailableLookups.sum();
    }

    /** Lookups answered at once, without asking Redis, because the breaker was open (or the store closed). */
    public long keptFromRedis()
    {
        return keptFromRedis.sum();
    }

    /** Whether the circuit breaker is keeping lookups away from Redis (open, or probing). */
    public boolean circuitOpen()
    {
        return breaker.state() != CircuitBreaker.CLOSED;
    }

    public RedisStoreSettings settings()
    {
        return settings;
    }

    /** Closes the connection; later lookups answer unavailable. Idempotent. */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            client.close();
        }
    }

    private void fetch(
        final PendingRead read,
        final CharSequence[] entityKeys,
        final int[] positions,
        final float[] values,
        final byte[] statuses,
        final int stride,
        final long nowMs)
    {
        final long startNs = System.nanoTime();
        if (closed || !breaker.tryAcquire(startNs))
        {
            keptFromRedis.increment();
            markUnavailable(read, positions, values, statuses, stride);
            return;
        }

        boolean succeeded = false;
        try
        {
            succeeded = read.fetch(connection, startNs + deadlineNs) == PendingRead.OK;
        }
        finally
        {
            // whatever happened, the breaker hears of it: a half-open breaker waits for its probe's outcome
            if (succeeded)
            {
                breaker.onSuccess();
            }
            else
            {
                breaker.onFailure(System.nanoTime());
                read.abandon();
            }
        }
        if (!succeeded)
        {
            markUnavailable(read, positions, values, statuses, stride);
            return;
        }

        for (int entity = 0; entity < read.count(); entity++)
        {
            final int row = read.requestRow(entity);
            read.copyRow(entity, positions, values, statuses, row * stride, nowMs);
            if (null != nearCache)
            {
                nearCache.put(read.plan(), entityKeys[row], read.row(entity));
            }
        }
    }

    /**
     * One read of a key no one stores, before the first request: the first pass through Lettuce's write path and
     * the reply decoding loads classes for some 10 ms, which would otherwise count against a request's deadline.
     */
    private void warmUp()
    {
        final ReadPlan.View view = new ReadPlan.View(WARM_UP, FeastKeys.timestampField(WARM_UP), 1);
        final ReadPlan plan = new ReadPlan(new int[]{ 0 }, new ReadPlan.Column[]{
            new ReadPlan.Column(WARM_UP, view, FeastKeys.featureField(WARM_UP, WARM_UP), null) });
        final PendingRead read = new PendingRead();
        read.begin(plan);
        read.add(keys, "0", 0);
        read.fetch(connection, System.nanoTime() + settings.connectTimeout().toNanos());
    }

    private void markUnavailable(
        final PendingRead read, final int[] positions, final float[] values, final byte[] statuses, final int stride)
    {
        for (int entity = 0; entity < read.count(); entity++)
        {
            ReadPlan.markRow(positions, values, statuses, read.requestRow(entity) * stride, STATUS_STORE_UNAVAILABLE);
        }
        unavailableLookups.increment();
    }

    /** The plan for {@code requested}: this thread's if it has one, else the shared one, made if need be. */
    private ReadPlan plan(final ThreadState thread, final int[] requested)
    {
        for (final ReadPlan plan : thread.plans)
        {
            if (null != plan && Arrays.equals(plan.columns, requested))
            {
                return plan;
            }
        }

        final List<Integer> key = new ArrayList<>(requested.length);
        for (final int column : requested)
        {
            key.add(column);
        }
        ReadPlan plan = sharedPlans.get(key);
        if (null == plan)
        {
            plan = new ReadPlan(requested.clone(), boundColumns);
            if (sharedPlans.size() < MAX_SHARED_PLANS)
            {
                final ReadPlan raced = sharedPlans.putIfAbsent(key, plan);
                plan = null == raced ? plan : raced;
            }
        }
        thread.plans[thread.nextPlan++ % PLANS_PER_THREAD] = plan;

        return plan;
    }

    /** What one thread reuses from lookup to lookup. */
    private static final class ThreadState
    {
        private final ReadPlan[] plans = new ReadPlan[PLANS_PER_THREAD];
        private int nextPlan;
        private PendingRead read = new PendingRead();
        private final CharSequence[] singleKey = new CharSequence[1];
        private float[] singleValues = new float[0];
        private byte[] singleStatuses = new byte[0];

        /** This thread's read, or a new one if the last was abandoned. */
        PendingRead read()
        {
            if (read.isAbandoned())
            {
                read = new PendingRead();
            }
            return read;
        }

        /** Sizes the single-row scratch for {@code positions}; returns its stride. */
        int ensureSingleRow(final int[] positions)
        {
            int stride = 0;
            for (final int position : positions)
            {
                stride = Math.max(stride, position + 1);
            }
            if (singleValues.length < stride)
            {
                singleValues = new float[stride];
                singleStatuses = new byte[stride];
            }
            return singleValues.length;
        }
    }
}
