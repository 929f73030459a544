package io.scoring.features.redis;

import io.lettuce.core.RedisURI;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link RedisFeatureStore} (and {@link FeastRedisLoader}) reaches a Feast Redis online store and reads it.
 * Immutable; made by {@link Context#conclude()}, which fills the defaults below and rejects what cannot work.
 *
 * <pre>
 * RedisStoreSettings settings = new RedisStoreSettings.Context()
 *     .uri("redis://localhost:6379")
 *     .project("credit")                       // Feast's project: the suffix of every key
 *     .joinKey("applicant_id")                 // the entity's join key, and its type
 *     .featureView("applicant_features")       // where a feature not mapped below lives
 *     .feature("age", "demographics:age_years") // a model feature stored under another view or name
 *     .maxAge("applicant_features", Duration.ofDays(1))
 *     .conclude();
 * </pre>
 *
 * <p>A model feature {@code name} is read from {@code feature(name, ...)}'s reference if one was given, else from
 * {@code "<featureView>:<name>"}; with neither the store does not hold it ({@code columnIndex} answers
 * {@code MISSING_COLUMN}, and the model refuses to load).
 */
public final class RedisStoreSettings
{
    /** The type of the entity key's value, as Feast serializes it in the key. */
    public enum EntityKeyType
    {
        /** {@code ValueType.STRING}: the key's UTF-8 bytes. */
        STRING,
        /** {@code ValueType.INT64}: the key, a decimal in requests, as 8 bytes little-endian. */
        INT64
    }

    /** Where a feature is stored in Feast: its view and its name there. */
    public record FeatureRef(String featureView, String feature)
    {
        @Override
        public String toString()
        {
            return featureView + ':' + feature;
        }
    }

    /** Redis on this host's default port. */
    public static final String URI_DEFAULT = "redis://localhost:6379";

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

    /** 0: no near cache. Feature values change when Feast materializes; cache only when a little staleness is fine. */
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

    private final String uri;
    private final String project;
    private final String joinKey;
    private final EntityKeyType entityKeyType;
    private final String featureView;
    private final Map<String, String> featureRefs;
    private final Map<String, Duration> maxAges;
    private final Map<String, Map<String, Integer>> categories;
    private final Duration deadline;
    private final int breakerFailureThreshold;
    private final Duration breakerCoolDown;
    private final long nearCacheSize;
    private final Duration nearCacheTtl;
    private final Duration connectTimeout;
    private final Duration reconnectDelayMax;
    private final int requestQueueSize;

    private RedisStoreSettings(final Context ctx)
    {
        uri = ctx.uri;
        project = ctx.project;
        joinKey = ctx.joinKey;
        entityKeyType = ctx.entityKeyType;
        featureView = ctx.featureView;
        featureRefs = Map.copyOf(ctx.featureRefs);
        maxAges = Map.copyOf(ctx.maxAges);
        final Map<String, Map<String, Integer>> copies = new LinkedHashMap<>();
        ctx.categories.forEach((feature, codes) -> copies.put(feature, Map.copyOf(codes)));
        categories = Map.copyOf(copies);
        deadline = ctx.deadline;
        breakerFailureThreshold = ctx.breakerFailureThreshold;
        breakerCoolDown = ctx.breakerCoolDown;
        nearCacheSize = ctx.nearCacheSize;
        nearCacheTtl = ctx.nearCacheTtl;
        connectTimeout = ctx.connectTimeout;
        reconnectDelayMax = ctx.reconnectDelayMax;
        requestQueueSize = ctx.requestQueueSize;
    }

    public String uri()
    {
        return uri;
    }

    public String project()
    {
        return project;
    }

    public String joinKey()
    {
        return joinKey;
    }

    public EntityKeyType entityKeyType()
    {
        return entityKeyType;
    }

    /** The feature view of features without an explicit reference, or null. */
    public String featureView()
    {
        return featureView;
    }

    /** Where the model feature {@code name} is stored, or null if nowhere. */
    public FeatureRef featureRef(final String name)
    {
        final String ref = featureRefs.get(name);
        if (null != ref)
        {
            final int colon = ref.indexOf(':');
            return new FeatureRef(ref.substring(0, colon), ref.substring(colon + 1));
        }

        return null == featureView ? null : new FeatureRef(featureView, name);
    }

    /** The oldest a value of {@code featureView} may be; {@link Duration#ZERO}: any age. */
    public Duration maxAge(final String featureView)
    {
        return maxAges.getOrDefault(featureView, Duration.ZERO);
    }

    /** The codes of the categorical model feature {@code name}'s string values, or null if it has none. */
    public Map<String, Integer> categories(final String name)
    {
        return categories.get(name);
    }

    public Duration deadline()
    {
        return deadline;
    }

    public int breakerFailureThreshold()
    {
        return breakerFailureThreshold;
    }

    public Duration breakerCoolDown()
    {
        return breakerCoolDown;
    }

    /** Entities the near cache holds at most; 0: no near cache. */
    public long nearCacheSize()
    {
        return nearCacheSize;
    }

    public Duration nearCacheTtl()
    {
        return nearCacheTtl;
    }

    public Duration connectTimeout()
    {
        return connectTimeout;
    }

    public Duration reconnectDelayMax()
    {
        return reconnectDelayMax;
    }

    public int requestQueueSize()
    {
        return requestQueueSize;
    }

    @Override
    public String toString()
    {
        return "RedisStoreSettings{uri=" + RedisURI.create(uri).toString() + ", project=" + project +
            ", joinKey=" + joinKey + " (" + entityKeyType + "), featureView=" + featureView +
            ", features=" + featureRefs + ", maxAges=" + maxAges + ", categorical=" + categories.keySet() +
            ", deadline=" + deadline + ", breaker=" + breakerFailureThreshold + " failures/" + breakerCoolDown +
            ", nearCache=" + nearCacheSize + "/" + nearCacheTtl + "}";
    }

    /**
     * The settings being made: fluent setters, then {@link #conclude()}. Not thread-safe; use it on one thread and
     * hand the concluded settings on.
     */
    public static final class Context
    {
        private String uri = URI_DEFAULT;
        private String project;
        private String joinKey;
        private EntityKeyType entityKeyType = EntityKeyType.STRING;
        private String featureView;
        private final Map<String, String> featureRefs = new LinkedHashMap<>();
        private final Map<String, Duration> maxAges = new LinkedHashMap<>();
        private final Map<String, Map<String, Integer>> categories = new LinkedHashMap<>();
        private Duration deadline = DEADLINE_DEFAULT;
        private int breakerFailureThreshold = BREAKER_FAILURE_THRESHOLD_DEFAULT;
        private Duration breakerCoolDown = BREAKER_COOL_DOWN_DEFAULT;
        private long nearCacheSize = NEAR_CACHE_SIZE_DEFAULT;
        private Duration nearCacheTtl = NEAR_CACHE_TTL_DEFAULT;
        private Duration connectTimeout = CONNECT_TIMEOUT_DEFAULT;
        private Duration reconnectDelayMax = RECONNECT_DELAY_MAX_DEFAULT;
        private int requestQueueSize = REQUEST_QUEUE_SIZE_DEFAULT;

        /** A Lettuce Redis URI: {@code redis://[password@]host:port[/database]}, {@code rediss://} for TLS. */
        public Context uri(final String uri)
        {
            this.uri = uri;
            return this;
        }

        /** Feast's project name, as in its {@code feature_store.yaml}. Required. */
        public Context project(final String project)
        {
            this.project = project;
            return this;
        }

        /** The entity's join key, e.g. {@code applicant_id}; ASCII. Required. */
        public Context joinKey(final String joinKey)
        {
            this.joinKey = joinKey;
            return this;
        }

        public Context entityKeyType(final EntityKeyType entityKeyType)
        {
            this.entityKeyType = entityKeyType;
            return this;
        }

        /** The feature view a model feature is read from when {@link #feature} gave it no other place. */
        public Context featureView(final String featureView)
        {
            this.featureView = featureView;
            return this;
        }

        /** The model feature {@code name} is Feast's {@code "<feature_view>:<feature>"}. */
        public Context feature(final String name, final String featureViewColonFeature)
        {
            featureRefs.put(name, featureViewColonFeature);
            return this;
        }

        /** Values of {@code featureView} older than this (by its {@code _ts}) read as stale. */
        public Context maxAge(final String featureView, final Duration maxAge)
        {
            maxAges.put(featureView, maxAge);
            return this;
        }

        /** The model feature {@code name} is categorical, stored as {@code string_val}: these are its codes. */
        public Context categories(final String name, final Map<String, Integer> codeByCategory)
        {
            categories.put(name, codeByCategory);
            return this;
        }

        /** How long a lookup waits for Redis before it answers unavailable. */
        public Context deadline(final Duration deadline)
        {
            this.deadline = deadline;
            return this;
        }

        /** Consecutive failed or late lookups that open the circuit breaker. */
        public Context breakerFailureThreshold(final int breakerFailureThreshold)
        {
            this.breakerFailureThreshold = breakerFailureThreshold;
            return this;
        }

        /** How long an open breaker answers unavailable before it lets one probe through. */
        public Context breakerCoolDown(final Duration breakerCoolDown)
        {
            this.breakerCoolDown = breakerCoolDown;
            return this;
        }

        /** Entities the near cache holds at most; 0 turns it off. */
        public Context nearCacheSize(final long nearCacheSize)
        {
            this.nearCacheSize = nearCacheSize;
            return this;
        }

        /** How long after it was read a cached entity is served from the near cache. */
        public Context nearCacheTtl(final Duration nearCacheTtl)
        {
            this.nearCacheTtl = nearCacheTtl;
            return this;
        }

        public Context connectTimeout(final Duration connectTimeout)
        {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Context reconnectDelayMax(final Duration reconnectDelayMax)
        {
            this.reconnectDelayMax = reconnectDelayMax;
            return this;
        }

        public Context requestQueueSize(final int requestQueueSize)
        {
            this.requestQueueSize = requestQueueSize;
            return this;
        }

        /**
         * Validates and freezes the settings.
         *
         * @throws IllegalArgumentException naming the first setting that cannot work.
         */
        public RedisStoreSettings conclude()
        {
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
            Objects.requireNonNull(entityKeyType, "entityKeyType");
            require(null == featureView || isName(featureView), "featureView: '" + featureView + "' is not a name");
            require(null != featureView || !featureRefs.isEmpty(),
                "featureView or feature(...): name where at least one feature is stored");
            featureRefs.forEach((name, ref) ->
            {
                final int colon = null == ref ? -1 : ref.indexOf(':');
                require(colon > 0 && colon < ref.length() - 1 && isName(ref.substring(0, colon)),
                    "feature '" + name + "': '" + ref + "' is not '<feature_view>:<feature>'");
            });
            maxAges.forEach((view, age) -> require(null != age && !age.isNegative(),
                "maxAge of '" + view + "': " + age + " (zero: no limit)"));
            categories.forEach((name, codes) -> require(null != codes && !codes.isEmpty() &&
                codes.keySet().stream().allMatch(Objects::nonNull) && codes.values().stream().allMatch(Objects::nonNull),
                "categories of '" + name + "': at least one, no null names or codes"));
            requirePositive(deadline, "deadline");
            require(breakerFailureThreshold >= 1, "breakerFailureThreshold: " + breakerFailureThreshold + ", at least 1");
            requirePositive(breakerCoolDown, "breakerCoolDown");
            require(nearCacheSize >= 0, "nearCacheSize: " + nearCacheSize + " (0: off)");
            requirePositive(nearCacheTtl, "nearCacheTtl");
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(reconnectDelayMax, "reconnectDelayMax");
            require(requestQueueSize >= 1, "requestQueueSize: " + requestQueueSize + ", at least 1");

            final RedisStoreSettings settings = new RedisStoreSettings(this);
            categories.forEach((name, codes) -> new CategoryCodes(codes)); // rejects codes a float cannot hold

            return settings;
        }

        private static boolean isName(final String name)
        {
            return !name.isEmpty() && name.indexOf(':') < 0;
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
