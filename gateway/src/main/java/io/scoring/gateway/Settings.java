package io.scoring.gateway;

import io.netty.util.ResourceLeakDetector;
import io.scoring.features.redis.RedisFeatureStore;
import io.scoring.gateway.health.HealthProbes;
import io.scoring.gateway.rollout.Rollouts;
import io.scoring.gateway.rollout.Threshold;
import io.scoring.monitoring.Monitoring;
import io.scoring.router.ModelRepository;
import io.scoring.router.runtime.OnnxRuntimes;
import io.scoring.router.runtime.nativeeval.NativeEvaluators;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting the gateway reads, and how its text reaches the typed {@link GatewayConfig} or a module's
 * Context: the one list that the flags ({@code --NAME}), the environment variables ({@code SCORING_NAME},
 * upper case, '-' as '_'), the config-file keys ({@code NAME}), the usage text and README's
 * "Configuration" table (a test holds them equal) come from. Also the reading: flags over the environment
 * over the config file; a setting none of them names keeps its default.
 *
 * <p>Each value is parsed here (an error names the setting and the text); ranges are checked by the
 * Context that owns the setting, in its {@code conclude()}. Stateless; used at start-up, on the main thread.
 */
final class Settings
{
    /** One setting: its name and how a value, as text, is applied. */
    record Setting(String name, BiConsumer<GatewayConfig, String> apply)
    {
        String envName()
        {
            return "SCORING_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }

    /** Every setting, in the order the usage text lists them. */
    static final List<Setting> ALL = List.of(
        integer(GatewayConfig.HTTP_PORT_PROP_NAME, GatewayConfig::httpPort),
        integer(GatewayConfig.GRPC_PORT_PROP_NAME, GatewayConfig::grpcPort),
        integer(GatewayConfig.ADMIN_PORT_PROP_NAME, GatewayConfig::adminPort),
        text(GatewayConfig.MODELS_PROP_NAME, (c, v) -> c.models(v.isEmpty() ? null : Path.of(v))),
        text(GatewayConfig.FEATURES_PROP_NAME, GatewayConfig::features),
        text(GatewayConfig.REDIS_PROJECT_PROP_NAME, (c, v) -> c.redisContext().project(v)),
        text(GatewayConfig.REDIS_FEATURE_VIEW_PROP_NAME, (c, v) -> c.redisContext().featureView(v)),
        text(GatewayConfig.REDIS_JOIN_KEY_PROP_NAME, (c, v) -> c.redisContext().joinKey(v)),
        choice(GatewayConfig.REDIS_ENTITY_KEY_TYPE_PROP_NAME, RedisFeatureStore.EntityKeyType.class,
            (c, v) -> c.redisContext().entityKeyType(v)),
        text(GatewayConfig.REDIS_MAX_AGE_PROP_NAME, (c, v) -> redisMaxAges(v).forEach(c.redisContext()::maxAge)),
        atLeast(GatewayConfig.REDIS_DEADLINE_MS_PROP_NAME, 1,
            (c, v) -> c.redisContext().deadline(Duration.ofMillis(v))),
        atLeast(GatewayConfig.REDIS_NEAR_CACHE_SIZE_PROP_NAME, 0, (c, v) -> c.redisContext().nearCacheSize(v)),
        atLeast(GatewayConfig.REDIS_NEAR_CACHE_TTL_MS_PROP_NAME, 1,
            (c, v) -> c.redisContext().nearCacheTtl(Duration.ofMillis(v))),
        atLeast(GatewayConfig.REDIS_BREAKER_FAILURES_PROP_NAME, 1,
            (c, v) -> c.redisContext().breakerFailureThreshold(v)),
        atLeast(GatewayConfig.REDIS_BREAKER_COOL_DOWN_MS_PROP_NAME, 1,
            (c, v) -> c.redisContext().breakerCoolDown(Duration.ofMillis(v))),
        atLeast(GatewayConfig.REDIS_CONNECT_TIMEOUT_MS_PROP_NAME, 1,
            (c, v) -> c.redisContext().connectTimeout(Duration.ofMillis(v))),
        atLeast(GatewayConfig.REDIS_RECONNECT_DELAY_MAX_MS_PROP_NAME, 1,
            (c, v) -> c.redisContext().reconnectDelayMax(Duration.ofMillis(v))),
        atLeast(GatewayConfig.REDIS_REQUEST_QUEUE_SIZE_PROP_NAME, 1, (c, v) -> c.redisContext().requestQueueSize(v)),
        text(GatewayConfig.STATE_DIR_PROP_NAME, (c, v) -> c.stateDir(Path.of(v))),
        text(GatewayConfig.STATE_STORE_PROP_NAME, GatewayConfig::stateStore),
        text(GatewayConfig.STATE_STORE_PREFIX_PROP_NAME, GatewayConfig::stateStorePrefix),
        integer(GatewayConfig.MAX_REQUEST_BYTES_PROP_NAME, GatewayConfig::maxRequestBytes),
        integer(GatewayConfig.DRAIN_SECONDS_PROP_NAME, GatewayConfig::drainSeconds),
        integer(GatewayConfig.IO_THREADS_PROP_NAME, GatewayConfig::ioThreads),
        integer(GatewayConfig.GRPC_EXECUTOR_THREADS_PROP_NAME, GatewayConfig::grpcExecutorThreads),
        choice(GatewayConfig.GRPC_ALLOCATOR_PROP_NAME, GatewayConfig.GrpcAllocator.class, GatewayConfig::grpcAllocator),
        text(GatewayConfig.CONCURRENCY_LIMIT_PROP_NAME, GatewayConfig::concurrencyLimit),
        integer(GatewayConfig.CONCURRENCY_LIMIT_MAX_PROP_NAME, GatewayConfig::concurrencyLimitMax),
        decimal(GatewayConfig.CONCURRENCY_LIMIT_TOLERANCE_PROP_NAME, GatewayConfig::concurrencyLimitTolerance),
        longInteger(GatewayConfig.SCORING_QUEUE_WAIT_MS_PROP_NAME, GatewayConfig::scoringQueueWaitMs),
        longInteger(GatewayConfig.SCORING_QUEUE_TARGET_MS_PROP_NAME, GatewayConfig::scoringQueueTargetMs),
        integer(GatewayConfig.SCORING_THREADS_PROP_NAME, GatewayConfig::scoringThreads),
        integer(GatewayConfig.MAX_CONNECTIONS_PROP_NAME, GatewayConfig::maxConnections),
        integer(GatewayConfig.MAX_HEADER_BYTES_PROP_NAME, GatewayConfig::maxHeaderBytes),
        longInteger(GatewayConfig.REQUEST_READ_TIMEOUT_MS_PROP_NAME, GatewayConfig::requestReadTimeoutMs),
        longInteger(GatewayConfig.IDLE_TIMEOUT_MS_PROP_NAME, GatewayConfig::idleTimeoutMs),
        integer(GatewayConfig.GRPC_MAX_CALLS_PER_CONNECTION_PROP_NAME, GatewayConfig::grpcMaxCallsPerConnection),
        choice(GatewayConfig.NETTY_LEAK_DETECTION_PROP_NAME, ResourceLeakDetector.Level.class,
            GatewayConfig::nettyLeakDetection),
        text(GatewayConfig.TLS_CERT_PROP_NAME, (c, v) -> c.tlsCert(v.isEmpty() ? null : Path.of(v))),
        text(GatewayConfig.TLS_KEY_PROP_NAME, (c, v) -> c.tlsKey(v.isEmpty() ? null : Path.of(v))),
        text(GatewayConfig.TLS_CLIENT_CA_PROP_NAME, (c, v) -> c.tlsClientCa(v.isEmpty() ? null : Path.of(v))),

        integer(ModelRepository.Context.MAX_ROWS_PROP_NAME, (c, v) -> c.modelRepositoryContext().maxRows(v)),
        choice(ModelRepository.Context.RUNTIME_PROP_NAME, OnnxRuntimes.Choice.class,
            (c, v) -> c.modelRepositoryContext().runtime(v)),
        choice(ModelRepository.Context.TREE_LAYOUT_PROP_NAME, NativeEvaluators.TreeLayout.class,
            (c, v) -> c.modelRepositoryContext().treeLayout(v)),
        bool(ModelRepository.Context.STRICT_MODELS_PROP_NAME, (c, v) -> c.modelRepositoryContext().strictModels(v)),
        integer(ModelRepository.Context.SHADOW_RING_BYTES_PROP_NAME,
            (c, v) -> c.modelRepositoryContext().shadowRingBytes(v)),
        longInteger(ModelRepository.Context.SHADOW_IDLE_SLEEP_MICROS_PROP_NAME,
            (c, v) -> c.modelRepositoryContext().shadowIdleSleepMicros(v)),

        decimal(Monitoring.Context.SAMPLING_PERCENT_PROP_NAME,
            (c, v) -> c.monitoringContext().defaultSamplingPercent(v)),
        longInteger(Monitoring.Context.LATENCY_INTERVAL_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().latencyIntervalMillis(v)),
        integer(Monitoring.Context.SAMPLE_QUEUE_BYTES_PROP_NAME, (c, v) -> c.monitoringContext().sampleQueueBytes(v)),
        longInteger(Monitoring.Context.IDLE_SLEEP_MILLIS_PROP_NAME, (c, v) -> c.monitoringContext().idleSleepMillis(v)),
        integer(Monitoring.Context.DRIFT_WINDOW_ROWS_PROP_NAME, (c, v) -> c.monitoringContext().driftWindowRows(v)),
        integer(Monitoring.Context.DRIFT_MIN_ROWS_PROP_NAME, (c, v) -> c.monitoringContext().driftMinRows(v)),
        decimal(Monitoring.Context.DRIFT_ALPHA_PROP_NAME, (c, v) -> c.monitoringContext().driftAlpha(v)),
        decimal(Monitoring.Context.DRIFT_PSI_THRESHOLD_PROP_NAME, (c, v) -> c.monitoringContext().driftPsiThreshold(v)),
        longInteger(Monitoring.Context.DRIFT_EVALUATE_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().driftEvaluateMillis(v)),
        integer(Monitoring.Context.COMPARISON_WINDOW_PAIRS_PROP_NAME,
            (c, v) -> c.monitoringContext().comparisonWindowPairs(v)),
        longInteger(Monitoring.Context.COMPARISON_EVALUATE_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().comparisonEvaluateMillis(v)),
        integer(Monitoring.Context.FEEDBACK_JOURNAL_SIZE_PROP_NAME,
            (c, v) -> c.monitoringContext().feedbackJournalSize(v)),
        longInteger(Monitoring.Context.FEEDBACK_TTL_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().feedbackTtlMillis(v)),
        integer(Monitoring.Context.FEEDBACK_WINDOW_LABELS_PROP_NAME,
            (c, v) -> c.monitoringContext().feedbackWindowLabels(v)),
        decimal(Monitoring.Context.FEEDBACK_FALSE_NEGATIVE_COST_PROP_NAME,
            (c, v) -> c.monitoringContext().feedbackFalseNegativeCost(v)),
        decimal(Monitoring.Context.FEEDBACK_FALSE_POSITIVE_COST_PROP_NAME,
            (c, v) -> c.monitoringContext().feedbackFalsePositiveCost(v)),
        decimal(Monitoring.Context.SEGMENT_DISPARATE_IMPACT_MIN_PROP_NAME,
            (c, v) -> c.monitoringContext().segmentDisparateImpactMin(v)),
        decimal(Monitoring.Context.SEGMENT_EQUAL_OPPORTUNITY_MAX_PROP_NAME,
            (c, v) -> c.monitoringContext().segmentEqualOpportunityMax(v)),
        decimal(Monitoring.Context.SEGMENT_GAP_ALPHA_PROP_NAME, (c, v) -> c.monitoringContext().segmentGapAlpha(v)),
        longInteger(Monitoring.Context.DOMAIN_DRIFT_EVALUATE_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().domainDriftEvaluateMillis(v)),
        decimal(Monitoring.Context.DOMAIN_DRIFT_MIN_AUC_PROP_NAME, (c, v) -> c.monitoringContext().domainDriftMinAuc(v)),
        longInteger(Monitoring.Context.EVALUATION_INTERVAL_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().evaluationIntervalMillis(v)),
        text(GatewayConfig.HISTORY_DIR_PROP_NAME, GatewayConfig::historyDir),
        integer(GatewayConfig.HISTORY_REDIS_MAX_POINTS_PROP_NAME, GatewayConfig::historyRedisMaxPoints),
        longInteger(Monitoring.Context.HISTORY_MAX_FILE_BYTES_PROP_NAME,
            (c, v) -> c.monitoringContext().historyMaxFileBytes(v)),
        longInteger(Monitoring.Context.HISTORY_MAX_TOTAL_BYTES_PROP_NAME,
            (c, v) -> c.monitoringContext().historyMaxTotalBytes(v)),
        text(GatewayConfig.PAYLOAD_LOG_DIR_PROP_NAME, GatewayConfig::payloadLogDir),
        longInteger(Monitoring.Context.PAYLOAD_LOG_MAX_FILE_BYTES_PROP_NAME,
            (c, v) -> c.monitoringContext().payloadLogMaxFileBytes(v)),
        longInteger(Monitoring.Context.PAYLOAD_LOG_MAX_FILE_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().payloadLogMaxFileMillis(v)),
        longInteger(Monitoring.Context.PAYLOAD_LOG_MAX_TOTAL_BYTES_PROP_NAME,
            (c, v) -> c.monitoringContext().payloadLogMaxTotalBytes(v)),
        longInteger(Monitoring.Context.PAYLOAD_LOG_FLUSH_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().payloadLogFlushMillis(v)),
        text(Monitoring.Context.PAYLOAD_KAFKA_PROP_NAME,
            (c, v) -> c.monitoringContext().payloadKafka(v.isEmpty() ? null : v)),
        text(Monitoring.Context.PAYLOAD_KAFKA_TOPIC_PROP_NAME, (c, v) -> c.monitoringContext().payloadKafkaTopic(v)),
        longInteger(Monitoring.Context.PAYLOAD_KAFKA_BUFFER_BYTES_PROP_NAME,
            (c, v) -> c.monitoringContext().payloadKafkaBufferBytes(v)),
        integer(Monitoring.Context.PAYLOAD_KAFKA_LINGER_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().payloadKafkaLingerMillis(v)),
        integer(Monitoring.Context.PAYLOAD_KAFKA_DELIVERY_TIMEOUT_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().payloadKafkaDeliveryTimeoutMillis(v)),
        longInteger(Monitoring.Context.PAYLOAD_KAFKA_CONNECT_WAIT_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().payloadKafkaConnectWaitMillis(v)),
        longInteger(Monitoring.Context.PAYLOAD_KAFKA_CLOSE_TIMEOUT_MILLIS_PROP_NAME,
            (c, v) -> c.monitoringContext().payloadKafkaCloseTimeoutMillis(v)),

        longInteger(Rollouts.Context.TICK_MILLIS_PROP_NAME, (c, v) -> c.rolloutContext().tickMillis(v)),
        integer(Rollouts.Context.WINDOW_REQUESTS_PROP_NAME, (c, v) -> c.rolloutContext().windowRequests(v)),
        integer(Rollouts.Context.REPLAY_ROWS_PROP_NAME, (c, v) -> c.rolloutContext().replayRows(v)),
        longInteger(Rollouts.Context.MAX_WAIT_SECONDS_PROP_NAME, (c, v) -> c.rolloutContext().maxWaitSeconds(v)),
        text(Rollouts.Context.ON_INCONCLUSIVE_PROP_NAME, (c, v) -> c.rolloutContext().onInconclusive(v)),
        integer(Rollouts.Context.HISTORY_PROP_NAME, (c, v) -> c.rolloutContext().historySize(v)),
        longInteger(Rollouts.Context.LEASE_MILLIS_PROP_NAME, (c, v) -> c.rolloutContext().leaseMillis(v)),
        longInteger(Rollouts.Context.FLEET_PUBLISH_MILLIS_PROP_NAME, (c, v) -> c.rolloutContext().fleetPublishMillis(v)),
        integer(Rollouts.Context.FLEET_SAMPLES_PROP_NAME, (c, v) -> c.rolloutContext().fleetSamples(v)),
        threshold(Threshold.ALPHA),
        threshold(Threshold.ERROR_RATE_TOLERANCE),
        threshold(Threshold.LATENCY_TOLERANCE),
        threshold(Threshold.KS_MAX_D),
        threshold(Threshold.PSI_MAX),
        threshold(Threshold.MIN_SAMPLES),
        threshold(Threshold.SHADOW_MIN_AGREEMENT),
        threshold(Threshold.SHADOW_MAX_MEAN_DELTA),
        threshold(Threshold.COST_TOLERANCE),
        threshold(Threshold.MIN_LABELS),
        threshold(Threshold.REPLAY_MAX_ERROR_RATE),
        threshold(Threshold.REPLAY_MAX_DISAGREEMENT),
        threshold(Threshold.REPLAY_MAX_MEAN_DELTA),
        threshold(Threshold.REPLAY_MAX_LATENCY_RATIO),
        threshold(Threshold.REPLAY_MAX_ADDED_LATENCY_US),
        threshold(Threshold.REPLAY_MIN_ROWS),

        longInteger(HealthProbes.Context.INTERVAL_SECONDS_PROP_NAME, (c, v) -> c.healthProbeContext().intervalSeconds(v)),
        decimal(HealthProbes.Context.TOLERANCE_PROP_NAME, (c, v) -> c.healthProbeContext().tolerance(v)),

        text(GatewayConfig.CONFIG_PROP_NAME, (c, v) -> c.configFile(v.isEmpty() ? null : Path.of(v))));

    /** An age of {@code --redis-max-age}: a whole number and a unit. */
    private static final Pattern AGE = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private Settings()
    {
    }

    /** Applies the flags, else the environment, else the config file, to {@code config} (not concluded). */
    static GatewayConfig resolve(final String[] args, final Map<String, String> env, final GatewayConfig config)
    {
        final Setting configSetting = byName(GatewayConfig.CONFIG_PROP_NAME);
        final Map<Setting, String> fromFlags = parseFlags(args);
        final String configFile = fromFlags.getOrDefault(configSetting, env.getOrDefault(configSetting.envName(), ""));
        final Map<Setting, String> values = new HashMap<>();
        if (!configFile.isEmpty())
        {
            values.putAll(readConfigFile(Path.of(configFile)));
        }
        for (final Setting setting : ALL)
        {
            final String fromEnv = env.get(setting.envName());
            if (null != fromEnv)
            {
                values.put(setting, fromEnv);
            }
        }
        values.putAll(fromFlags);
        for (final Setting setting : ALL)
        {
            final String value = values.get(setting);
            if (null != value)
            {
                setting.apply().accept(config, value);
            }
        }
        return config;
    }

    /** One line per setting: the flag and its environment variable. */
    static String usage()
    {
        final StringBuilder usage = new StringBuilder();
        for (final Setting setting : ALL)
        {
            usage.append(String.format("%n  --%-36s %s", setting.name() + " V", setting.envName()));
        }
        return usage.toString();
    }

    static Setting byName(final String name)
    {
        for (final Setting setting : ALL)
        {
            if (setting.name().equals(name.toLowerCase(Locale.ROOT)))
            {
                return setting;
            }
        }
        return null;
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
            final Setting setting = flag.startsWith("--") ? byName(flag.substring(2)) : null;
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
            final Setting setting = byName(key);
            if (null == setting || GatewayConfig.CONFIG_PROP_NAME.equals(setting.name()))
            {
                throw new IllegalArgumentException(file + ": unknown setting '" + key + "'");
            }
            values.put(setting, properties.getProperty(key).trim());
        }
        return values;
    }

    /**
     * {@code --redis-max-age}: {@code view=age[,view=age...]}, an age a whole number and a unit ({@code ms},
     * {@code s}, {@code m}, {@code h}, {@code d}); {@code 0s}: any age. In the order given; empty: none.
     */
    static Map<String, Duration> redisMaxAges(final String text)
    {
        final String spec = text.trim();
        final Map<String, Duration> ages = new LinkedHashMap<>();
        if (spec.isEmpty())
        {
            return ages;
        }
        for (final String entry : spec.split(",", -1))
        {
            final String problem = "--redis-max-age: '" + entry.trim() + "' is not <feature_view>=<age>, " +
                "an age such as 500ms, 300s, 15m, 12h or 1d (e.g. applicants=1d,bureau=300s)";
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

    private static Setting text(final String name, final BiConsumer<GatewayConfig, String> apply)
    {
        return new Setting(name, apply);
    }

    /** A rollout threshold: {@code --rollout-<name>}, checked against the threshold's range as it is set. */
    private static Setting threshold(final Threshold threshold)
    {
        return decimal(threshold.propName(), (c, v) -> c.rolloutContext().threshold(threshold, v));
    }

    private static Setting integer(final String name, final BiConsumer<GatewayConfig, Integer> apply)
    {
        return parsed(name, "an integer", Integer::valueOf, apply);
    }

    /** An integer setting the gateway checks itself: its Context (the Redis store's) does not name it. */
    private static Setting atLeast(final String name, final int min, final BiConsumer<GatewayConfig, Integer> apply)
    {
        return integer(name, (config, value) ->
        {
            GatewayConfig.require(value >= min, name, value, "at least " + min);
            apply.accept(config, value);
        });
    }

    private static Setting longInteger(final String name, final BiConsumer<GatewayConfig, Long> apply)
    {
        return parsed(name, "an integer", Long::valueOf, apply);
    }

    private static Setting decimal(final String name, final BiConsumer<GatewayConfig, Double> apply)
    {
        return parsed(name, "a number", Double::valueOf, apply);
    }

    /** One of an enum's constants, spelled in lower case: {@code onnxruntime} for {@code ONNXRUNTIME}. */
    private static <E extends Enum<E>> Setting choice(
        final String name, final Class<E> type, final BiConsumer<GatewayConfig, E> apply)
    {
        final StringBuilder names = new StringBuilder();
        for (final E constant : type.getEnumConstants())
        {
            names.append(names.length() == 0 ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT));
        }
        return parsed(name, "one of " + names, (text) -> Enum.valueOf(type, text.toUpperCase(Locale.ROOT)), apply);
    }

    private static Setting bool(final String name, final BiConsumer<GatewayConfig, Boolean> apply)
    {
        return parsed(name, "true or false", (text) ->
        {
            if (!text.equals("true") && !text.equals("false"))
            {
                throw new IllegalArgumentException(text);
            }
            return Boolean.valueOf(text);
        }, apply);
    }

    private static <T> Setting parsed(
        final String name, final String kind, final Function<String, T> parse, final BiConsumer<GatewayConfig, T> apply)
    {
        return new Setting(name, (config, text) ->
        {
            final T value;
            try
            {
                value = parse.apply(text.trim());
            }
            catch (final IllegalArgumentException ex) // NumberFormatException, or no such enum constant
            {
                throw new IllegalArgumentException(name + " must be " + kind + ", got '" + text + "'", ex);
            }
            apply.accept(config, value);
        });
    }
}
