package io.scoring.gateway;

import io.scoring.features.redis.RedisFeatureStore;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's settings. Each comes, in order of precedence, from a command-line flag
 * ({@code --http-port 8080}), an environment variable ({@code SCORING_HTTP_PORT}), the config file
 * ({@code --config FILE}, a properties file: {@code http-port=8080}), or its default below.
 */
public final class GatewayConfig
{
    /** Every setting: its flag name (also its config-file key) and its default. */
    public enum Setting
    {
        HTTP_PORT("http-port", "8080"),
        GRPC_PORT("grpc-port", "8081"),
        ADMIN_PORT("admin-port", "8082"),
        /** The model repository; empty: the demo bundled in the jar. */
        MODELS("models", ""),
        /** Where the traffic policy, the loaded versions and the audit log survive restarts. */
        STATE_DIR("state-dir", "scoring-state"),
        /**
         * Where the traffic policy and the loaded versions live: empty, a file in the state dir (one
         * replica); {@code redis://host:port}, shared by every replica and pushed to each on change.
         */
        STATE_STORE("state-store", ""),
        /** The key prefix of the shared state in Redis: one per fleet. */
        STATE_STORE_PREFIX("state-store-prefix", "scoring"),
        /** Percent of requests sampled for drift, comparison and the payload log, per model (0-100). */
        SAMPLING_PERCENT("sampling-percent", "1"),
        /** Where sampled requests are logged as JSON lines; empty: {@code <state-dir>/payload-log}; {@code off}: no log. */
        PAYLOAD_LOG_DIR("payload-log-dir", ""),
        /** Kafka bootstrap servers the payload log is also published to ({@code host:port,...}); empty: not published. */
        PAYLOAD_KAFKA("payload-kafka", ""),
        /** The topic of the payload log in Kafka, keyed by request id. */
        PAYLOAD_KAFKA_TOPIC("payload-kafka-topic", "scoring-payload"),
        /**
         * The feature store: a snapshot file for the embedded store, or {@code redis://host:port} for a
         * Redis in Feast's layout; empty: the demo applicants bundled in the jar, embedded.
         */
        FEATURES("features", ""),
        /** Feast project name, the suffix of every Redis key. */
        REDIS_PROJECT("redis-project", "scoring_demo"),
        /** The feature view of stored features without a {@code feature_ref} in model.json (field {@code <view>:<feature>}). */
        REDIS_FEATURE_VIEW("redis-feature-view", "applicants"),
        /** The entity's join key in Feast's key encoding. */
        REDIS_JOIN_KEY("redis-join-key", "applicant_id"),
        /** The entity key's Feast value type: {@code string} or {@code int64}. */
        REDIS_ENTITY_KEY_TYPE("redis-entity-key-type", RedisFeatureStore.Context.ENTITY_KEY_TYPE_DEFAULT.name().toLowerCase(Locale.ROOT)),
        /**
         * Max age per feature view, {@code view=age,...} with ages such as {@code 300s}, {@code 15m}, {@code 1d}: older
         * values (by the view's {@code _ts}) read as STALE; empty: any age.
         */
        REDIS_MAX_AGE("redis-max-age", ""),
        /** How long a request waits for Redis before it uses defaults (why 20 ms: RedisFeatureStore.Context.DEADLINE_DEFAULT). */
        REDIS_DEADLINE_MS("redis-deadline-ms", millis(RedisFeatureStore.Context.DEADLINE_DEFAULT)),
        /** Entities kept in the near cache in front of Redis; 0: none. */
        REDIS_NEAR_CACHE_SIZE("redis-near-cache-size", Long.toString(RedisFeatureStore.Context.NEAR_CACHE_SIZE_DEFAULT)),
        REDIS_NEAR_CACHE_TTL_MS("redis-near-cache-ttl-ms", millis(RedisFeatureStore.Context.NEAR_CACHE_TTL_DEFAULT)),
        /** Consecutive late or failed lookups that open the circuit breaker. */
        REDIS_BREAKER_FAILURES("redis-breaker-failures",
            Integer.toString(RedisFeatureStore.Context.BREAKER_FAILURE_THRESHOLD_DEFAULT)),
        REDIS_BREAKER_COOL_DOWN_MS("redis-breaker-cool-down-ms", millis(RedisFeatureStore.Context.BREAKER_COOL_DOWN_DEFAULT)),
        REDIS_CONNECT_TIMEOUT_MS("redis-connect-timeout-ms", millis(RedisFeatureStore.Context.CONNECT_TIMEOUT_DEFAULT)),
        REDIS_RECONNECT_DELAY_MAX_MS("redis-reconnect-delay-max-ms", millis(RedisFeatureStore.Context.RECONNECT_DELAY_MAX_DEFAULT)),
        /** Commands queued on the Redis connection at most; more answer unavailable. */
        REDIS_REQUEST_QUEUE_SIZE("redis-request-queue-size", Integer.toString(RedisFeatureStore.Context.REQUEST_QUEUE_SIZE_DEFAULT)),
        /** 4 MiB: room for a 1,024-row request with generous feature names, well below memory concerns. */
        MAX_REQUEST_BYTES("max-request-bytes", "4194304"),
        /** Rows per request; each transport thread keeps tensors for up to this many. */
        MAX_ROWS("max-rows", "1024"),
        /** How long a drain waits for requests in flight before it closes connections anyway. */
        DRAIN_SECONDS("drain-seconds", "20"),
        /** Event-loop threads shared by HTTP and gRPC; 0: one per core. */
        IO_THREADS("io-threads", "0"),
        /**
         * Threads that run gRPC handlers; 0: the event loop that read the call runs it (the pipeline never
         * blocks, so a hand-off only adds a queue and a wake-up: docs/PERFORMANCE.md measures both).
         */
        GRPC_EXECUTOR_THREADS("grpc-executor-threads", "0"),
        CONFIG("config", "");

        private final String flag;
        private final String defaultValue;

        Setting(final String flag, final String defaultValue)
        {
            this.flag = flag;
            this.defaultValue = defaultValue;
        }

        public String flag()
        {
            return flag;
        }

        /** The defaults live in the module's Context: one number, one place. */
        private static String millis(final Duration duration)
        {
            return Long.toString(duration.toMillis());
        }

        String envName()
        {
            return "SCORING_" + name();
        }
    }

    /** An age of {@code --redis-max-age}: a whole number and a unit. */
    private static final Pattern AGE = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private final Map<Setting, String> values;

    private GatewayConfig(final Map<Setting, String> values)
    {
        this.values = values;
    }

    /** Every setting at its default. */
    public static GatewayConfig defaults()
    {
        return resolve(new String[0], Map.of());
    }

    /** Reads flags, then the environment, then the config file the flags or the environment name. */
    public static GatewayConfig resolve(final String[] args, final Map<String, String> env)
    {
        final Map<Setting, String> fromFlags = parseFlags(args);
        final Map<Setting, String> values = new HashMap<>();
        for (final Setting setting : Setting.values())
        {
            values.put(setting, setting.defaultValue);
        }

        final String configFile = fromFlags.getOrDefault(Setting.CONFIG, env.getOrDefault(Setting.CONFIG.envName(), ""));
        if (!configFile.isEmpty())
        {
            values.putAll(readConfigFile(Path.of(configFile)));
        }
        for (final Setting setting : Setting.values())
        {
            final String fromEnv = env.get(setting.envName());
            if (null != fromEnv)
            {
                values.put(setting, fromEnv);
            }
        }
        values.putAll(fromFlags);

        final GatewayConfig config = new GatewayConfig(values);
        config.validate();
        return config;
    }

    private static Map<Setting, String> parseFlags(final String[] args)
    {
        final Map<Setting, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            String flag = args[i];
            String value = null;
            final int eq = flag.indexOf('=');
            if (eq > 0)
            {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            final Setting setting = flag.startsWith("--") ? byFlag(flag.substring(2)) : null;
            if (null == setting)
            {
                throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
            if (null == value)
            {
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                value = args[++i];
            }
            values.put(setting, value);
        }
        return values;
    }

    private static Map<Setting, String> readConfigFile(final Path file)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read the config file " + file + ": " + ex.getMessage(), ex);
        }
        final Map<Setting, String> values = new HashMap<>();
        for (final String key : properties.stringPropertyNames())
        {
            final Setting setting = byFlag(key);
            if (null == setting || setting == Setting.CONFIG)
            {
                throw new IllegalArgumentException(file + ": unknown setting '" + key + "'");
            }
            values.put(setting, properties.getProperty(key).trim());
        }
        return values;
    }

    private static Setting byFlag(final String flag)
    {
        for (final Setting setting : Setting.values())
        {
            if (setting.flag.equals(flag.toLowerCase(Locale.ROOT)))
            {
                return setting;
            }
        }
        return null;
    }

    private void validate()
    {
        for (final Setting port : new Setting[]{Setting.HTTP_PORT, Setting.GRPC_PORT, Setting.ADMIN_PORT})
        {
            final int value = integer(port);
            if (value < 0 || value > 65535)
            {
                throw new IllegalArgumentException("--" + port.flag + " must be 0-65535, got " + value);
            }
        }
        for (final Setting positive : new Setting[]{Setting.MAX_REQUEST_BYTES, Setting.MAX_ROWS, Setting.REDIS_DEADLINE_MS,
            Setting.REDIS_NEAR_CACHE_TTL_MS, Setting.REDIS_BREAKER_FAILURES, Setting.REDIS_BREAKER_COOL_DOWN_MS,
            Setting.REDIS_CONNECT_TIMEOUT_MS, Setting.REDIS_RECONNECT_DELAY_MAX_MS, Setting.REDIS_REQUEST_QUEUE_SIZE})
        {
            if (integer(positive) <= 0)
            {
                throw new IllegalArgumentException("--" + positive.flag + " must be positive");
            }
        }
        final double sampling;
        try
        {
            sampling = Double.parseDouble(values.get(Setting.SAMPLING_PERCENT));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--sampling-percent must be a number, got '" + values.get(Setting.SAMPLING_PERCENT) + "'");
        }
        if (!(sampling >= 0 && sampling <= 100))
        {
            throw new IllegalArgumentException("--sampling-percent must be 0-100, got " + sampling);
        }
        if (integer(Setting.DRAIN_SECONDS) < 0 || integer(Setting.IO_THREADS) < 0 || integer(Setting.REDIS_NEAR_CACHE_SIZE) < 0 ||
            integer(Setting.GRPC_EXECUTOR_THREADS) < 0)
        {
            throw new IllegalArgumentException(
                "--drain-seconds, --io-threads, --grpc-executor-threads and --redis-near-cache-size must not be negative");
        }
        redisEntityKeyType();
        redisMaxAges();
    }

    /** {@code --redis-entity-key-type}: {@code string} or {@code int64}. */
    public RedisFeatureStore.EntityKeyType redisEntityKeyType()
    {
        final String type = values.get(Setting.REDIS_ENTITY_KEY_TYPE);
        for (final RedisFeatureStore.EntityKeyType known : RedisFeatureStore.EntityKeyType.values())
        {
            if (known.name().equalsIgnoreCase(type))
            {
                return known;
            }
        }
        throw new IllegalArgumentException("--redis-entity-key-type must be string or int64, got '" + type + "'");
    }

    /**
     * {@code --redis-max-age}: {@code view=age[,view=age...]}, an age a whole number and a unit ({@code ms}, {@code s},
     * {@code m}, {@code h}, {@code d}); {@code 0s}: any age. In the order given.
     */
    public Map<String, Duration> redisMaxAges()
    {
        final String spec = values.get(Setting.REDIS_MAX_AGE).trim();
        final Map<String, Duration> ages = new LinkedHashMap<>();
        if (spec.isEmpty())
        {
            return ages;
        }
        for (final String entry : spec.split(",", -1))
        {
            final String problem = "--redis-max-age: '" + entry.trim() + "' is not <feature_view>=<age>, an age such as " +
                "500ms, 300s, 15m, 12h or 1d (e.g. applicants=1d,bureau=300s)";
            final int eq = entry.indexOf('=');
            if (eq < 0)
            {
                throw new IllegalArgumentException(problem);
            }
            final String view = entry.substring(0, eq).trim();
            if (view.isEmpty() || view.indexOf(':') >= 0)
            {
                throw new IllegalArgumentException(problem);
            }
            final Duration age = age(entry.substring(eq + 1).trim());
            if (null == age)
            {
                throw new IllegalArgumentException(problem);
            }
            if (null != ages.put(view, age))
            {
                throw new IllegalArgumentException("--redis-max-age: feature view '" + view + "' is given twice");
            }
        }
        return ages;
    }

    /** A whole number and a unit, or null. */
    private static Duration age(final String text)
    {
        final Matcher m = AGE.matcher(text);
        if (!m.matches())
        {
            return null;
        }
        final long n = Long.parseLong(m.group(1));
        return switch (m.group(2))
        {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    int integer(final Setting setting)
    {
        try
        {
            return Integer.parseInt(values.get(setting));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--" + setting.flag + " must be an integer, got '" + values.get(setting) + "'");
        }
    }

    /** Threads running gRPC handlers; 0: the event loops themselves. */
    public int grpcExecutorThreads()
    {
        return integer(Setting.GRPC_EXECUTOR_THREADS);
    }

    public int httpPort()
    {
        return integer(Setting.HTTP_PORT);
    }

    public int grpcPort()
    {
        return integer(Setting.GRPC_PORT);
    }

    public int adminPort()
    {
        return integer(Setting.ADMIN_PORT);
    }

    /** The model repository, or null for the bundled demo. */
    public Path models()
    {
        return values.get(Setting.MODELS).isEmpty() ? null : Path.of(values.get(Setting.MODELS));
    }

    /** The feature snapshot, or null for the bundled demo applicants (or when the store is Redis). */
    public Path features()
    {
        return values.get(Setting.FEATURES).isEmpty() || null != redisUri() ? null : Path.of(values.get(Setting.FEATURES));
    }

    /** The Redis URI when the store is Redis, else null. */
    public String redisUri()
    {
        final String features = values.get(Setting.FEATURES);
        return features.startsWith("redis://") || features.startsWith("rediss://") ? features : null;
    }

    public String value(final Setting setting)
    {
        return values.get(setting);
    }

    public Path stateDir()
    {
        return Path.of(values.get(Setting.STATE_DIR));
    }

    public double samplingPercent()
    {
        return Double.parseDouble(values.get(Setting.SAMPLING_PERCENT));
    }

    /** The payload log's directory, or null when it is off. */
    public Path payloadLogDir()
    {
        final String dir = values.get(Setting.PAYLOAD_LOG_DIR);
        if ("off".equals(dir))
        {
            return null;
        }
        return dir.isEmpty() ? stateDir().resolve("payload-log") : Path.of(dir);
    }

    public int maxRequestBytes()
    {
        return integer(Setting.MAX_REQUEST_BYTES);
    }

    public int maxRows()
    {
        return integer(Setting.MAX_ROWS);
    }

    public int drainSeconds()
    {
        return integer(Setting.DRAIN_SECONDS);
    }

    public int ioThreads()
    {
        final int configured = integer(Setting.IO_THREADS);
        return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
    }

    /** A copy with one setting changed; for tests and embedding. */
    public GatewayConfig with(final Setting setting, final String value)
    {
        final Map<Setting, String> changed = new HashMap<>(values);
        changed.put(setting, value);
        final GatewayConfig config = new GatewayConfig(changed);
        config.validate();
        return config;
    }
}
