package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.redis.FeastOnlineWriter;
import io.scoring.testsupport.RedisServerProcess;
import io.scoring.proto.v1.FeatureStatus;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.proto.v1.Row;
import io.scoring.proto.v1.RowResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway over a Redis that Feast itself would have filled ({@link FeastOnlineWriter}, written from Feast's
 * {@code online_write_batch}, not the gateway's loader), against the same gateway over the embedded store: the same
 * answer for every one of the 1,000 demo applicants, whatever Feast type each column was declared with; feature
 * views named per feature in model.json; STALE past a view's {@code --redis-max-age}; INVALID_VALUE for what cannot
 * be a model input. Real redis-server, real gateways on free ports, gRPC clients.
 */
class FeastRedisTest
{
    /** Feast's scalar types, as its Python SDK serializes a column declared with each. */
    enum FeastType
    {
        STRING, INT32, INT64, FLOAT32, FLOAT64, BOOL
    }

    private static final int ROWS_PER_REQUEST = 100;

    private static RedisServerProcess redis;
    private static RedisClient admin;
    private static ScoringGateway embedded;
    private static GatewayClients embeddedClients;
    private static DemoTestSet demo;
    /** The demo snapshot: applicant id -> its stored features, by name. */
    private static final Map<String, Map<String, Float>> STORED = new LinkedHashMap<>();
    private static final List<String> STORE_FEATURES = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception
    {
        redis = RedisServerProcess.startOnFreePort();
        admin = RedisClient.create(redis.uri());
        embedded = TestGateways.startDemo();
        embeddedClients = new GatewayClients(embedded.httpPort(), embedded.grpcPort());
        demo = new DemoTestSet();
        demo.modelConfig.get("features").forEach((f) ->
        {
            if ("store".equals(f.get("source").asText()))
            {
                STORE_FEATURES.add(f.get("name").asText());
            }
        });
        try (InputStream in = DemoBundle.features(); EmbeddedFeatureStore snapshot = EmbeddedFeatureStore.load(in))
        {
            final List<String> names = snapshot.featureNames();
            snapshot.forEachEntity((key, values) ->
            {
                final Map<String, Float> row = new LinkedHashMap<>();
                for (int i = 0; i < values.length; i++)
                {
                    row.put(names.get(i), values[i]);
                }
                STORED.put(key, row);
            });
        }
        assertEquals(1_000, STORED.size());
        assertEquals(demo.applicants.size(), STORED.size());
    }

    @AfterAll
    static void stop() throws Exception
    {
        embeddedClients.close();
        embedded.drain();
        admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        redis.close();
    }

    @Test
    void shouldScoreEveryApplicantAsTheEmbeddedStoreDoesWhateverFeastTypeEachColumnHas() throws Exception
    {
        final ScoringGateway viaRedis = startOverRedis();
        try (GatewayClients clients = new GatewayClients(viaRedis.httpPort(), viaRedis.grpcPort()))
        {
            for (final FeastType type : FeastType.values())
            {
                fillAsFeast((feature, column) -> canHold(type, feature, column) ? type : natural(feature, column));
                assertSameAnswersForEveryApplicant(clients, "every column " + type + " where it can hold the column");
            }
            final FeastType[] types = FeastType.values();
            fillAsFeast((feature, column) ->
            {
                final FeastType type = types[STORE_FEATURES.indexOf(feature) % types.length];
                return canHold(type, feature, column) ? type : natural(feature, column);
            });
            assertSameAnswersForEveryApplicant(clients, "each column another type");
        }
        finally
        {
            viaRedis.drain();
        }
    }

    @Test
    void shouldReadEachStoreFeatureFromTheFeatureViewItsReferenceNames() throws Exception
    {
        // half the stored features live in a second view, under other names: model.json says where
        final Path models = Files.createTempDirectory("models");
        copyTree(DemoBundle.models(), models);
        final Path modelJson = models.resolve("credit-risk/model.json");
        final ObjectNode config = (ObjectNode)new ObjectMapper().readTree(modelJson.toFile());
        final Map<String, String> bureauName = new LinkedHashMap<>();
        for (final JsonNode feature : config.get("features"))
        {
            final String name = feature.get("name").asText();
            if (STORE_FEATURES.indexOf(name) % 2 == 1)
            {
                bureauName.put(name, "bureau_" + name);
                ((ObjectNode)feature).put("feature_ref", "credit_bureau:bureau_" + name);
            }
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(modelJson.toFile(), config);

        final ScoringGateway viaRedis = startOverRedis("--models", models.toString());
        final ScoringGateway embeddedOverTheSameModels =
            ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state")).models(models));
        try (GatewayClients clients = new GatewayClients(viaRedis.httpPort(), viaRedis.grpcPort());
             GatewayClients expected = new GatewayClients(embeddedOverTheSameModels.httpPort(), embeddedOverTheSameModels.grpcPort()))
        {
            flushRedis();
            final Map<String, Map<String, byte[]>> applicants = new LinkedHashMap<>();
            final Map<String, Map<String, byte[]>> bureau = new LinkedHashMap<>();
            STORED.forEach((id, row) ->
            {
                final Map<String, byte[]> inApplicants = new LinkedHashMap<>();
                final Map<String, byte[]> inBureau = new LinkedHashMap<>();
                for (final String feature : STORE_FEATURES)
                {
                    final byte[] value = encode(feature, natural(feature, column(feature)), row.get(feature));
                    if (bureauName.containsKey(feature))
                    {
                        inBureau.put(bureauName.get(feature), value);
                    }
                    else
                    {
                        inApplicants.put(feature, value);
                    }
                }
                applicants.put(id, inApplicants);
                bureau.put(id, inBureau);
            });
            try (FeastOnlineWriter feast = new FeastOnlineWriter(redis.uri(), "scoring_demo", "applicant_id"))
            {
                feast.writeBatch("applicants", applicants, Instant.now());
                feast.writeBatch("credit_bureau", bureau, Instant.now());
            }
            for (final List<DemoTestSet.Applicant> batch : batches())
            {
                assertEquals(expected.scoring.predict(request("credit-risk", batch)).getResultsList(),
                    clients.scoring.predict(request("credit-risk", batch)).getResultsList());
            }
        }
        finally
        {
            viaRedis.drain();
            embeddedOverTheSameModels.drain();
        }
    }

    @Test
    void shouldWaitForAFrozenRedisNoLongerThanTheCallersDeadlineAndAnswer504() throws Exception
    {
        final ScoringGateway viaRedis = startOverRedis(); // Redis's own deadline: 2,000 ms
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        final String body = DemoRequests.ownJson(demo, demo.testRows().subList(0, 1), null);
        redis.freeze();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                final long startNs = System.nanoTime();
                final HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + viaRedis.httpPort() + "/v1/predict"))
                    .header("x-envoy-expected-rq-timeout-ms", "150").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
                final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
                assertEquals(504, answer.statusCode(), answer.body());
                // the caller's 150 ms bound the wait, not Redis's 2,000 ms (the bound only proves which)
                assertTrue(tookMs < 1_000, "answered after " + tookMs + " ms");
            }
        }
        finally
        {
            redis.thaw();
            viaRedis.drain();
        }
    }

    @Test
    void shouldAnswerStaleWithDefaultsPastTheViewsMaxAge() throws Exception
    {
        final ScoringGateway viaRedis = startOverRedis("--redis-max-age", "applicants=1h");
        try (GatewayClients clients = new GatewayClients(viaRedis.httpPort(), viaRedis.grpcPort()))
        {
            flushRedis();
            final List<DemoTestSet.Applicant> applicants = demo.applicants.subList(0, 20);
            final Map<String, Map<String, byte[]>> fresh = new LinkedHashMap<>();
            final Map<String, Map<String, byte[]>> old = new LinkedHashMap<>();
            for (int i = 0; i < applicants.size(); i++)
            {
                (i % 2 == 0 ? fresh : old).put(applicants.get(i).id(), feastRow(applicants.get(i).id(), FeastType.STRING));
            }
            try (FeastOnlineWriter feast = new FeastOnlineWriter(redis.uri(), "scoring_demo", "applicant_id"))
            {
                feast.writeBatch("applicants", fresh, Instant.now());
                feast.writeBatch("applicants", old, Instant.now().minus(Duration.ofHours(2)));
            }

            for (int i = 0; i < applicants.size(); i++)
            {
                final DemoTestSet.Applicant applicant = applicants.get(i);
                final RowResult answer = clients.scoring.predict(request("credit-risk", List.of(applicant))).getResults(0);
                if (i % 2 == 0)
                {
                    assertEquals(embeddedClients.scoring.predict(request("credit-risk", List.of(applicant))).getResults(0), answer);
                    continue;
                }
                assertEquals(STORE_FEATURES, answer.getFeatureStatusList().stream().map(FeatureStatus::getFeature).toList());
                assertTrue(answer.getFeatureStatusList().stream().allMatch((s) -> s.getReason() == FeatureStatus.Reason.STALE),
                    answer.toString());
                // every stored feature at its default: as scored for an entity no store holds
                assertEquals(embeddedClients.scoring.predict(requestAs("no-such-applicant", applicant)).getResults(0)
                    .getScoresList(), answer.getScoresList(), applicant.id());
            }
        }
        finally
        {
            viaRedis.drain();
        }
    }

    @Test
    void shouldAnswerInvalidValueWithTheDefaultForWhatCannotBeAModelInput() throws Exception
    {
        final ScoringGateway viaRedis = startOverRedis();
        try (GatewayClients clients = new GatewayClients(viaRedis.httpPort(), viaRedis.grpcPort()))
        {
            flushRedis();
            final DemoTestSet.Applicant applicant = demo.applicants.get(3);
            final Map<String, byte[]> row = feastRow(applicant.id(), FeastType.STRING);
            row.put("checking_status", FeastOnlineWriter.stringVal("overdrawn"));      // a category the model lacks
            row.put("housing", FeastOnlineWriter.int64Val(7));                         // a code past its 3 categories
            row.put("age", FeastOnlineWriter.decimalVal("41.50"));                     // a member with no mapping
            row.put("residence_since", FeastOnlineWriter.bytesVal(new byte[]{ 4 })); // Feast's Bytes
            row.put("existing_credits", FeastOnlineWriter.stringVal("two"));          // a String that is no number
            try (FeastOnlineWriter feast = new FeastOnlineWriter(redis.uri(), "scoring_demo", "applicant_id"))
            {
                feast.writeBatch("applicants", Map.of(applicant.id(), row), Instant.now());
            }

            final PredictResponse answer = clients.scoring.predict(request("credit-risk", List.of(applicant)));
            final Map<String, FeatureStatus.Reason> reasons = new LinkedHashMap<>();
            answer.getResults(0).getFeatureStatusList().forEach((s) -> reasons.put(s.getFeature(), s.getReason()));
            assertEquals(Map.of(
                "checking_status", FeatureStatus.Reason.INVALID_VALUE,
                "housing", FeatureStatus.Reason.INVALID_VALUE,
                "age", FeatureStatus.Reason.INVALID_VALUE,
                "residence_since", FeatureStatus.Reason.INVALID_VALUE,
                "existing_credits", FeatureStatus.Reason.INVALID_VALUE), reasons);
            assertEquals(1, answer.getResults(0).getScoresCount(), "answered, with the defaults");
        }
        finally
        {
            viaRedis.drain();
        }
    }

    @Test
    void shouldRefuseAMaxAgeItCannotReadAndSayWhatItExpects()
    {
        for (final String bad : new String[]{ "applicants", "applicants=1", "applicants=1y", "=1d", "a:b=1d", "applicants=-1d",
            "applicants=1d,", "applicants=1.5h" })
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> GatewayConfig.resolve(new String[]{ "--redis-max-age", bad }, Map.of()), bad);
            assertTrue(ex.getMessage().startsWith("--redis-max-age: ") && ex.getMessage().contains("applicants=1d,bureau=300s"),
                ex.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GatewayConfig.resolve(
            new String[]{ "--redis-max-age", "a=1d,a=2d" }, Map.of())).getMessage().contains("'a' is given twice"));
        assertEquals(Map.of("applicants", Duration.ofDays(1), "bureau", Duration.ofSeconds(300), "fast", Duration.ofMillis(500)),
            GatewayConfig.resolve(new String[0], Map.of("SCORING_REDIS_MAX_AGE", "applicants=1d, bureau=300s,fast=500ms"))
                .redisContext().maxAges());
    }

    /** The demo gateway over the test's Redis, with {@code flags} as a user would give them. */
    private static ScoringGateway startOverRedis(final String... flags) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("--features", redis.uri(), "--redis-deadline-ms", "2000"));
        args.addAll(List.of(flags));
        return ScoringGateway.start(Settings.resolve(args.toArray(new String[0]), Map.of(),
            TestGateways.demoConfig(Files.createTempDirectory("scoring-state"))), "");
    }

    /** Empties Redis, then writes every applicant's stored features, each column as the type {@code typeOf} picks. */
    private static void fillAsFeast(final BiFunction<String, List<Float>, FeastType> typeOf)
    {
        flushRedis();
        final Map<String, FeastType> types = new LinkedHashMap<>();
        for (final String feature : STORE_FEATURES)
        {
            types.put(feature, typeOf.apply(feature, column(feature)));
        }
        System.out.println("Feast column types: " + types);
        final Map<String, Map<String, byte[]>> rows = new LinkedHashMap<>();
        STORED.forEach((id, row) ->
        {
            final Map<String, byte[]> values = new LinkedHashMap<>();
            types.forEach((feature, type) -> values.put(feature, encode(feature, type, row.get(feature))));
            rows.put(id, values);
        });
        try (FeastOnlineWriter feast = new FeastOnlineWriter(redis.uri(), "scoring_demo", "applicant_id"))
        {
            assertEquals(STORED.size(), feast.writeBatch("applicants", rows, Instant.now()));
        }
    }

    /** One applicant's stored features as {@code type} where it can hold them, else their natural Feast type. */
    private static Map<String, byte[]> feastRow(final String id, final FeastType type)
    {
        final Map<String, byte[]> values = new LinkedHashMap<>();
        for (final String feature : STORE_FEATURES)
        {
            final List<Float> column = column(feature);
            values.put(feature, encode(feature, canHold(type, feature, column) ? type : natural(feature, column),
                STORED.get(id).get(feature)));
        }
        return values;
    }

    /**
     * Both demo models: credit-risk (categories as indices into a float input) and credit-risk-sklearn
     * (categories as names into a string input), whether Redis holds a category as its code or its name.
     */
    private static void assertSameAnswersForEveryApplicant(final GatewayClients clients, final String variant)
    {
        for (final String model : List.of("credit-risk", "credit-risk-sklearn"))
        {
            int compared = 0;
            for (final List<DemoTestSet.Applicant> batch : batches())
            {
                final PredictResponse expected = embeddedClients.scoring.predict(request(model, batch));
                final PredictResponse actual = clients.scoring.predict(request(model, batch));
                assertEquals(expected.getVersion(), actual.getVersion(), variant);
                for (int i = 0; i < batch.size(); i++)
                {
                    assertEquals(expected.getResults(i), actual.getResults(i), model + ", " + variant + ": " +
                        batch.get(i).id());
                }
                compared += batch.size();
            }
            assertEquals(1_000, compared);
        }
    }

    private static List<List<DemoTestSet.Applicant>> batches()
    {
        final List<List<DemoTestSet.Applicant>> batches = new ArrayList<>();
        for (int from = 0; from < demo.applicants.size(); from += ROWS_PER_REQUEST)
        {
            batches.add(demo.applicants.subList(from, Math.min(demo.applicants.size(), from + ROWS_PER_REQUEST)));
        }
        return batches;
    }

    private static PredictRequest request(final String model, final List<DemoTestSet.Applicant> applicants)
    {
        final PredictRequest.Builder request = PredictRequest.newBuilder().setModel(model);
        applicants.forEach((applicant) -> request.addRows(DemoRequests.ownRequest(demo, applicant).getRows(0)));
        return request.build();
    }

    /** The applicant's request-time features, under another entity key. */
    private static PredictRequest requestAs(final String entityKey, final DemoTestSet.Applicant applicant)
    {
        final Row row = DemoRequests.ownRequest(demo, applicant).getRows(0).toBuilder().setEntityKey(entityKey).build();
        return PredictRequest.newBuilder().setModel("credit-risk").addRows(row).build();
    }

    /** What Feast writes for a value of a column declared {@code type}; a NaN is a null: {@code ValueProto()}. */
    private static byte[] encode(final String feature, final FeastType type, final float value)
    {
        if (Float.isNaN(value))
        {
            return FeastOnlineWriter.stringVal(null);
        }
        return switch (type)
        {
            case STRING -> FeastOnlineWriter.stringVal(categories(feature).isEmpty()
                ? (value == Math.rint(value) ? Long.toString((long)value) : Float.toString(value))
                : categories(feature).get((int)value));
            case INT32 -> FeastOnlineWriter.int32Val((int)value);
            case INT64 -> FeastOnlineWriter.int64Val((long)value);
            case FLOAT32 -> FeastOnlineWriter.floatVal(value);
            case FLOAT64 -> FeastOnlineWriter.doubleVal(value);
            case BOOL -> FeastOnlineWriter.boolVal(value == 1);
        };
    }

    /** Whether a column declared {@code type} holds every value of the column exactly. */
    private static boolean canHold(final FeastType type, final String feature, final List<Float> column)
    {
        final Stream<Float> values = column.stream().filter((v) -> !Float.isNaN(v));
        return switch (type)
        {
            case STRING, FLOAT32, FLOAT64 -> true;
            case INT32, INT64 -> values.allMatch((v) -> v == Math.rint(v));
            case BOOL -> values.allMatch((v) -> v == 0 || v == 1);
        };
    }

    /** The type a Feast user would declare: String for a categorical column, Int64 for whole numbers, else Float64. */
    private static FeastType natural(final String feature, final List<Float> column)
    {
        if (!categories(feature).isEmpty())
        {
            return FeastType.STRING;
        }
        return canHold(FeastType.INT64, feature, column) ? FeastType.INT64 : FeastType.FLOAT64;
    }

    /** Every applicant's value of {@code feature}. */
    private static List<Float> column(final String feature)
    {
        return STORED.values().stream().map((row) -> row.get(feature)).toList();
    }

    private static List<String> categories(final String feature)
    {
        final List<String> names = new ArrayList<>();
        demo.feature(feature).path("categories").forEach((c) -> names.add(c.asText()));
        return names;
    }

    private static void flushRedis()
    {
        try (var connection = admin.connect())
        {
            connection.sync().flushall();
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path path : paths.toList())
            {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(path, target);
                }
            }
        }
    }
}
