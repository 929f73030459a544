package io.scoring.features.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.features.SnapshotWriter;
import io.scoring.features.StoredFeature;
import io.scoring.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static io.scoring.features.FeatureStore.ENTITY_NOT_FOUND;
import static io.scoring.features.FeatureStore.FOUND;
import static io.scoring.features.FeatureStore.MISSING_COLUMN;
import static io.scoring.features.FeatureStore.STATUS_ENTITY_NOT_FOUND;
import static io.scoring.features.FeatureStore.STATUS_FEATURE_MISSING;
import static io.scoring.features.FeatureStore.STATUS_FOUND;
import static io.scoring.features.FeatureStore.STATUS_INVALID_VALUE;
import static io.scoring.features.FeatureStore.STATUS_STALE;
import static io.scoring.features.FeatureStore.STATUS_STORE_UNAVAILABLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis store against a real redis-server ({@link RedisServerProcess}), one per test, never a mock.
 */
class RedisFeatureStoreTest
{
    /** The gateway's bundled demo: 1,000 German Credit applicants, 16 stored features. */
    private static final Path DEMO_SNAPSHOT = Path.of("../gateway/src/main/resources/demo/features/applicants.snapshot");

    private static final Duration TEST_DEADLINE = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private RedisServerProcess server;
    private RedisClient adminClient;
    private RedisCommands<byte[], byte[]> admin;
    private final List<RedisFeatureStore> stores = new ArrayList<>();

    @BeforeEach
    void startRedis() throws IOException
    {
        server = RedisServerProcess.startOnFreePort();
        adminClient = RedisClient.create(server.uri());
        admin = adminClient.connect(ByteArrayCodec.INSTANCE).sync();
    }

    @AfterEach
    void stopRedis()
    {
        stores.forEach(RedisFeatureStore::close);
        adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        server.close();
    }

    @Test
    void shouldReadBackEqualWhatTheLoaderWroteForEveryDemoApplicant() throws IOException
    {
        final RedisFeatureStore.Context settings = demoSettings(UnaryOperator.identity());
        assertEquals(1_000, FeastRedisLoader.load(DEMO_SNAPSHOT, settings));

        try (EmbeddedFeatureStore embedded = EmbeddedFeatureStore.load(DEMO_SNAPSHOT))
        {
            final RedisFeatureStore redis = connect(settings);
            final int features = embedded.featureNames().size();
            final int[] redisColumns = columns(redis, embedded.featureNames());
            final int[] embeddedColumns = columns(embedded, embedded.featureNames());
            final int[] positions = identity(features);
            final List<String> keys = new ArrayList<>();
            embedded.forEachEntity((key, values) -> keys.add(key));
            assertEquals(1_000, keys.size());

            // 10 entities a request; an unknown key rides along in each
            final int rows = 11;
            final float[] values = new float[rows * features];
            final byte[] statuses = new byte[rows * features];
            final float[] expected = new float[features];
            for (int first = 0; first < keys.size(); first += rows - 1)
            {
                final CharSequence[] request = new CharSequence[rows];
                for (int row = 0; row < rows - 1; row++)
                {
                    request[row] = keys.get(Math.min(first + row, keys.size() - 1));
                }
                request[rows - 1] = "no-such-applicant";
                redis.lookupAll(request, rows, redisColumns, positions, values, statuses, features);

                for (int row = 0; row < rows - 1; row++)
                {
                    assertEquals(FOUND, embedded.lookup(request[row], embeddedColumns, positions, expected, 0));
                    for (int column = 0; column < features; column++)
                    {
                        final int at = row * features + column;
                        final String where = request[row] + "/" + embedded.featureNames().get(column);
                        assertEquals(expected[column], values[at], where);
                        assertEquals(Float.isNaN(expected[column]) ? STATUS_FEATURE_MISSING : STATUS_FOUND, statuses[at], where);
                    }
                }
                for (int column = 0; column < features; column++)
                {
                    assertEquals(STATUS_ENTITY_NOT_FOUND, statuses[(rows - 1) * features + column]);
                    assertTrue(Float.isNaN(values[(rows - 1) * features + column]));
                }
            }

            final float[] single = new float[features];
            assertEquals(FOUND, redis.lookup("A0001", redisColumns, positions, single, 0));
            assertEquals(FOUND, embedded.lookup("A0001", embeddedColumns, positions, expected, 0));
            assertArrayEquals(expected, single);
            assertEquals(ENTITY_NOT_FOUND, redis.lookup("nobody", redisColumns, positions, single, 0));
            final RedisFeatureStore withoutView = connect(new RedisFeatureStore.Context().uri(server.uri()).project("credit")
                .joinKey("applicant_id"));
            assertEquals(MISSING_COLUMN, withoutView.columnIndex("job"), "no reference and no default view");
            assertEquals(MISSING_COLUMN, withoutView.columnIndex(new StoredFeature("job", "no-colon", List.of())));
            assertTrue(withoutView.columnIndex(new StoredFeature("job", "applicants:job", List.of())) >= 0);
        }
    }

    @Test
    void shouldReadWhatFeastItselfWouldHaveWritten()
    {
        // key, field and values built by hand (FeastKeysTest, Murmur3Test) and by Python's protobuf (FeastValuesTest)
        final byte[] key = HexFormat.of().parseHex(
            "01000000020000000c0000006170706c6963616e745f696402000000050000004130303031637265646974");
        admin.hset(key, Map.of(
            HexFormat.of().parseHex("7cc219be"), HexFormat.of().parseHex("3500008642"),    // applicants:age = 67.0f
            "_ts:applicants".getBytes(StandardCharsets.US_ASCII), HexFormat.of().parseHex("0880e2cfaa06")));

        final RedisFeatureStore store = connect(demoSettings((ctx) -> ctx.maxAge("applicants", Duration.ofDays(365_000))));
        final float[] target = new float[1];
        assertEquals(FOUND, store.lookup("A0001", new int[]{ store.columnIndex("age") }, new int[]{ 0 }, target, 0));
        assertEquals(67f, target[0]);
    }

    @Test
    void shouldSendAMultiEntityRequestInOneRoundTrip() throws IOException
    {
        final RedisFeatureStore.Context settings = demoSettings((ctx) -> ctx
            .maxAge("applicants", Duration.ofDays(1))  // two feature views with a max age (age is read from the
            .maxAge("demographics", Duration.ofDays(1))); // second): two _ts fields in every HMGET
        FeastRedisLoader.load(DEMO_SNAPSHOT, settings);
        FeastRedisLoader.load(DEMO_SNAPSHOT, new RedisFeatureStore.Context().uri(server.uri()).project("credit")
            .joinKey("applicant_id").featureView("demographics"));
        final ChannelCounter counter = new ChannelCounter();
        final RedisFeatureStore store = track(RedisFeatureStore.connect(settings, counter));
        final List<String> names = demoFeatureNames();
        final int[] columns = columns(store, names);
        columns[names.indexOf("age")] = store.columnIndex(new StoredFeature("age", "demographics:age", List.of()));
        final int[] positions = identity(names.size());

        final int rows = 25;
        final CharSequence[] keys = new CharSequence[rows];
        for (int row = 0; row < rows; row++)
        {
            keys[row] = String.format("A%04d", 1 + 37 * row);
        }
        final float[] values = new float[rows * names.size()];
        final byte[] statuses = new byte[rows * names.size()];
        store.lookupAll(keys, 1, columns, positions, values, statuses, names.size()); // connected and warm

        // The server counts the socket reads it processed; asking INFO costs one, so measure that baseline. (Redis
        // reads at most 16 KB at once: these 25 HMGETs of 18 fields are about 6 KB.)
        final long firstInfo = readsProcessed();
        final long idleReads = readsProcessed() - firstInfo;
        final long hmgetsBefore = hmgetCalls();
        final int flushesBefore = counter.flushes.get();
        final int writesBefore = counter.writes.get();
        final long readsBefore = readsProcessed();
        store.lookupAll(keys, rows, columns, positions, values, statuses, names.size());
        final long reads = readsProcessed() - readsBefore;

        for (int i = 0; i < values.length; i++)
        {
            assertEquals(STATUS_FOUND, statuses[i], "value " + i);
        }
        assertEquals(rows, hmgetCalls() - hmgetsBefore, "HMGETs the server executed");
        assertEquals(rows, counter.writes.get() - writesBefore, "commands written to the channel");
        assertEquals(1, counter.flushes.get() - flushesBefore, "flushes of the channel: one network write");
        assertEquals(1, reads - idleReads, "reads the server needed to receive the " + rows + " commands");
    }

    @Test
    void shouldAnswerUnavailableWhileRedisIsStoppedAndResumeWithinSecondsOfItsReturn() throws IOException
    {
        final RedisFeatureStore.Context settings = demoSettings((ctx) -> ctx
            .deadline(Duration.ofMillis(200)).breakerFailureThreshold(3).breakerCoolDown(Duration.ofMillis(300))
            .reconnectDelayMax(Duration.ofMillis(200)));
        FeastRedisLoader.load(DEMO_SNAPSHOT, settings);
        final RedisFeatureStore store = connect(settings);
        final Lookup lookup = new Lookup(store, "A0007");

        for (int i = 0; i < 20; i++)
        {
            assertEquals(STATUS_FOUND, lookup.run());
        }

        server.stop();
        int unavailable = 0;
        for (int i = 0; i < 200; i++)
        {
            final byte status = lookup.run();
            assertEquals(STATUS_STORE_UNAVAILABLE, status, "lookup " + i + " with Redis stopped");
            assertTrue(lookup.allNaN(), "lookup " + i);
            unavailable++;
            sleepMs(2);
        }
        assertTrue(store.circuitOpen(), "the breaker opened");
        // after the 3 failures that open it, the breaker answers without asking Redis, but for a probe
        // every cool-down (300 ms): most of the 200 lookups never paid the deadline
        assertTrue(store.keptFromRedis() >= 150, "lookups kept from a dead Redis: " + store.keptFromRedis());
        assertEquals(unavailable, store.unavailableLookups());

        server.start();
        FeastRedisLoader.load(DEMO_SNAPSHOT, settings); // redis-server runs without persistence: fill it again
        final long restartedNs = System.nanoTime();
        while (lookup.run() != STATUS_FOUND)
        {
            assertTrue(System.nanoTime() - restartedNs < Duration.ofSeconds(5).toNanos(), "lookups resumed within 5 s");
            sleepMs(5);
        }
        assertFalse(store.circuitOpen());
        System.out.printf("Redis back: lookups resumed after %d ms%n", (System.nanoTime() - restartedNs) / 1_000_000);
    }

    @Test
    void shouldStopPayingTheDeadlineOnceTheBreakerOpensOnAHungRedis() throws IOException
    {
        final Duration deadline = Duration.ofMillis(100);
        final RedisFeatureStore.Context settings = demoSettings((ctx) -> ctx
            .deadline(deadline).breakerFailureThreshold(3).breakerCoolDown(Duration.ofMillis(300)));
        final Lookup lookup = loadedLookup(settings);
        final RedisFeatureStore store = lookup.store;

        server.freeze();
        try
        {
            for (final long tookNs : unavailableLookupNanos(lookup, 3, Long.MAX_VALUE))
            {
                // it waits for the deadline, then gives up (the bound only proves it does not hang)
                assertTrue(tookNs >= deadline.toNanos() && tookNs < deadline.toNanos() + Duration.ofSeconds(2).toNanos(),
                    "a timed-out lookup took " + tookNs / 1_000_000 + " ms, the deadline is " + deadline.toMillis());
            }
            assertTrue(store.circuitOpen());
            final long keptBefore = store.keptFromRedis();
            for (int i = 0; i < 50; i++)
            {
                assertEquals(STATUS_STORE_UNAVAILABLE, lookup.run());
            }
            // an open breaker answers without asking the hung Redis, but for a probe per 300 ms cool-down
            assertTrue(store.keptFromRedis() - keptBefore >= 45, "kept from Redis: " + (store.keptFromRedis() - keptBefore));
        }
        finally
        {
            server.thaw();
        }

        final long thawedNs = System.nanoTime();
        while (lookup.run() != STATUS_FOUND)
        {
            assertTrue(System.nanoTime() - thawedNs < Duration.ofSeconds(5).toNanos(), "lookups resumed within 5 s");
            sleepMs(5);
        }
        assertTrue(lookup.values[lookup.ageAt] >= 18, "a real age again: " + lookup.values[lookup.ageAt]);
        assertFalse(store.circuitOpen());
    }

    @Test
    void shouldWaitForAHungRedisNoLongerThanTheCallersRemainingBudgetAndNotBlameRedisForIt() throws IOException
    {
        final Duration storeDeadline = Duration.ofSeconds(3);
        final Duration budget = Duration.ofMillis(100);
        final RedisFeatureStore.Context settings = demoSettings((ctx) -> ctx
            .deadline(storeDeadline).breakerFailureThreshold(1).breakerCoolDown(Duration.ofSeconds(30)));
        final Lookup lookup = loadedLookup(settings);
        final RedisFeatureStore store = lookup.store;

        server.freeze();
        try
        {
            for (final long tookNs : unavailableLookupNanos(lookup, 3, budget.toNanos()))
            {
                // the caller's 100 ms, not the store's 3 s (the upper bound only proves it is not the store's)
                assertTrue(tookNs >= budget.toNanos() && tookNs < storeDeadline.toNanos() / 2,
                    "a lookup with 100 ms left took " + tookNs / 1_000_000 + " ms; the store's own deadline is 3 s");
            }
            // with a threshold of one failure, a single one blamed on Redis would have opened the breaker
            assertFalse(store.circuitOpen(), "a caller's budget running out is no verdict on Redis");
        }
        finally
        {
            server.thaw();
        }
        awaitFound(lookup);
    }

    /** Times {@code count} lookups, each with {@code budgetNanos} left (Long.MAX_VALUE: no deadline), each unavailable. */
    private static long[] unavailableLookupNanos(final Lookup lookup, final int count, final long budgetNanos)
    {
        final long[] took = new long[count];
        for (int i = 0; i < count; i++)
        {
            final long startNs = System.nanoTime();
            assertEquals(STATUS_STORE_UNAVAILABLE, lookup.run(budgetNanos == Long.MAX_VALUE ? Long.MAX_VALUE : startNs + budgetNanos));
            took[i] = System.nanoTime() - startNs;
        }
        return took;
    }

    /** The demo loaded with these settings, a store connected to it, and a lookup of A0042 that has found it once. */
    private Lookup loadedLookup(final RedisFeatureStore.Context settings) throws IOException
    {
        FeastRedisLoader.load(DEMO_SNAPSHOT, settings);
        final Lookup lookup = new Lookup(connect(settings), "A0042");
        awaitFound(lookup); // a loaded machine may miss a short deadline on a fresh connection
        return lookup;
    }

    private static void awaitFound(final Lookup lookup)
    {
        final long startNs = System.nanoTime();
        while (lookup.run() != STATUS_FOUND)
        {
            assertTrue(System.nanoTime() - startNs < Duration.ofSeconds(5).toNanos(), "the first lookup succeeds within 5 s");
            sleepMs(5);
        }
    }

    @Test
    void shouldReportGarbageInOneFieldAsInvalidForThatFeatureOnly() throws IOException
    {
        final RedisFeatureStore.Context settings = demoSettings(UnaryOperator.identity());
        FeastRedisLoader.load(DEMO_SNAPSHOT, settings);
        final FeastKeys keys = new FeastKeys("applicant_id", RedisFeatureStore.EntityKeyType.STRING, "credit");
        admin.hset(keys.redisKey("A0003"), FeastKeys.featureField("applicants:age"),
            "not a protobuf!".getBytes(StandardCharsets.US_ASCII));
        admin.set(keys.redisKey("A0004"), "a string, not a hash".getBytes(StandardCharsets.US_ASCII));

        final RedisFeatureStore store = connect(settings);
        final List<String> names = demoFeatureNames();
        final int[] columns = columns(store, names);
        final float[] values = new float[3 * names.size()];
        final byte[] statuses = new byte[3 * names.size()];
        store.lookupAll(new CharSequence[]{ "A0003", "A0004", "A0005" }, 3, columns, identity(names.size()),
            values, statuses, names.size());

        final int age = names.indexOf("age");
        for (int column = 0; column < names.size(); column++)
        {
            assertEquals(column == age ? STATUS_INVALID_VALUE : STATUS_FOUND, statuses[column], names.get(column));
            assertEquals(column == age, Float.isNaN(values[column]), names.get(column));
            assertEquals(STATUS_INVALID_VALUE, statuses[names.size() + column], "WRONGTYPE: the whole entity");
            assertEquals(STATUS_FOUND, statuses[2 * names.size() + column], "the next entity is fine");
        }
        assertFalse(store.circuitOpen(), "bad data is not an unavailable store");
    }

    @Test
    void shouldCallValuesOlderThanTheirViewsMaxAgeStale() throws IOException
    {
        final Path snapshot = writeSnapshot(List.of("age", "job"), "fresh", "old", "untimed");
        final RedisFeatureStore.Context settings = new RedisFeatureStore.Context().uri(server.uri()).project("p").joinKey("id")
            .featureView("applicants").maxAge("applicants", Duration.ofHours(1)).deadline(TEST_DEADLINE);
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(snapshot))
        {
            FeastRedisLoader.load(store, settings, Instant.now().minus(Duration.ofHours(2)));
            FeastRedisLoader.load(store, new RedisFeatureStore.Context().uri(server.uri()).project("p").joinKey("id")
                .featureView("jobs"), Instant.now().minus(Duration.ofHours(2)));
        }
        final FeastKeys keys = new FeastKeys("id", RedisFeatureStore.EntityKeyType.STRING, "p");
        final byte[] timestampField = FeastKeys.timestampField("applicants");
        admin.hset(keys.redisKey("fresh"), timestampField, FeastValues.encodeTimestamp(Instant.now().getEpochSecond(), 0));
        admin.hdel(keys.redisKey("untimed"), timestampField);
        admin.hset(keys.redisKey("garbled"), Map.of(
            FeastKeys.featureField("applicants:age"), FeastValues.encodeFloat(1),
            timestampField, "not a timestamp".getBytes(StandardCharsets.US_ASCII)));

        final RedisFeatureStore redis = connect(settings);
        final int[] columns = { redis.columnIndex("age"), redis.columnIndex(new StoredFeature("job", "jobs:job", List.of())) };
        final float[] values = new float[8];
        final byte[] statuses = new byte[8];
        redis.lookupAll(new CharSequence[]{ "fresh", "old", "untimed", "garbled" }, 4, columns, new int[]{ 0, 1 },
            values, statuses, 2);

        assertArrayEquals(new byte[]{
            STATUS_FOUND, STATUS_FOUND,          // fresh: age within the hour; job's view has no max_age
            STATUS_STALE, STATUS_FOUND,          // old: age 2 h old
            STATUS_STALE, STATUS_FOUND,          // untimed: no _ts, no telling its age
            STATUS_INVALID_VALUE, STATUS_FEATURE_MISSING }, statuses);
        assertTrue(Float.isNaN(values[2]) && Float.isNaN(values[4]) && Float.isNaN(values[6]));
        assertEquals(1f, values[0]);
        assertEquals(2f, values[3]);
    }

    @Test
    void shouldServeRepeatedEntitiesFromTheNearCacheAndCountHitsAndMisses() throws IOException
    {
        final RedisFeatureStore.Context settings = demoSettings((ctx) -> ctx
            .nearCacheSize(100).nearCacheTtl(Duration.ofMillis(500)).breakerFailureThreshold(1));
        FeastRedisLoader.load(DEMO_SNAPSHOT, settings);
        final RedisFeatureStore store = connect(settings);
        final Lookup a = new Lookup(store, "A0010");
        final Lookup b = new Lookup(store, "A0011");
        final long hmgetsBefore = hmgetCalls();

        assertEquals(STATUS_FOUND, a.run());
        final float[] fromRedis = a.values.clone();
        assertEquals(STATUS_FOUND, a.run());
        assertArrayEquals(fromRedis, a.values);
        assertEquals(STATUS_FOUND, b.run());
        assertEquals(STATUS_FOUND, a.run());
        assertEquals(2, store.cacheHits());
        assertEquals(2, store.cacheMisses());
        assertEquals(2, hmgetCalls() - hmgetsBefore, "the server saw the misses only");

        server.stop();
        assertEquals(STATUS_FOUND, a.run(), "a cached entity is served while Redis is away");
        assertEquals(STATUS_STORE_UNAVAILABLE, new Lookup(store, "A0012").run(), "an entity not cached is not");
        sleepMs(600);
        assertEquals(STATUS_STORE_UNAVAILABLE, a.run(), "expired after its TTL");
        assertEquals(3, store.cacheHits());
        assertEquals(4, store.cacheMisses());
    }

    @Test
    void shouldDecodeCategoricalStringsIntoTheirCodes()
    {
        final RedisFeatureStore.Context settings = demoSettings(UnaryOperator.identity());
        final FeastKeys keys = new FeastKeys("applicant_id", RedisFeatureStore.EntityKeyType.STRING, "credit");
        final byte[] field = FeastKeys.featureField("applicants:checking_status");
        admin.hset(keys.redisKey("known"), field, HexFormat.of().parseHex("1203413132"));   // string_val "A12"
        admin.hset(keys.redisKey("unknown"), field, HexFormat.of().parseHex("1203413139")); // string_val "A19"

        final RedisFeatureStore store = connect(settings);
        final int[] columns = { store.columnIndex(
            new StoredFeature("checking_status", null, List.of("A11", "A12", "A13", "A14"))) };
        final float[] values = new float[2];
        final byte[] statuses = new byte[2];
        store.lookupAll(new CharSequence[]{ "known", "unknown" }, 2, columns, new int[]{ 0 }, values, statuses, 1);
        assertEquals(1f, values[0]);
        assertArrayEquals(new byte[]{ STATUS_FOUND, STATUS_INVALID_VALUE }, statuses);
    }

    @Test
    void shouldReadEveryFeastScalarTypeAsTheModelInputAndWhatHasNoneAsInvalid()
    {
        final List<String> categories = List.of("<0", "0<=X<200", ">=200", "no checking");
        final Map<String, Map<String, byte[]>> rows = new LinkedHashMap<>();
        rows.put("string", Map.of("checking_status", FeastOnlineWriter.stringVal(">=200"), "age", FeastOnlineWriter.stringVal("67")));
        rows.put("int32", Map.of("checking_status", FeastOnlineWriter.int32Val(2), "age", FeastOnlineWriter.int32Val(67)));
        rows.put("int64", Map.of("checking_status", FeastOnlineWriter.int64Val(2), "age", FeastOnlineWriter.int64Val(67)));
        rows.put("float32", Map.of("checking_status", FeastOnlineWriter.floatVal(2), "age", FeastOnlineWriter.floatVal(67)));
        rows.put("float64", Map.of("checking_status", FeastOnlineWriter.doubleVal(2), "age", FeastOnlineWriter.doubleVal(67)));
        rows.put("bool", Map.of("checking_status", FeastOnlineWriter.boolVal(true), "age", FeastOnlineWriter.boolVal(true)));
        rows.put("null", Map.of("checking_status", FeastOnlineWriter.stringVal(null), "age", FeastOnlineWriter.floatVal(Float.NaN)));
        rows.put("unknown", Map.of("checking_status", FeastOnlineWriter.stringVal("overdrawn"), "age", FeastOnlineWriter.stringVal("old")));
        rows.put("no code", Map.of("checking_status", FeastOnlineWriter.int64Val(4), "age", FeastOnlineWriter.bytesVal(new byte[]{ 67 })));
        rows.put("decimal", Map.of("checking_status", FeastOnlineWriter.decimalVal("2"), "age", FeastOnlineWriter.decimalVal("67.0")));
        rows.put("time", Map.of("checking_status", FeastOnlineWriter.floatListVal(2), "age", FeastOnlineWriter.unixTimestampVal(67)));
        try (FeastOnlineWriter feast = new FeastOnlineWriter(server.uri(), "credit", "applicant_id"))
        {
            assertEquals(rows.size(), feast.writeBatch("applicants", rows, Instant.now()));
        }

        final RedisFeatureStore store = connect(demoSettings(UnaryOperator.identity()));
        final int[] columns = {
            store.columnIndex(new StoredFeature("checking_status", null, categories)), store.columnIndex("age") };
        final int n = rows.size();
        final float[] values = new float[2 * n];
        final byte[] statuses = new byte[2 * n];
        store.lookupAll(rows.keySet().toArray(new CharSequence[0]), n, columns, new int[]{ 0, 1 }, values, statuses, 2);

        assertArrayEquals(new float[]{ 2, 67, 2, 67, 2, 67, 2, 67, 2, 67, 1, 1 }, Arrays.copyOf(values, 12));
        assertArrayEquals(new byte[]{
            STATUS_FOUND, STATUS_FOUND, STATUS_FOUND, STATUS_FOUND, STATUS_FOUND, STATUS_FOUND,   // string, int32, int64
            STATUS_FOUND, STATUS_FOUND, STATUS_FOUND, STATUS_FOUND, STATUS_FOUND, STATUS_FOUND,   // float32, float64, bool
            STATUS_FEATURE_MISSING, STATUS_FEATURE_MISSING,                                       // Feast's null: ValueProto()
            STATUS_INVALID_VALUE, STATUS_INVALID_VALUE,   // a category the model does not know; a string no number
            STATUS_INVALID_VALUE, STATUS_INVALID_VALUE,   // a number that is no code; bytes
            STATUS_INVALID_VALUE, STATUS_INVALID_VALUE,   // a member past Value.proto's (a decimal)
            STATUS_INVALID_VALUE, STATUS_INVALID_VALUE }, // a list; a unix timestamp
            statuses);
    }

    @Test
    void shouldKeyInt64EntitiesAsFeastDoesAndRefuseKeysThatAreNotNumbers() throws IOException
    {
        final Path snapshot = writeSnapshot(List.of("conv_rate"), "1001", "-7");
        final RedisFeatureStore.Context settings = new RedisFeatureStore.Context().uri(server.uri()).project("feast_demo")
            .joinKey("driver_id").entityKeyType(RedisFeatureStore.EntityKeyType.INT64).featureView("driver_hourly_stats")
            .deadline(TEST_DEADLINE);
        assertEquals(2, FeastRedisLoader.load(snapshot, settings));
        assertEquals(1, admin.exists(HexFormat.of().parseHex(
            "0100000002000000090000006472697665725f69640400000008000000e90300000000000066656173745f64656d6f")));

        final RedisFeatureStore store = connect(settings);
        final int[] columns = { store.columnIndex("conv_rate") };
        final float[] values = new float[3];
        final byte[] statuses = new byte[3];
        final long hmgetsBefore = hmgetCalls();
        store.lookupAll(new CharSequence[]{ "1001", "-7", "driver-9" }, 3, columns, new int[]{ 0 }, values, statuses, 1);
        assertArrayEquals(new byte[]{ STATUS_FOUND, STATUS_FOUND, STATUS_ENTITY_NOT_FOUND }, statuses);
        assertArrayEquals(new float[]{ 1f, 2f, Float.NaN }, values);
        assertEquals(2, hmgetCalls() - hmgetsBefore, "a key that cannot be an int64 is not asked for");
    }

    /**
     * The demo's layout, with a deadline of 2 s unless a test sets one: on a busy CI machine a lookup can miss
     * 20 ms, and only the tests about deadlines should see that.
     */
    private RedisFeatureStore.Context demoSettings(final UnaryOperator<RedisFeatureStore.Context> customize)
    {
        return customize.apply(new RedisFeatureStore.Context().uri(server.uri()).project("credit")
            .joinKey("applicant_id").featureView("applicants").deadline(TEST_DEADLINE));
    }

    private RedisFeatureStore connect(final RedisFeatureStore.Context settings)
    {
        return track(RedisFeatureStore.connect(settings));
    }

    private RedisFeatureStore track(final RedisFeatureStore store)
    {
        stores.add(store);
        return store;
    }

    /** Entities numbered from 1: each feature's value is the entity's number. */
    private Path writeSnapshot(final List<String> features, final String... keys) throws IOException
    {
        final Path snapshot = dir.resolve("features-" + System.nanoTime() + ".snapshot");
        try (SnapshotWriter writer = SnapshotWriter.create(snapshot, features))
        {
            for (int i = 0; i < keys.length; i++)
            {
                final float[] values = new float[features.size()];
                Arrays.fill(values, i + 1);
                writer.append(keys[i], values);
            }
        }
        return snapshot;
    }

    private static List<String> demoFeatureNames() throws IOException
    {
        try (EmbeddedFeatureStore embedded = EmbeddedFeatureStore.load(DEMO_SNAPSHOT))
        {
            return embedded.featureNames();
        }
    }

    private static int[] columns(final FeatureStore store, final List<String> names)
    {
        return names.stream().mapToInt(store::columnIndex).toArray();
    }

    private static int[] identity(final int n)
    {
        final int[] positions = new int[n];
        Arrays.setAll(positions, (i) -> i);
        return positions;
    }

    private long readsProcessed()
    {
        return infoField("stats", "total_reads_processed:");
    }

    private long hmgetCalls()
    {
        return infoField("commandstats", "cmdstat_hmget:calls=");
    }

    private long infoField(final String section, final String prefix)
    {
        for (final String line : admin.info(section).split("\r\n"))
        {
            if (line.startsWith(prefix))
            {
                return Long.parseLong(line.substring(prefix.length()).split(",")[0]);
            }
        }
        return 0;
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** One entity's 16 demo features, looked up again and again. */
    private static final class Lookup
    {
        private final RedisFeatureStore store;
        private final CharSequence[] key;
        private final int[] columns;
        private final int[] positions;
        final float[] values;
        private final byte[] statuses;
        final int ageAt;

        Lookup(final RedisFeatureStore store, final String key) throws IOException
        {
            final List<String> names = demoFeatureNames();
            this.store = store;
            this.key = new CharSequence[]{ key };
            columns = columns(store, names);
            positions = identity(names.size());
            values = new float[names.size()];
            statuses = new byte[names.size()];
            ageAt = names.indexOf("age");
        }

        /** The status all values share; fails if they differ. */
        byte run()
        {
            return run(Long.MAX_VALUE);
        }

        /** The same, for a caller whose own deadline ({@link System#nanoTime} based) is {@code callerDeadlineNs}. */
        byte run(final long callerDeadlineNs)
        {
            store.lookupAll(key, 1, columns, positions, values, statuses, values.length, callerDeadlineNs);
            for (final byte status : statuses)
            {
                assertEquals(statuses[0], status);
            }
            return statuses[0];
        }

        boolean allNaN()
        {
            for (final float value : values)
            {
                if (!Float.isNaN(value))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /** Counts the commands written to, and the flushes of, each channel Lettuce opens. */
    private static final class ChannelCounter implements NettyCustomizer
    {
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public void afterChannelInitialized(final Channel channel)
        {
            channel.pipeline().addLast(new ChannelOutboundHandlerAdapter()
            {
                @Override
                public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
                    throws Exception
                {
                    writes.incrementAndGet();
                    super.write(ctx, msg, promise);
                }

                @Override
                public void flush(final ChannelHandlerContext ctx) throws Exception
                {
                    flushes.incrementAndGet();
                    super.flush(ctx);
                }
            });
        }
    }
}
