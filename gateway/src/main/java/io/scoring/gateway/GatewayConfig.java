package io.scoring.gateway;

import io.netty.util.ResourceLeakDetector;
import io.scoring.features.redis.RedisFeatureStore;
import io.scoring.gateway.health.HealthProbes;
import io.scoring.gateway.pipeline.Admission;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.rollout.Rollouts;
import io.scoring.monitoring.Monitoring;
import io.scoring.router.ModelRepository;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's configuration, Aeron style: the Context of the whole process. It holds the gateway's
 * own settings (ports, paths, limits, threads) and the Context of each module it runs
 * ({@link Monitoring.Context}, {@link ModelRepository.Context}, {@link Rollouts.Context}, {@link HealthProbes.Context}, the Redis
 * store's Context), so one object
 * configures everything and the modules are built from it.
 *
 * <p>Every setting has one name ({@code X_PROP_NAME}, here or in the module Context that owns it) and is
 * read, in order of precedence, from a command-line flag ({@code --http-port 8080} or
 * {@code --http-port=8080}), an environment variable ({@code SCORING_HTTP_PORT}), a line of the
 * {@code --config} properties file ({@code http-port=8080}), or else its default ({@code X_DEFAULT}).
 * {@link #resolve} does that ({@link Settings} lists every setting); {@link #conclude()} fills the defaults
 * that depend on others and validates, with an {@link IllegalArgumentException} that names the setting
 * and the value.
 *
 * <p>Not thread-safe: built on the main thread, concluded, then only read.
 */
public final class GatewayConfig
{
    public static final String HTTP_PORT_PROP_NAME = "http-port";
    /** The ports BRIEF.md promises for the bundled demo: HTTP 8080, gRPC 8081, admin 8082. */
    public static final int HTTP_PORT_DEFAULT = 8080;

    public static final String GRPC_PORT_PROP_NAME = "grpc-port";
    public static final int GRPC_PORT_DEFAULT = 8081;

    public static final String ADMIN_PORT_PROP_NAME = "admin-port";
    public static final int ADMIN_PORT_DEFAULT = 8082;

    /** The model repository; none: the demo bundled in the jar. */
    public static final String MODELS_PROP_NAME = "models";

    /**
     * The feature store: a snapshot file for the embedded store, or {@code redis://host:port} for a Redis in
     * Feast's layout; none: the demo applicants bundled in the jar, embedded.
     */
    public static final String FEATURES_PROP_NAME = "features";

    public static final String STATE_DIR_PROP_NAME = "state-dir";
    /** In the working directory: where the traffic policy, the loaded versions and the audit log survive restarts. */
    public static final String STATE_DIR_DEFAULT = "scoring-state";

    /**
     * Where the traffic policy and the loaded versions live: none, a file in the state dir (one replica);
     * {@code redis://host:port}, shared by every replica and pushed to each on change.
     */
    public static final String STATE_STORE_PROP_NAME = "state-store";

    public static final String STATE_STORE_PREFIX_PROP_NAME = "state-store-prefix";
    /** The key prefix of the shared state in Redis: one per fleet. */
    public static final String STATE_STORE_PREFIX_DEFAULT = "scoring";

    /** Where sampled requests are logged as JSON lines: none, {@code <state-dir>/payload-log}; {@value #OFF}: nowhere. */
    public static final String PAYLOAD_LOG_DIR_PROP_NAME = "payload-log-dir";
    /** Where every version's evaluations are appended: none, {@code <state-dir>/history}; {@value #OFF}: nowhere. */
    public static final String HISTORY_DIR_PROP_NAME = "history-dir";

    public static final String HISTORY_REDIS_MAX_POINTS_PROP_NAME = "history-redis-max-points";
    /**
     * Evaluations kept per model in the shared history's Redis stream (approximately: trimmed by whole nodes):
     * a week of one-minute evaluations of one version on two replicas is 20,160; an entry of the demo's
     * 130 metrics is ~6 KB, so ~120 MB of Redis memory per model at the cap.
     */
    public static final int HISTORY_REDIS_MAX_POINTS_DEFAULT = 20_000;

    /** The value that turns the payload log (or the history) off. */
    public static final String OFF = "off";

    public static final String REDIS_PROJECT_PROP_NAME = "redis-project";
    /** Feast's project, the suffix of every Redis key; the demo's, as {@code load-features} writes it. */
    public static final String REDIS_PROJECT_DEFAULT = "scoring_demo";

    /**
     * The feature view of store features whose model.json entry has no {@code feature_ref}
     * ({@code <view>:<feature>}).
     */
    public static final String REDIS_FEATURE_VIEW_PROP_NAME = "redis-feature-view";
    /** The demo's feature view. */
    public static final String REDIS_FEATURE_VIEW_DEFAULT = "applicants";

    public static final String REDIS_JOIN_KEY_PROP_NAME = "redis-join-key";
    /** The demo's entity join key. */
    public static final String REDIS_JOIN_KEY_DEFAULT = "applicant_id";

    /**
     * The entity key's Feast value type, {@code string} or {@code int64}
     * ({@link RedisFeatureStore.Context#ENTITY_KEY_TYPE_DEFAULT}).
     */
    public static final String REDIS_ENTITY_KEY_TYPE_PROP_NAME = "redis-entity-key-type";

    /**
     * Max age per feature view, {@code view=age,...} with ages such as {@code 300s}, {@code 15m}, {@code 1d}: older
     * values (by the view's {@code _ts}) read as STALE; none: any age.
     */
    public static final String REDIS_MAX_AGE_PROP_NAME = "redis-max-age";

    /**
     * How long a request waits for Redis before it uses defaults ({@link RedisFeatureStore.Context#DEADLINE_DEFAULT}).
     */
    public static final String REDIS_DEADLINE_MS_PROP_NAME = "redis-deadline-ms";

    /**
     * Entities kept in the near cache in front of Redis ({@link RedisFeatureStore.Context#NEAR_CACHE_SIZE_DEFAULT}:
     * none).
     */
    public static final String REDIS_NEAR_CACHE_SIZE_PROP_NAME = "redis-near-cache-size";

    /** How long the near cache keeps an entity ({@link RedisFeatureStore.Context#NEAR_CACHE_TTL_DEFAULT}). */
    public static final String REDIS_NEAR_CACHE_TTL_MS_PROP_NAME = "redis-near-cache-ttl-ms";

    /**
     * Consecutive late or failed lookups that open the circuit breaker
     * ({@link RedisFeatureStore.Context#BREAKER_FAILURE_THRESHOLD_DEFAULT}).
     */
    public static final String REDIS_BREAKER_FAILURES_PROP_NAME = "redis-breaker-failures";

    /** How long the open breaker waits before one probe ({@link RedisFeatureStore.Context#BREAKER_COOL_DOWN_DEFAULT}). */
    public static final String REDIS_BREAKER_COOL_DOWN_MS_PROP_NAME = "redis-breaker-cool-down-ms";

    /** One (re)connect attempt at most ({@link RedisFeatureStore.Context#CONNECT_TIMEOUT_DEFAULT}). */
    public static final String REDIS_CONNECT_TIMEOUT_MS_PROP_NAME = "redis-connect-timeout-ms";

    /** The longest back-off between reconnects ({@link RedisFeatureStore.Context#RECONNECT_DELAY_MAX_DEFAULT}). */
    public static final String REDIS_RECONNECT_DELAY_MAX_MS_PROP_NAME = "redis-reconnect-delay-max-ms";

    /**
     * Commands queued on the Redis connection at most; more answer unavailable
     * ({@link RedisFeatureStore.Context#REQUEST_QUEUE_SIZE_DEFAULT}).
     */
    public static final String REDIS_REQUEST_QUEUE_SIZE_PROP_NAME = "redis-request-queue-size";

    public static final String MAX_REQUEST_BYTES_PROP_NAME = "max-request-bytes";
    /** 4 MiB: room for a 1,024-row request with generous feature names, well below memory concerns. */
    public static final int MAX_REQUEST_BYTES_DEFAULT = 4 << 20;

    public static final String DRAIN_SECONDS_PROP_NAME = "drain-seconds";
    /** 20 s: requests finish in milliseconds; room for a slow admin load, inside Kubernetes' 30 s grace period. */
    public static final int DRAIN_SECONDS_DEFAULT = 20;

    public static final String IO_THREADS_PROP_NAME = "io-threads";
    /** 0: one event loop per core, the measured best (docs/PERFORMANCE.md, "Tuning choices"). */
    public static final int IO_THREADS_DEFAULT = 0;

    public static final String GRPC_EXECUTOR_THREADS_PROP_NAME = "grpc-executor-threads";
    /**
     * 0: the event loop that read a call runs its handler. The pipeline never blocks, so a hand-off only adds
     * a queue and a wake-up: 0.65x the throughput with a 2-thread pool (docs/PERFORMANCE.md).
     */
    public static final int GRPC_EXECUTOR_THREADS_DEFAULT = 0;

    public static final String GRPC_ALLOCATOR_PROP_NAME = "grpc-allocator";
    /**
     * Netty's default allocator (4.2: the adaptive one, which the HTTP side uses too) for gRPC's buffers instead
     * of the pooled allocator grpc-netty builds for itself: measured 1.14x the throughput at 0.90x the CPU per
     * answer (docs/PERFORMANCE.md, "Tuning choices").
     */
    public static final GrpcAllocator GRPC_ALLOCATOR_DEFAULT = GrpcAllocator.NETTY;

    public static final String CONCURRENCY_LIMIT_PROP_NAME = "concurrency-limit";
    /**
     * {@code gradient2}: Netflix concurrency-limits' Gradient2, which adapts the limit to the measured latency
     * (queueing shows as short-term latency above the long-term one); {@code vegas}; a whole number for a fixed
     * limit; {@code off} for none (calls are scored on the event loop that read them, as before issue 16).
     * Off by default: on a quiet machine, with the demo's microsecond models and 32 callers in flight, Gradient2
     * refused 42-44% of the calls (RESOURCE_EXHAUSTED) while the gateway served 12,000-23,000 answers/s, a
     * third to a half of what the echo served (docs/PERFORMANCE.md, "Overload"). The limit is for models whose
     * scoring takes hundreds of microseconds; its floor and tolerance need tuning before it can be a default.
     */
    public static final String CONCURRENCY_LIMIT_DEFAULT = "off";

    public static final String CONCURRENCY_LIMIT_MAX_PROP_NAME = "concurrency-limit-max";
    /**
     * 1,000: the adaptive limit's ceiling and the scoring queue's size. Far above what one core keeps busy
     * (the limit settles in the tens), low enough that a full queue is a few MiB of requests.
     */
    public static final int CONCURRENCY_LIMIT_MAX_DEFAULT = 1_000;

    public static final String CONCURRENCY_LIMIT_TOLERANCE_PROP_NAME = "concurrency-limit-tolerance";
    /**
     * 3: Gradient2 lowers the limit once the short-term latency exceeds the long-term one by this factor. With
     * the library's 1.5, a quarter of the calls were turned away at 1x capacity (goodput 0.75x, one run); with
     * 3, goodput at 1x was 0.98-0.99x in three runs (docs/PERFORMANCE.md, "Overload"). The scoring queue's wait
     * bound, not the limit, keeps the latency of what is scored.
     */
    public static final double CONCURRENCY_LIMIT_TOLERANCE_DEFAULT = 3.0;

    public static final String SCORING_QUEUE_WAIT_MS_PROP_NAME = "scoring-queue-wait-ms";
    /**
     * 20 ms: the longest a call waits for a scoring thread in a burst, and how long the queue must go without
     * emptying to count as standing, after which a call waits {@link #SCORING_QUEUE_TARGET_MS_DEFAULT} at most
     * (Admission.ScoringQueue; CoDel's 100 ms let accepted calls wait 85 ms, docs/PERFORMANCE.md "Overload").
     */
    public static final long SCORING_QUEUE_WAIT_MS_DEFAULT = 20;

    public static final String SCORING_QUEUE_TARGET_MS_PROP_NAME = "scoring-queue-target-ms";
    /**
     * 5 ms, CoDel's target: the longest a call waits behind a standing queue; a call that would wait longer is
     * refused at the edge, one that waited longer all the same is shed unscored.
     */
    public static final long SCORING_QUEUE_TARGET_MS_DEFAULT = 5;

    public static final String SCORING_THREADS_PROP_NAME = "scoring-threads";
    /** 0: one per core. With a concurrency limit the event loops only admit, these threads score. */
    public static final int SCORING_THREADS_DEFAULT = 0;

    public static final String MAX_CONNECTIONS_PROP_NAME = "max-connections";
    /**
     * 20,000 HTTP connections: twice the 10,000 idle ones measured in docs/PERFORMANCE.md ("Slow and hostile
     * clients"), each some KiB of buffers, so the cap bounds them at tens of MiB.
     */
    public static final int MAX_CONNECTIONS_DEFAULT = 20_000;

    public static final String MAX_HEADER_BYTES_PROP_NAME = "max-header-bytes";
    /** 8 KiB, Netty's and grpc-java's default and about what nginx and Envoy allow per request head. */
    public static final int MAX_HEADER_BYTES_DEFAULT = 8192;

    public static final String REQUEST_READ_TIMEOUT_MS_PROP_NAME = "request-read-timeout-ms";
    /** 10 s from a request's first byte to its last: minutes less than a slowloris client needs, ages for a real one. */
    public static final long REQUEST_READ_TIMEOUT_MS_DEFAULT = 10_000;

    public static final String IDLE_TIMEOUT_MS_PROP_NAME = "idle-timeout-ms";
    /** 5 minutes: longer than load balancers' keep-alive pools reuse a connection (AWS ALB 60 s, Envoy 1 h is the exception). */
    public static final long IDLE_TIMEOUT_MS_DEFAULT = 300_000;

    public static final String GRPC_MAX_CALLS_PER_CONNECTION_PROP_NAME = "grpc-max-calls-per-connection";
    /** 1,000 calls open on one HTTP/2 connection: above the concurrency limit's ceiling per client, far below gRPC's unlimited default. */
    public static final int GRPC_MAX_CALLS_PER_CONNECTION_DEFAULT = 1_000;

    public static final String NETTY_LEAK_DETECTION_PROP_NAME = "netty-leak-detection";
    /**
     * Off in production, as grpc-java and Netty advise: Netty's own default (simple) records a stack trace
     * for one buffer in 128, measured at 2-4% of the gateway's throughput (docs/PERFORMANCE.md, issue 13).
     * JVM-wide: the gateway sets it when it starts, so a test JVM that starts gateways runs without it too
     * (at paranoid, the tests that count a decoder's allocations would count the detector's records).
     */
    public static final ResourceLeakDetector.Level NETTY_LEAK_DETECTION_DEFAULT = ResourceLeakDetector.Level.DISABLED;

    /**
     * The certificate chain (PEM) every listener serves over TLS; none: plaintext. Reloaded when the file
     * changes ({@link io.scoring.gateway.tls.GatewayTls}).
     */
    public static final String TLS_CERT_PROP_NAME = "tls-cert";

    /** The certificate's private key, PEM PKCS#8; with {@link #TLS_CERT_PROP_NAME} only. */
    public static final String TLS_KEY_PROP_NAME = "tls-key";

    /** The CAs (PEM) whose client certificates every listener requires (mTLS); none: no client certificates. */
    public static final String TLS_CLIENT_CA_PROP_NAME = "tls-client-ca";

    /** The properties file the other settings may come from; read by {@link #resolve}, recorded here. */
    public static final String CONFIG_PROP_NAME = "config";

    /** Where gRPC's buffers come from. */
    public enum GrpcAllocator
    {
        /** Netty's default allocator, shared with the HTTP transport. */
        NETTY,
        /** grpc-netty's own pooled allocator (what {@code -Dio.grpc.netty.useCustomAllocator=true} gave). */
        GRPC
    }

    private int httpPort = HTTP_PORT_DEFAULT;
    private int grpcPort = GRPC_PORT_DEFAULT;
    private int adminPort = ADMIN_PORT_DEFAULT;
    private Path models;
    private String features = "";
    private Path stateDir = Path.of(STATE_DIR_DEFAULT);
    private String stateStore = "";
    private String stateStorePrefix = STATE_STORE_PREFIX_DEFAULT;
    private String payloadLogDir = "";
    private String historyDir = "";
    private int historyRedisMaxPoints = HISTORY_REDIS_MAX_POINTS_DEFAULT;
    private int maxRequestBytes = MAX_REQUEST_BYTES_DEFAULT;
    private int drainSeconds = DRAIN_SECONDS_DEFAULT;
    private int ioThreads = IO_THREADS_DEFAULT;
    private int grpcExecutorThreads = GRPC_EXECUTOR_THREADS_DEFAULT;
    private GrpcAllocator grpcAllocator = GRPC_ALLOCATOR_DEFAULT;
    private String concurrencyLimit = CONCURRENCY_LIMIT_DEFAULT;
    private int concurrencyLimitMax = CONCURRENCY_LIMIT_MAX_DEFAULT;
    private int scoringThreads = SCORING_THREADS_DEFAULT;
    private double concurrencyLimitTolerance = CONCURRENCY_LIMIT_TOLERANCE_DEFAULT;
    private long scoringQueueWaitMs = SCORING_QUEUE_WAIT_MS_DEFAULT;
    private long scoringQueueTargetMs = SCORING_QUEUE_TARGET_MS_DEFAULT;
    private int maxConnections = MAX_CONNECTIONS_DEFAULT;
    private int maxHeaderBytes = MAX_HEADER_BYTES_DEFAULT;
    private long requestReadTimeoutMs = REQUEST_READ_TIMEOUT_MS_DEFAULT;
    private long idleTimeoutMs = IDLE_TIMEOUT_MS_DEFAULT;
    private int grpcMaxCallsPerConnection = GRPC_MAX_CALLS_PER_CONNECTION_DEFAULT;

    private ResourceLeakDetector.Level nettyLeakDetection = NETTY_LEAK_DETECTION_DEFAULT;
    private Path configFile;
    private Path tlsCert;
    private Path tlsKey;
    private Path tlsClientCa;
    private final Monitoring.Context monitoring = new Monitoring.Context().outcomes(outcomeLabels());
    private final ModelRepository.Context modelRepository = new ModelRepository.Context();
    private final Rollouts.Context rollout = new Rollouts.Context();
    private final HealthProbes.Context healthProbe = new HealthProbes.Context();
    private final RedisFeatureStore.Context redis = new RedisFeatureStore.Context()
        .project(REDIS_PROJECT_DEFAULT)
        .featureView(REDIS_FEATURE_VIEW_DEFAULT)
        .joinKey(REDIS_JOIN_KEY_DEFAULT);

    /**
     * Reads every setting from the flags, the environment and the config file the flags or the environment
     * name, and concludes.
     *
     * @throws IllegalArgumentException naming the setting and the value: an unknown flag or config-file key,
     *                                  a value that is not of the setting's type or out of its range
     */
    public static GatewayConfig resolve(final String[] args, final Map<String, String> env)
    {
        return Settings.resolve(args, env, new GatewayConfig()).conclude();
    }

    /**
     * Fills the defaults that depend on other settings (the payload log under the state dir, one event loop
     * per core) and validates every setting, the modules' too. Idempotent.
     *
     * @throws IllegalArgumentException naming the setting and the value
     */
    public GatewayConfig conclude()
    {
        require(httpPort >= 0 && httpPort <= 65535, HTTP_PORT_PROP_NAME, httpPort, "0-65535");
        require(grpcPort >= 0 && grpcPort <= 65535, GRPC_PORT_PROP_NAME, grpcPort, "0-65535");
        require(adminPort >= 0 && adminPort <= 65535, ADMIN_PORT_PROP_NAME, adminPort, "0-65535");
        require(maxRequestBytes >= 1, MAX_REQUEST_BYTES_PROP_NAME, maxRequestBytes, "at least 1");
        require(drainSeconds >= 0, DRAIN_SECONDS_PROP_NAME, drainSeconds, "0 or more");
        require(historyRedisMaxPoints >= 1, HISTORY_REDIS_MAX_POINTS_PROP_NAME, historyRedisMaxPoints, "at least 1");
        require(ioThreads >= 0, IO_THREADS_PROP_NAME, ioThreads, "0 or more");
        require(grpcExecutorThreads >= 0, GRPC_EXECUTOR_THREADS_PROP_NAME, grpcExecutorThreads, "0 or more");
        require(validLimit(concurrencyLimit), CONCURRENCY_LIMIT_PROP_NAME, concurrencyLimit,
            "gradient2, vegas, off or a whole number from 1");
        require(concurrencyLimitMax >= 1, CONCURRENCY_LIMIT_MAX_PROP_NAME, concurrencyLimitMax, "at least 1");
        require(scoringThreads >= 0, SCORING_THREADS_PROP_NAME, scoringThreads, "0 or more");
        require(concurrencyLimitTolerance >= 1.0, CONCURRENCY_LIMIT_TOLERANCE_PROP_NAME, concurrencyLimitTolerance,
            "at least 1");
        require(scoringQueueTargetMs >= 1, SCORING_QUEUE_TARGET_MS_PROP_NAME, scoringQueueTargetMs, "at least 1");
        require(scoringQueueWaitMs >= scoringQueueTargetMs, SCORING_QUEUE_WAIT_MS_PROP_NAME, scoringQueueWaitMs,
            "at least " + SCORING_QUEUE_TARGET_MS_PROP_NAME + " (" + scoringQueueTargetMs + ")");
        require(maxConnections >= 1, MAX_CONNECTIONS_PROP_NAME, maxConnections, "at least 1");
        require(maxHeaderBytes >= 1024, MAX_HEADER_BYTES_PROP_NAME, maxHeaderBytes, "at least 1024");
        require(requestReadTimeoutMs >= 1, REQUEST_READ_TIMEOUT_MS_PROP_NAME, requestReadTimeoutMs, "at least 1");
        require(idleTimeoutMs >= 1, IDLE_TIMEOUT_MS_PROP_NAME, idleTimeoutMs, "at least 1");
        require(grpcMaxCallsPerConnection >= 1, GRPC_MAX_CALLS_PER_CONNECTION_PROP_NAME, grpcMaxCallsPerConnection,
            "at least 1");
        require((null == tlsCert) == (null == tlsKey), TLS_KEY_PROP_NAME, tlsKey,
            "given with " + TLS_CERT_PROP_NAME + " (" + tlsCert + "), as a pair");
        require(null == tlsClientCa || null != tlsCert, TLS_CLIENT_CA_PROP_NAME, tlsClientCa,
            "given with " + TLS_CERT_PROP_NAME + " and " + TLS_KEY_PROP_NAME + ": client certificates need TLS");
        monitoring.payloadLogDir(OFF.equals(payloadLogDir) ? null :
            payloadLogDir.isEmpty() ? stateDir.resolve("payload-log") : Path.of(payloadLogDir));
        monitoring.historyDir(OFF.equals(historyDir) ? null :
            historyDir.isEmpty() ? stateDir.resolve("history") : Path.of(historyDir));
        monitoring.conclude();
        modelRepository.conclude();
        rollout.conclude();
        healthProbe.conclude();
        return this;
    }

    static void require(final boolean valid, final String name, final Object value, final String rule)
    {
        if (!valid)
        {
            throw new IllegalArgumentException(name + " must be " + rule + ", got " + value);
        }
    }

    private static boolean validLimit(final String limit)
    {
        try
        {
            return Admission.algorithm(limit) != Admission.Algorithm.FIXED || fixedLimit(limit) >= 1;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    private static int fixedLimit(final String limit)
    {
        return Integer.parseInt(limit.trim());
    }

    /** The edge's admission: the concurrency limit this configuration names, and its scoring threads. */
    public Admission admission()
    {
        final Admission.Algorithm algorithm = Admission.algorithm(concurrencyLimit);
        final int threads = scoringThreads > 0 ? scoringThreads : Runtime.getRuntime().availableProcessors();
        return Admission.limited(algorithm, algorithm == Admission.Algorithm.FIXED ? fixedLimit(concurrencyLimit) : 0,
            concurrencyLimitMax, threads, concurrencyLimitTolerance, TimeUnit.MILLISECONDS.toNanos(scoringQueueTargetMs),
            TimeUnit.MILLISECONDS.toNanos(scoringQueueWaitMs));
    }

    /** What bounds one client's share: connections, header bytes, timeouts, calls per gRPC connection. */
    public ClientLimits clientLimits()
    {
        return new ClientLimits(maxConnections, maxHeaderBytes, requestReadTimeoutMs, idleTimeoutMs, grpcMaxCallsPerConnection);
    }

    public GatewayConfig maxConnections(final int maxConnections)
    {
        this.maxConnections = maxConnections;
        return this;
    }

    public GatewayConfig maxHeaderBytes(final int maxHeaderBytes)
    {
        this.maxHeaderBytes = maxHeaderBytes;
        return this;
    }

    public GatewayConfig requestReadTimeoutMs(final long requestReadTimeoutMs)
    {
        this.requestReadTimeoutMs = requestReadTimeoutMs;
        return this;
    }

    public GatewayConfig idleTimeoutMs(final long idleTimeoutMs)
    {
        this.idleTimeoutMs = idleTimeoutMs;
        return this;
    }

    public GatewayConfig grpcMaxCallsPerConnection(final int grpcMaxCallsPerConnection)
    {
        this.grpcMaxCallsPerConnection = grpcMaxCallsPerConnection;
        return this;
    }

    /** {@code gradient2}, {@code vegas}, {@code off} or a fixed limit. */
    public GatewayConfig concurrencyLimit(final String concurrencyLimit)
    {
        this.concurrencyLimit = concurrencyLimit;
        return this;
    }

    public GatewayConfig concurrencyLimitMax(final int concurrencyLimitMax)
    {
        this.concurrencyLimitMax = concurrencyLimitMax;
        return this;
    }

    /** Threads scoring the admitted calls; 0: one per core. */
    public GatewayConfig concurrencyLimitTolerance(final double concurrencyLimitTolerance)
    {
        this.concurrencyLimitTolerance = concurrencyLimitTolerance;
        return this;
    }

    public GatewayConfig scoringQueueWaitMs(final long scoringQueueWaitMs)
    {
        this.scoringQueueWaitMs = scoringQueueWaitMs;
        return this;
    }

    public GatewayConfig scoringQueueTargetMs(final long scoringQueueTargetMs)
    {
        this.scoringQueueTargetMs = scoringQueueTargetMs;
        return this;
    }

    public GatewayConfig scoringThreads(final int scoringThreads)
    {
        this.scoringThreads = scoringThreads;
        return this;
    }

    private static List<String> outcomeLabels()
    {
        final List<String> labels = new ArrayList<>();
        for (final Outcome outcome : Outcome.values())
        {
            labels.add(outcome.label());
        }
        return labels;
    }

    /** The monitoring module's settings; {@link Monitoring#start} takes it. */
    public Monitoring.Context monitoringContext()
    {
        return monitoring;
    }

    /** The router's settings: max rows, runtime choice, tree layout, shadow ring and idle sleep. */
    public ModelRepository.Context modelRepositoryContext()
    {
        return modelRepository;
    }

    /** The rollouts' settings: the driver's tick, the judge's windows and thresholds, the replay gate's rows. */
    public Rollouts.Context rolloutContext()
    {
        return rollout;
    }

    /** The health probes' settings: their interval and the golden rows' default tolerance. */
    public HealthProbes.Context healthProbeContext()
    {
        return healthProbe;
    }

    /**
     * The Redis feature store's settings, without its URI ({@link #redisUri()} names it); the store concludes it
     * when it connects.
     */
    public RedisFeatureStore.Context redisContext()
    {
        return redis;
    }

    /** The PEM certificate chain; null: plaintext. */
    public GatewayConfig tlsCert(final Path tlsCert)
    {
        this.tlsCert = tlsCert;
        return this;
    }

    public Path tlsCert()
    {
        return tlsCert;
    }

    /** The PEM PKCS#8 private key of {@link #tlsCert()}. */
    public GatewayConfig tlsKey(final Path tlsKey)
    {
        this.tlsKey = tlsKey;
        return this;
    }

    public Path tlsKey()
    {
        return tlsKey;
    }

    /** The PEM CAs of accepted client certificates; null: none required. */
    public GatewayConfig tlsClientCa(final Path tlsClientCa)
    {
        this.tlsClientCa = tlsClientCa;
        return this;
    }

    public Path tlsClientCa()
    {
        return tlsClientCa;
    }

    public GatewayConfig httpPort(final int httpPort)
    {
        this.httpPort = httpPort;
        return this;
    }

    public int httpPort()
    {
        return httpPort;
    }

    public GatewayConfig grpcPort(final int grpcPort)
    {
        this.grpcPort = grpcPort;
        return this;
    }

    public int grpcPort()
    {
        return grpcPort;
    }

    public GatewayConfig adminPort(final int adminPort)
    {
        this.adminPort = adminPort;
        return this;
    }

    public int adminPort()
    {
        return adminPort;
    }

    /** The model repository; null: the demo bundled in the jar. */
    public GatewayConfig models(final Path models)
    {
        this.models = models;
        return this;
    }

    public Path models()
    {
        return models;
    }

    /** A snapshot file, {@code redis://host:port}, or empty for the bundled demo applicants. */
    public GatewayConfig features(final String features)
    {
        this.features = features;
        return this;
    }

    /** The feature snapshot, or null for the bundled demo applicants (or when the store is Redis). */
    public Path features()
    {
        return features.isEmpty() || null != redisUri() ? null : Path.of(features);
    }

    /** The Redis URI when the store is Redis, else null. */
    public String redisUri()
    {
        return features.startsWith("redis://") || features.startsWith("rediss://") ? features : null;
    }

    public GatewayConfig stateDir(final Path stateDir)
    {
        this.stateDir = stateDir;
        return this;
    }

    public Path stateDir()
    {
        return stateDir;
    }

    /** Empty: a file in the state dir; {@code redis://host:port}: shared by every replica. */
    public GatewayConfig stateStore(final String stateStore)
    {
        this.stateStore = stateStore;
        return this;
    }

    public String stateStore()
    {
        return stateStore;
    }

    public GatewayConfig stateStorePrefix(final String stateStorePrefix)
    {
        this.stateStorePrefix = stateStorePrefix;
        return this;
    }

    public String stateStorePrefix()
    {
        return stateStorePrefix;
    }

    /** Empty: {@code <state-dir>/history}; {@value #OFF}: no evaluation history; else the directory. */
    public GatewayConfig historyDir(final String historyDir)
    {
        this.historyDir = historyDir;
        return this;
    }

    public String historyDir()
    {
        return historyDir;
    }

    /** With {@code --state-store redis://}: the evaluations each model's shared history stream keeps. */
    public GatewayConfig historyRedisMaxPoints(final int historyRedisMaxPoints)
    {
        this.historyRedisMaxPoints = historyRedisMaxPoints;
        return this;
    }

    public int historyRedisMaxPoints()
    {
        return historyRedisMaxPoints;
    }

    /** Empty: {@code <state-dir>/payload-log}; {@value #OFF}: no payload log; else the directory. */
    public GatewayConfig payloadLogDir(final String payloadLogDir)
    {
        this.payloadLogDir = payloadLogDir;
        return this;
    }

    public GatewayConfig maxRequestBytes(final int maxRequestBytes)
    {
        this.maxRequestBytes = maxRequestBytes;
        return this;
    }

    public int maxRequestBytes()
    {
        return maxRequestBytes;
    }

    /** How long a drain waits for requests in flight before it closes connections anyway. */
    public GatewayConfig drainSeconds(final int drainSeconds)
    {
        this.drainSeconds = drainSeconds;
        return this;
    }

    public int drainSeconds()
    {
        return drainSeconds;
    }

    /** Event-loop threads shared by HTTP and gRPC; 0: one per core. */
    public GatewayConfig ioThreads(final int ioThreads)
    {
        this.ioThreads = ioThreads;
        return this;
    }

    /** The event loops to start: the setting, or one per core when it is 0. */
    public int ioThreads()
    {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }

    /** Threads running gRPC handlers; 0: the event loops themselves. */
    public GatewayConfig grpcExecutorThreads(final int grpcExecutorThreads)
    {
        this.grpcExecutorThreads = grpcExecutorThreads;
        return this;
    }

    public int grpcExecutorThreads()
    {
        return grpcExecutorThreads;
    }

    public GatewayConfig grpcAllocator(final GrpcAllocator grpcAllocator)
    {
        this.grpcAllocator = grpcAllocator;
        return this;
    }

    public GrpcAllocator grpcAllocator()
    {
        return grpcAllocator;
    }

    /** Netty's buffer leak detection (JVM-wide): disabled, simple, advanced or paranoid. */
    public GatewayConfig nettyLeakDetection(final ResourceLeakDetector.Level nettyLeakDetection)
    {
        this.nettyLeakDetection = nettyLeakDetection;
        return this;
    }

    public ResourceLeakDetector.Level nettyLeakDetection()
    {
        return nettyLeakDetection;
    }

    GatewayConfig configFile(final Path configFile)
    {
        this.configFile = configFile;
        return this;
    }

    /** The properties file the settings were read from, or null. */
    public Path configFile()
    {
        return configFile;
    }

    /** The Redis store's settings for {@code uri}, concluded (so checked, and fixed from here on). */
    RedisFeatureStore.Context redisContext(final String uri)
    {
        return redis.uri(uri).conclude();
    }
}
