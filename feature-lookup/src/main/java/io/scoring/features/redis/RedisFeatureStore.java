package io.scoring.features.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.NettyCustomizer;
import io.scoring.features.FeatureStore;
import io.scoring.features.StoredFeature;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * <p><b>Deadline and degradation.</b> The caller waits at most {@link Context#deadline()}, or less when its own
 * deadline ends first ({@link #lookupAll(CharSequence[], int, int[], int[], float[], byte[], int, long)}). A late reply,
 * a lost connection, or an open circuit breaker ({@link CircuitBreaker}) makes every value of the entities not
 * served from the near cache NaN with {@link #STATUS_STORE_UNAVAILABLE}: the pipeline then takes the defaults.
 * While Redis is disconnected Lettuce refuses commands at once, and after
 * {@link Context#breakerFailureThreshold()} failures in a row the breaker answers without trying,
 * so a dead or hung Redis costs a request nothing; one probe per cool-down finds it back.
 *
 * <p><b>Near cache.</b> Optional ({@link Context#nearCacheSize()}): see {@link NearCache}. It keeps
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

    private final Context ctx;
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
    private final Map<StoredFeature, Integer> columnByFeature = new HashMap<>();
    private final Map<String, ReadPlan.View> views = new HashMap<>();
    private volatile ReadPlan.Column[] boundColumns = new ReadPlan.Column[0];
    private final Map<List<Integer>, ReadPlan> sharedPlans = new ConcurrentHashMap<>();

    private volatile boolean closed;

    private RedisFeatureStore(final Context ctx, final LettuceClient client)
    {
        this.ctx = ctx;
        this.client = client;
        this.connection = client.connection();
        this.keys = new FeastKeys(ctx.joinKey(), ctx.entityKeyType(), ctx.project());
        this.deadlineNs = ctx.deadline().toNanos();
        this.breaker = new CircuitBreaker(ctx.breakerFailureThreshold(), ctx.breakerCoolDown().toNanos());
        this.nearCache = ctx.nearCacheSize() > 0 ? new NearCache(ctx.nearCacheSize(), ctx.nearCacheTtl()) : null;
    }

    /**
     * Concludes {@code ctx} (if it is not yet) and connects to its Redis. Fails with Lettuce's
     * {@code RedisConnectionException} if it cannot be reached now (a misconfigured address shows at startup); once
     * connected, losing Redis degrades lookups and the connection comes back by itself.
     */
    public static RedisFeatureStore connect(final Context ctx)
    {
        return connect(ctx, null);
    }

    /** {@link #connect(Context)}, with a hook on each Netty channel: tests count writes with it. */
    static RedisFeatureStore connect(final Context ctx, final NettyCustomizer customizer)
    {
        ctx.conclude();
        final RedisFeatureStore store = new RedisFeatureStore(ctx, LettuceClient.open(ctx, customizer));
        store.warmUp();
        return store;
    }

    @Override
    public String name()
    {
        return "redis";
    }

    /**
     * Binds a model feature to its hash field: {@code feature.reference()} ({@code "<view>:<feature>"}), else
     * {@code "<featureView>:<name>"} with the context's default view; with neither, {@link #MISSING_COLUMN}. The
     * store cannot check that Redis holds it. A categorical feature's {@code string_val}s become codes by its
     * categories.
     */
    @Override
    public int columnIndex(final StoredFeature feature)
    {
        synchronized (bindLock)
        {
            final Integer bound = columnByFeature.get(feature);
            if (null != bound)
            {
                return bound;
            }

            final String reference = null != feature.reference() ? feature.reference() :
                null != ctx.featureView() ? ctx.featureView() + ':' + feature.name() : null;
            if (null == reference || !StoredFeature.isReference(reference))
            {
                return MISSING_COLUMN;
            }
            final String viewName = reference.substring(0, reference.indexOf(':'));
            final ReadPlan.View view = views.computeIfAbsent(viewName, (name) ->
                new ReadPlan.View(name, FeastKeys.timestampField(name), ctx.maxAge(name).toMillis()));
            final ReadPlan.Column column = new ReadPlan.Column(feature.name(), view, FeastKeys.featureField(reference),
                feature.isCategorical() ? new CategoryCodes(feature.categories()) : null);

            final int index = boundColumns.length;
            final ReadPlan.Column[] grown = Arrays.copyOf(boundColumns, index + 1);
            grown[index] = column;
            boundColumns = grown;
            columnByFeature.put(feature, index);

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
        lookupAll(entityKeys, rows, columns, positions, values, statuses, stride, Long.MAX_VALUE);
    }

    @Override
    public void lookupAll(
        final CharSequence[] entityKeys,
        final int rows,
        final int[] columns,
        final int[] positions,
        final float[] values,
        final byte[] statuses,
        final int stride,
        final long callerDeadlineNs)
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
                fetch(read, entityKeys, positions, values, statuses, stride, nowMs, callerDeadlineNs);
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

    /** The concluded context the store runs with. */
    public Context context()
    {
        return ctx;
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
        final long nowMs,
        final long callerDeadlineNs)
    {
        final long startNs = System.nanoTime();
        final long storeDeadlineNs = startNs + deadlineNs;
        // the caller's remaining budget bounds the wait when it ends first (Long.MAX_VALUE: no deadline)
        final boolean callerBinds = callerDeadlineNs != Long.MAX_VALUE && callerDeadlineNs - storeDeadlineNs < 0;
        if (closed || !breaker.tryAcquire(startNs))
        {
            keptFromRedis.increment();
            markUnavailable(read, positions, values, statuses, stride);
            return;
        }

        boolean succeeded = false;
        try
        {
            succeeded = read.fetch(connection, callerBinds ? callerDeadlineNs : storeDeadlineNs) == PendingRead.OK;
        }
        finally
        {
            // whatever happened, the breaker hears of it: a half-open breaker waits for its probe's outcome.
            // Cut short by the caller's budget, before the store's own deadline, is no verdict on Redis.
            if (succeeded)
            {
                breaker.onSuccess();
            }
            else
            {
                if (callerBinds && System.nanoTime() - storeDeadlineNs < 0)
                {
                    breaker.onInconclusive();
                }
                else
                {
                    breaker.onFailure(System.nanoTime());
                }
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
            new ReadPlan.Column(WARM_UP, view, FeastKeys.featureField(WARM_UP + ':' + WARM_UP), null) });
        final PendingRead read = new PendingRead();
        read.begin(plan);
        read.add(keys, "0", 0);
        read.fetch(connection, System.nanoTime() + ctx.connectTimeout().toNanos());
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

    /** The type of the entity key's value, as Feast serializes it in the key. */
    public enum EntityKeyType
    {
        /** {@code ValueType.STRING}: the key's UTF-8 bytes. */
        STRING,
        /** {@code ValueType.INT64}: the key, a decimal in requests, as 8 bytes little-endian. */
        INT64
    }

    /**
     * How the store reaches a Feast Redis online store and reads it (also what {@link FeastRedisLoader} writes by).
     * Fluent setters over the {@code _DEFAULT}s, then {@link #conclude()}, which rejects what cannot work and
     * freezes the context; {@link #connect} concludes it if the caller has not.
     *
     * <pre>
     * RedisFeatureStore store = RedisFeatureStore.connect(new RedisFeatureStore.Context()
     *     .uri("redis://localhost:6379")
     *     .project("credit")                                 // Feast's project: the suffix of every key
     *     .joinKey("applicant_id")                           // the entity's join key, and its type
     *     .featureView("applicants")                         // where a feature without a reference lives
     *     .maxAge("applicants", Duration.ofDays(1)));        // older values read as stale
     * </pre>
     *
     * <p>Where each feature lives and what its categories are comes with the feature itself
     * ({@link StoredFeature}, from the model), not from here.
     *
     * <p>Threading: set up on one thread; once concluded it never changes (a setter then throws), so the store and
     * any thread may read it.
     */
    public static final class Context
    {
        /** Redis on this host's default port. */
        public static final String URI_DEFAULT = "redis://localhost:6379";

        /** STRING: Feast's default entity value type for ids such as {@code applicant_id}. */
        public static final EntityKeyType ENTITY_KEY_TYPE_DEFAULT = EntityKeyType.STRING;

        /**
         * 20 ms: a Redis round trip in the same zone is 0.2-1 ms at p99, so this leaves room for a GC pause or a busy
         * server without calling the store unavailable, while a hung Redis adds at most 20 ms (and blocks a transport
         * thread at most that long) before the breaker takes over, far inside the hundreds of ms a client allows.
         */
        public static final Duration DEADLINE_DEFAULT = Duration.ofMillis(20);

        /** 5 consecutive failures: one lost packet does not cut the store off; a dead one costs at most 5 deadlines. */
        public static final int BREAKER_FAILURE_THRESHOLD_DEFAULT = 5;

        /** 1 s between probes of an open breaker: a recovered Redis is back in use about a second later. */
        public static final Duration BREAKER_COOL_DOWN_DEFAULT = Duration.ofSeconds(1);

        /** 0: no near cache. Values change when Feast materializes; cache only when a little staleness is fine. */
        public static final long NEAR_CACHE_SIZE_DEFAULT = 0;

        /** 1 s: a cached value is at most a second older than what Redis holds. */
        public static final Duration NEAR_CACHE_TTL_DEFAULT = Duration.ofSeconds(1);

        /** 1 s: a (re)connect attempt runs on Lettuce's threads, never a request's, so this only bounds a dead attempt. */
        public static final Duration CONNECT_TIMEOUT_DEFAULT = Duration.ofSeconds(1);

        /** Reconnect attempts back off exponentially from 1 ms up to this: Redis back is Redis used within 0.5 s. */
        public static final Duration RECONNECT_DELAY_MAX_DEFAULT = Duration.ofMillis(500);

        /**
         * 65,536 commands queued on the connection at most (one per entity of a request in flight); more are refused
         * and the lookup answers unavailable. 64 requests of the gateway's 1,024-row maximum.
         */
        public static final int REQUEST_QUEUE_SIZE_DEFAULT = 65_536;

        private boolean concluded;
        private String uri = URI_DEFAULT;
        private String project;
        private String joinKey;
        private EntityKeyType entityKeyType = ENTITY_KEY_TYPE_DEFAULT;
        private String featureView;
        private final Map<String, Duration> maxAges = new LinkedHashMap<>();
        private Duration deadline = DEADLINE_DEFAULT;
        private int breakerFailureThreshold = BREAKER_FAILURE_THRESHOLD_DEFAULT;
        private Duration breakerCoolDown = BREAKER_COOL_DOWN_DEFAULT;
        private long nearCacheSize = NEAR_CACHE_SIZE_DEFAULT;
        private Duration nearCacheTtl = NEAR_CACHE_TTL_DEFAULT;
        private Duration connectTimeout = CONNECT_TIMEOUT_DEFAULT;
        private Duration reconnectDelayMax = RECONNECT_DELAY_MAX_DEFAULT;
        private int requestQueueSize = REQUEST_QUEUE_SIZE_DEFAULT;

        /**
         * Checks every setting (each starts at its {@code _DEFAULT}) and freezes the context; idempotent.
         *
         * @return this, frozen.
         * @throws IllegalArgumentException naming the first setting that cannot work.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            try
            {
                RedisURI.create(Objects.requireNonNull(uri, "uri"));
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalArgumentException("uri: '" + uri + "' is not a Redis URI: " + ex.getMessage(), ex);
            }
            require(null != project && !project.isEmpty(), "project: required (Feast's project name)");
            require(null != joinKey && !joinKey.isEmpty(), "joinKey: required (the entity's join key)");
            require(joinKey.chars().allMatch((c) -> c < 0x80),
                "joinKey: '" + joinKey + "' must be ASCII (Feast writes its length in characters)");
            require(null != entityKeyType, "entityKeyType: required");
            require(null == featureView || isViewName(featureView), "featureView: '" + featureView + "' is not a name");
            maxAges.forEach((view, age) ->
            {
                require(isViewName(view), "maxAge: '" + view + "' is not a feature view's name");
                require(null != age && !age.isNegative(), "maxAge of '" + view + "': " + age + " (zero: no limit)");
            });
            requirePositive(deadline, "deadline");
            require(breakerFailureThreshold >= 1, "breakerFailureThreshold: " + breakerFailureThreshold + ", at least 1");
            requirePositive(breakerCoolDown, "breakerCoolDown");
            require(nearCacheSize >= 0, "nearCacheSize: " + nearCacheSize + " (0: off)");
            requirePositive(nearCacheTtl, "nearCacheTtl");
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(reconnectDelayMax, "reconnectDelayMax");
            require(requestQueueSize >= 1, "requestQueueSize: " + requestQueueSize + ", at least 1");
            concluded = true;

            return this;
        }

        /** A Lettuce Redis URI: {@code redis://[password@]host:port[/database]}, {@code rediss://} for TLS. */
        public Context uri(final String uri)
        {
            checkOpen();
            this.uri = uri;
            return this;
        }

        public String uri()
        {
            return uri;
        }

        /** Feast's project name, as in its {@code feature_store.yaml}. Required. */
        public Context project(final String project)
        {
            checkOpen();
            this.project = project;
            return this;
        }

        public String project()
        {
            return project;
        }

        /** The entity's join key, e.g. {@code applicant_id}; ASCII. Required. */
        public Context joinKey(final String joinKey)
        {
            checkOpen();
            this.joinKey = joinKey;
            return this;
        }

        public String joinKey()
        {
            return joinKey;
        }

        public Context entityKeyType(final EntityKeyType entityKeyType)
        {
            checkOpen();
            this.entityKeyType = entityKeyType;
            return this;
        }

        public EntityKeyType entityKeyType()
        {
            return entityKeyType;
        }

        /** The feature view of a feature bound without a reference ({@code "<featureView>:<name>"}); null: none. */
        public Context featureView(final String featureView)
        {
            checkOpen();
            this.featureView = featureView;
            return this;
        }

        public String featureView()
        {
            return featureView;
        }

        /** Values of {@code featureView} older than this (by its {@code _ts}) read as stale; zero: any age. */
        public Context maxAge(final String featureView, final Duration maxAge)
        {
            checkOpen();
            maxAges.put(featureView, maxAge);
            return this;
        }

        /** The oldest a value of {@code featureView} may be; {@link Duration#ZERO}: any age. */
        public Duration maxAge(final String featureView)
        {
            return maxAges.getOrDefault(featureView, Duration.ZERO);
        }

        /** Every feature view given a max age, in the order set. */
        public Map<String, Duration> maxAges()
        {
            return Collections.unmodifiableMap(maxAges);
        }

        /** How long a lookup waits for Redis before it answers unavailable. */
        public Context deadline(final Duration deadline)
        {
            checkOpen();
            this.deadline = deadline;
            return this;
        }

        public Duration deadline()
        {
            return deadline;
        }

        /** Consecutive failed or late lookups that open the circuit breaker. */
        public Context breakerFailureThreshold(final int breakerFailureThreshold)
        {
            checkOpen();
            this.breakerFailureThreshold = breakerFailureThreshold;
            return this;
        }

        public int breakerFailureThreshold()
        {
            return breakerFailureThreshold;
        }

        /** How long an open breaker answers unavailable before it lets one probe through. */
        public Context breakerCoolDown(final Duration breakerCoolDown)
        {
            checkOpen();
            this.breakerCoolDown = breakerCoolDown;
            return this;
        }

        public Duration breakerCoolDown()
        {
            return breakerCoolDown;
        }

        /** Entities the near cache holds at most; 0 turns it off. */
        public Context nearCacheSize(final long nearCacheSize)
        {
            checkOpen();
            this.nearCacheSize = nearCacheSize;
            return this;
        }

        public long nearCacheSize()
        {
            return nearCacheSize;
        }

        /** How long after it was read a cached entity is served from the near cache. */
        public Context nearCacheTtl(final Duration nearCacheTtl)
        {
            checkOpen();
            this.nearCacheTtl = nearCacheTtl;
            return this;
        }

        public Duration nearCacheTtl()
        {
            return nearCacheTtl;
        }

        public Context connectTimeout(final Duration connectTimeout)
        {
            checkOpen();
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Duration connectTimeout()
        {
            return connectTimeout;
        }

        public Context reconnectDelayMax(final Duration reconnectDelayMax)
        {
            checkOpen();
            this.reconnectDelayMax = reconnectDelayMax;
            return this;
        }

        public Duration reconnectDelayMax()
        {
            return reconnectDelayMax;
        }

        public Context requestQueueSize(final int requestQueueSize)
        {
            checkOpen();
            this.requestQueueSize = requestQueueSize;
            return this;
        }

        public int requestQueueSize()
        {
            return requestQueueSize;
        }

        @Override
        public String toString()
        {
            return "RedisFeatureStore.Context{uri=" + RedisURI.create(uri) +
                ", project=" + project + ", joinKey=" + joinKey + " (" + entityKeyType + "), featureView=" + featureView +
                ", maxAges=" + maxAges + ", deadline=" + deadline + ", breaker=" + breakerFailureThreshold +
                " failures/" + breakerCoolDown + ", nearCache=" + nearCacheSize + "/" + nearCacheTtl + "}";
        }

        private static boolean isViewName(final String name)
        {
            return null != name && !name.isEmpty() && name.indexOf(':') < 0;
        }

        private void checkOpen()
        {
            if (concluded)
            {
                throw new IllegalStateException("the context is concluded: a running store reads it");
            }
        }

        private static void requirePositive(final Duration duration, final String name)
        {
            require(null != duration && !duration.isNegative() && !duration.isZero(), name + ": " + duration + ", must be positive");
        }

        private static void require(final boolean condition, final String problem)
        {
            if (!condition)
            {
                throw new IllegalArgumentException(problem);
            }
        }
    }
}
