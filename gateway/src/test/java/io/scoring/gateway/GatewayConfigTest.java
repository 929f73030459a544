package io.scoring.gateway;

import io.scoring.features.redis.RedisFeatureStore;
import io.scoring.monitoring.Monitoring;
import io.scoring.router.ModelRepository;
import io.scoring.router.runtime.OnnxRuntimes;
import io.scoring.router.runtime.nativeeval.NativeEvaluators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The gateway's typed configuration: each setting from a flag, an environment variable or a config-file
 * line reaches the Context of the module that uses it, in that order of precedence, and a bad value is
 * refused with a message naming the setting and the value.
 */
class GatewayConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCarryADriftWindowFromAFlagAnEnvironmentVariableOrAConfigFileLineIntoTheMonitoringContext() throws IOException
    {
        final Path file = configFile("drift-window-rows=300");

        final GatewayConfig fromFlag = GatewayConfig.resolve(new String[]{"--drift-window-rows", "100"}, Map.of());
        final GatewayConfig fromEnv = GatewayConfig.resolve(new String[0], Map.of("SCORING_DRIFT_WINDOW_ROWS", "200"));
        final GatewayConfig fromFile = GatewayConfig.resolve(new String[]{"--config=" + file}, Map.of());
        final GatewayConfig untouched = GatewayConfig.resolve(new String[0], Map.of());

        assertEquals(100, fromFlag.monitoringContext().driftWindowRows());
        assertEquals(200, fromEnv.monitoringContext().driftWindowRows());
        assertEquals(300, fromFile.monitoringContext().driftWindowRows());
        assertEquals(Monitoring.Context.DRIFT_WINDOW_ROWS_DEFAULT, untouched.monitoringContext().driftWindowRows());
    }

    @Test
    void shouldCapTheSharedHistoryStreamFromAFlagAnEnvironmentVariableOrAConfigFileLine() throws IOException
    {
        final Path file = configFile("history-redis-max-points=3000");

        assertEquals(1000, GatewayConfig.resolve(new String[]{"--history-redis-max-points", "1000"}, Map.of())
            .historyRedisMaxPoints());
        assertEquals(2000, GatewayConfig.resolve(new String[0], Map.of("SCORING_HISTORY_REDIS_MAX_POINTS", "2000"))
            .historyRedisMaxPoints());
        assertEquals(3000, GatewayConfig.resolve(new String[]{"--config=" + file}, Map.of()).historyRedisMaxPoints());
        assertEquals(GatewayConfig.HISTORY_REDIS_MAX_POINTS_DEFAULT,
            GatewayConfig.resolve(new String[0], Map.of()).historyRedisMaxPoints());
    }

    @Test
    void shouldPreferAFlagOverTheEnvironmentAndTheEnvironmentOverTheConfigFile() throws IOException
    {
        final Path file = configFile("shadow-idle-sleep-us=1", "comparison-window-pairs=11", "drain-seconds=7");
        final Map<String, String> env = Map.of(
            "SCORING_CONFIG", file.toString(), "SCORING_SHADOW_IDLE_SLEEP_US", "2", "SCORING_COMPARISON_WINDOW_PAIRS", "22");

        final GatewayConfig config = GatewayConfig.resolve(new String[]{"--shadow-idle-sleep-us=3"}, env);

        assertEquals(3, config.modelRepositoryContext().shadowIdleSleepMicros(), "the flag");
        assertEquals(22, config.monitoringContext().comparisonWindowPairs(), "the environment");
        assertEquals(7, config.drainSeconds(), "the file");
        assertEquals(file, config.configFile());
    }

    @Test
    void shouldBuildTheRouterContextFromItsFiveSettings()
    {
        final ModelRepository.Context router = GatewayConfig.resolve(new String[]{"--runtime", "onnxruntime",
            "--tree-layout", "linked", "--shadow-ring-bytes", "65536", "--shadow-idle-sleep-us", "0", "--max-rows", "8"},
            Map.of()).modelRepositoryContext();

        assertEquals(OnnxRuntimes.Choice.ONNXRUNTIME, router.runtime());
        assertEquals(NativeEvaluators.TreeLayout.LINKED, router.treeLayout());
        assertEquals(65536, router.shadowRingBytes());
        assertEquals(0, router.shadowIdleSleepMicros());
        assertEquals(8, router.maxRows());
    }

    @Test
    void shouldBuildThePayloadLogAndKafkaSettingsOfTheMonitoringContext()
    {
        final Monitoring.Context monitoring = GatewayConfig.resolve(new String[]{"--state-dir", dir.toString(),
            "--payload-log-max-file-bytes", "4096", "--payload-log-max-total-bytes", "8192", "--payload-kafka", "k:9092",
            "--payload-kafka-buffer-bytes", "131072", "--payload-kafka-linger-ms", "9", "--sample-queue-bytes", "65536",
            "--latency-interval-ms", "500", "--feedback-journal-size", "1024", "--feedback-ttl-ms", "60000"},
            Map.of()).monitoringContext();

        assertEquals(dir.resolve("payload-log"), monitoring.payloadLogDir(), "under the state dir unless named");
        assertEquals(4096, monitoring.payloadLogMaxFileBytes());
        assertEquals(8192, monitoring.payloadLogMaxTotalBytes());
        assertEquals("k:9092", monitoring.payloadKafka());
        assertEquals(131072, monitoring.payloadKafkaBufferBytes());
        assertEquals(9, monitoring.payloadKafkaLingerMillis());
        assertEquals(65536, monitoring.sampleQueueBytes());
        assertEquals(500, monitoring.latencyIntervalMillis());
        assertEquals(1024, monitoring.feedbackJournalSize());
        assertEquals(60_000, monitoring.feedbackTtlMillis());
        assertNull(GatewayConfig.resolve(new String[]{"--payload-log-dir", "off"}, Map.of()).monitoringContext().payloadLogDir());
    }

    @Test
    void shouldBuildTheRedisStoreContextFromTheRedisFlags()
    {
        final GatewayConfig config = GatewayConfig.resolve(new String[]{"--features", "redis://127.0.0.1:6390",
            "--redis-project", "fraud", "--redis-deadline-ms", "7", "--redis-near-cache-size", "50",
            "--redis-entity-key-type", "int64", "--redis-max-age", "applicants=1d,bureau=300s",
            "--redis-breaker-failures", "3", "--redis-breaker-cool-down-ms", "250", "--redis-connect-timeout-ms", "40",
            "--redis-reconnect-delay-max-ms", "60", "--redis-request-queue-size", "128"}, Map.of());

        final RedisFeatureStore.Context redis = config.redisContext(config.redisUri());

        assertEquals("redis://127.0.0.1:6390", redis.uri());
        assertEquals("fraud", redis.project());
        assertEquals(GatewayConfig.REDIS_JOIN_KEY_DEFAULT, redis.joinKey());
        assertEquals(GatewayConfig.REDIS_FEATURE_VIEW_DEFAULT, redis.featureView());
        assertEquals(Duration.ofMillis(7), redis.deadline());
        assertEquals(50, redis.nearCacheSize());
        assertEquals(RedisFeatureStore.EntityKeyType.INT64, redis.entityKeyType());
        assertEquals(Map.of("applicants", Duration.ofDays(1), "bureau", Duration.ofSeconds(300)), redis.maxAges());
        assertEquals(3, redis.breakerFailureThreshold());
        assertEquals(Duration.ofMillis(250), redis.breakerCoolDown());
        assertEquals(Duration.ofMillis(40), redis.connectTimeout());
        assertEquals(Duration.ofMillis(60), redis.reconnectDelayMax());
        assertEquals(128, redis.requestQueueSize());
    }

    @Test
    void shouldLeaveEveryRedisSettingNoFlagNamesAtTheStoresDefault()
    {
        final RedisFeatureStore.Context redis = GatewayConfig.resolve(new String[0], Map.of()).redisContext();

        assertEquals(RedisFeatureStore.Context.ENTITY_KEY_TYPE_DEFAULT, redis.entityKeyType());
        assertEquals(Map.of(), redis.maxAges());
        assertEquals(RedisFeatureStore.Context.DEADLINE_DEFAULT, redis.deadline());
        assertEquals(RedisFeatureStore.Context.BREAKER_FAILURE_THRESHOLD_DEFAULT, redis.breakerFailureThreshold());
        assertEquals(RedisFeatureStore.Context.BREAKER_COOL_DOWN_DEFAULT, redis.breakerCoolDown());
        assertEquals(RedisFeatureStore.Context.CONNECT_TIMEOUT_DEFAULT, redis.connectTimeout());
        assertEquals(RedisFeatureStore.Context.RECONNECT_DELAY_MAX_DEFAULT, redis.reconnectDelayMax());
        assertEquals(RedisFeatureStore.Context.REQUEST_QUEUE_SIZE_DEFAULT, redis.requestQueueSize());
    }

    @Test
    void shouldServeGrpcFromNettysAllocatorUnlessGrpcsOwnIsAskedFor()
    {
        assertEquals(GatewayConfig.GrpcAllocator.NETTY, GatewayConfig.resolve(new String[0], Map.of()).grpcAllocator());
        assertEquals(GatewayConfig.GrpcAllocator.GRPC,
            GatewayConfig.resolve(new String[0], Map.of("SCORING_GRPC_ALLOCATOR", "grpc")).grpcAllocator());
    }

    @Test
    void shouldLeaveNettysLeakDetectionOffUnlessAskedFor()
    {
        assertEquals(io.netty.util.ResourceLeakDetector.Level.DISABLED,
            GatewayConfig.resolve(new String[0], Map.of()).nettyLeakDetection());
        assertEquals(io.netty.util.ResourceLeakDetector.Level.PARANOID,
            GatewayConfig.resolve(new String[]{"--netty-leak-detection", "paranoid"}, Map.of()).nettyLeakDetection());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--drift-window-rows=many      | drift-window-rows must be an integer, got 'many'",
        "--drift-min-rows=5000         | drift-min-rows must be 1 to drift-window-rows (1000), got 5000",
        "--drift-alpha=2               | drift-alpha must be between 0 and 1, got 2.0",
        "--sampling-percent=101        | sampling-percent must be 0 to 100, got 101.0",
        "--runtime=tensorrt            | runtime must be one of auto, onnxruntime, got 'tensorrt'",
        "--tree-layout=balanced        | tree-layout must be one of auto, perfect, linked, got 'balanced'",
        "--shadow-ring-bytes=1000      | shadow-ring-bytes must be a power of two of at least 4096, got 1000",
        "--grpc-allocator=unpooled     | grpc-allocator must be one of netty, grpc, got 'unpooled'",
        "--http-port=70000             | http-port must be 0-65535, got 70000",
        "--redis-deadline-ms=0         | redis-deadline-ms must be at least 1, got 0",
        "--redis-entity-key-type=uuid  | redis-entity-key-type must be one of string, int64, got 'uuid'",
        "--redis-breaker-failures=0    | redis-breaker-failures must be at least 1, got 0",
        "--redis-breaker-cool-down-ms=0 | redis-breaker-cool-down-ms must be at least 1, got 0",
        "--redis-connect-timeout-ms=0  | redis-connect-timeout-ms must be at least 1, got 0",
        "--redis-reconnect-delay-max-ms=0 | redis-reconnect-delay-max-ms must be at least 1, got 0",
        "--redis-request-queue-size=0  | redis-request-queue-size must be at least 1, got 0",
        "--feedback-journal-size=1000  | feedback-journal-size must be a power of two of at least 8, got 1000",
        "--payload-log-max-total-bytes=1 | payload-log-max-total-bytes must be at least payload-log-max-file-bytes (67108864), got 1",
        "--concurrency-limit=fast      | concurrency-limit must be gradient2, vegas, off or a whole number from 1, got fast",
        "--concurrency-limit=0         | concurrency-limit must be gradient2, vegas, off or a whole number from 1, got 0",
        "--concurrency-limit-max=0     | concurrency-limit-max must be at least 1, got 0",
        "--history-redis-max-points=0  | history-redis-max-points must be at least 1, got 0",
        "--max-header-bytes=100        | max-header-bytes must be at least 1024, got 100",
        "--request-read-timeout-ms=0   | request-read-timeout-ms must be at least 1, got 0",
        "--grpc-max-calls-per-connection=0 | grpc-max-calls-per-connection must be at least 1, got 0",
        "--no-such-setting=1           | unknown argument '--no-such-setting=1'"})
    void shouldRefuseABadFlagNamingTheSettingAndTheValue(final String flag, final String message)
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.resolve(new String[]{flag}, Map.of()));

        assertEquals(message, refused.getMessage());
    }

    @Test
    void shouldRefuseABadValueFromTheEnvironmentOrTheConfigFileAsFromAFlag() throws IOException
    {
        final IllegalArgumentException fromEnv = assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.resolve(new String[0], Map.of("SCORING_SHADOW_IDLE_SLEEP_US", "-5")));
        final Path file = configFile("comparison-window-pairs=0");
        final IllegalArgumentException fromFile = assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.resolve(new String[]{"--config", file.toString()}, Map.of()));
        final Path unknownKey = configFile("drift-windw-rows=10");
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.resolve(new String[]{"--config", unknownKey.toString()}, Map.of()));

        assertEquals("shadow-idle-sleep-us must be 0 to 1000000, got -5", fromEnv.getMessage());
        assertEquals("comparison-window-pairs must be at least 1, got 0", fromFile.getMessage());
        assertEquals(unknownKey + ": unknown setting 'drift-windw-rows'", unknown.getMessage());
    }

    private Path configFile(final String... lines) throws IOException
    {
        return Files.write(Files.createTempFile(dir, "gateway", ".properties"), java.util.List.of(lines));
    }
}
