package io.scoring.monitoring;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scoring.monitoring.comparison.ChallengerComparison;
import io.scoring.monitoring.drift.VersionDrift;
import io.scoring.monitoring.feedback.FeedbackResult;
import io.scoring.monitoring.latency.VersionLatency;
import io.scoring.monitoring.metrics.TrafficShare;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MonitoringTest
{
    private static final List<MonitoredFeature> FEATURES = List.of(
        MonitoredFeature.numeric("amount"), MonitoredFeature.categorical("purpose", List.of("car", "tv", "education")));

    @TempDir
    Path dir;

    @Test
    void shouldWriteEveryAcceptedSampleToThePayloadLogWhenClosed() throws Exception
    {
        final Monitoring monitoring = Monitoring.start(new Monitoring.Context()
            .sampleQueueBytes(1 << 16)
            .defaultSamplingPercent(100)
            .payloadLogDir(dir)
            .payloadLogMaxFileBytes(1 << 20));
        final VersionMeters champion = monitoring.versionMeters(spec("v1", null), "champion");
        final AtomicLong accepted = new AtomicLong();
        final int perThread = 20_000;
        final Thread[] producers = new Thread[2];
        for (int t = 0; t < producers.length; t++)
        {
            final int thread = t;
            producers[t] = new Thread(() ->
            {
                final float[] features = {1_000f, 1f};
                final float[] scores = {0.3f};
                for (int i = 0; i < perThread; i++)
                {
                    if (champion.offerSample("t" + thread + "-" + i, i, features, scores, 1, 50_000, null) == SampleQueue.OFFERED)
                    {
                        accepted.incrementAndGet();
                    }
                }
            });
            producers[t].start();
        }
        producers[0].join();
        producers[1].join();

        monitoring.close();

        final long dropped = (long)monitoring.metrics().samplesDropped().count();
        assertEquals(accepted.get(), lineCount(), "every accepted sample is in the log");
        assertEquals(2L * perThread, accepted.get() + dropped, "every other one is counted as dropped");
        assertEquals((double)accepted.get(), monitoring.metrics().samplesLogged().count());
        assertEquals(SampleQueue.CLOSED, champion.offerSample("late", 0, new float[2], new float[1], 1, 0, null));
    }

    @Test
    void shouldCompareAShadowWithTheChampionAndMeasureDriftFromSampledRequests()
    {
        final Random random = new Random(3);
        final float[][] training = new float[2_000][];
        for (int i = 0; i < training.length; i++)
        {
            training[i] = new float[] {(float)(1_000 + 200 * random.nextGaussian()), random.nextInt(3)};
        }
        final ReferenceProfile profile = ReferenceProfile.build(FEATURES, training);
        try (Monitoring monitoring = Monitoring.start(new Monitoring.Context()
            .defaultSamplingPercent(100)
            .driftWindowRows(500)
            .driftEvaluateMillis(1)
            .comparisonWindowPairs(500)
            .comparisonEvaluateMillis(1)))
        {
            final VersionMeters champion = monitoring.versionMeters(spec("v1", profile), "champion");
            final VersionMeters shadow = monitoring.versionMeters(spec("v2", null), "shadow");
            final PairedScores paired = new PairedScores();
            final float[] features = new float[2];
            final float[] championScore = new float[1];
            final float[] shadowScore = new float[1];
            for (int i = 0; i < 400; i++)
            {
                features[0] = (float)(1_500 + 200 * random.nextGaussian()); // amounts moved up by 2.5 sd
                features[1] = random.nextInt(3);
                championScore[0] = (i % 100) / 100f;
                shadowScore[0] = championScore[0];
                shadow.pairInto(paired.clear(), shadowScore, 40_000);
                assertEquals(SampleQueue.OFFERED, champion.offerSample("r" + i, i, features, championScore, 1, 30_000, paired));
            }

            awaitTrue(() -> !monitoring.comparison("credit-risk").challengers().isEmpty() &&
                monitoring.comparison("credit-risk").challengers().get(0).pairs() == 400);
            final ChallengerComparison comparison = monitoring.comparison("credit-risk").challengers().get(0);
            assertEquals("v2", comparison.version());
            assertEquals("shadow", comparison.role());
            assertEquals(1.0, comparison.agreement());
            assertEquals(10.0, comparison.latencyP50DiffMicros());

            awaitTrue(() -> !monitoring.drift("credit-risk").versions().isEmpty() &&
                monitoring.drift("credit-risk").versions().get(0).windowRows() == 400);
            final VersionDrift drift = monitoring.drift("credit-risk").versions().get(0);
            assertTrue(drift.features().get(0).alarm(), "amount drifted");
            assertFalse(drift.features().get(1).alarm(), "purpose did not");
            final String scrape = monitoring.metrics().scrape();
            assertTrue(scrape.contains("scoring_drift_alarm{feature=\"amount\",method=\"ks\",model=\"credit-risk\",version=\"v1\"} 1.0"), scrape);
            assertTrue(scrape.contains("scoring_shadow_agreement_ratio{model=\"credit-risk\",version=\"v2\"} 1.0"), scrape);
        }
    }

    @Test
    void shouldReportLatencyPercentilesOfTheLastIntervalPerVersion()
    {
        try (Monitoring monitoring = Monitoring.start(new Monitoring.Context().latencyIntervalMillis(20)))
        {
            final VersionMeters champion = monitoring.versionMeters(spec("v1", null), "champion");
            for (int i = 0; i < 100; i++)
            {
                champion.record(0, 1_000, 10_000, 20_000, 1_000, 250_000);
            }
            champion.record(5, 1_000, 10_000, 20_000, 1_000, 9_000_000); // failed: counted, not timed

            awaitTrue(() -> monitoring.latency("credit-risk").versions().get(0).sinceStart().count() == 100);
            final VersionLatency latency = monitoring.latency("credit-risk").versions().get(0);
            assertEquals(250.0, latency.sinceStart().p99(), 0.25);
            assertEquals(250.0, latency.sinceStart().max(), 0.25);
            assertEquals(101, champion.totalRequests());
        }
    }

    @Test
    void shouldJoinGroundTruthAndCheckTheCanarySplit()
    {
        try (Monitoring monitoring = Monitoring.start(new Monitoring.Context()))
        {
            final VersionMeters champion = monitoring.versionMeters(spec("v1", null), "champion");
            final VersionMeters canary = monitoring.versionMeters(spec("v2", null), "canary");
            monitoring.trafficWeights("credit-risk", List.of(
                new TrafficShare("v1", "champion", 90), new TrafficShare("v2", "canary", 10)));
            champion.rememberPrediction("a", new float[3], 0.9f, System.currentTimeMillis());
            canary.rememberPrediction("b", new float[3], 0.1f, System.currentTimeMillis());

            assertEquals(FeedbackResult.JOINED, monitoring.feedback("a", 1));
            assertEquals(FeedbackResult.JOINED, monitoring.feedback("b", 1));
            assertEquals(FeedbackResult.UNKNOWN_REQUEST, monitoring.feedback("c", 1));
            assertEquals(0.0, monitoring.accuracy("credit-risk").versions().get(0).costPerDecision());
            assertEquals(5.0, monitoring.accuracy("credit-risk").versions().get(1).costPerDecision());

            recordRequests(champion, 900);
            recordRequests(canary, 100);
            assertFalse(monitoring.sampleRatioMismatch("credit-risk").mismatch());
            recordRequests(champion, 900);
            assertTrue(monitoring.sampleRatioMismatch("credit-risk").mismatch(), "canary got 5 % of traffic, not 10 %");

            monitoring.trafficWeights("credit-risk", List.of(
                new TrafficShare("v1", "champion", 50), new TrafficShare("v2", "canary", 50)));
            assertEquals(0, monitoring.sampleRatioMismatch("credit-risk").championRequests(), "a new split counts afresh");
        }
    }

    @Test
    void shouldForgetAnUnloadedVersionEverywhere()
    {
        try (Monitoring monitoring = Monitoring.start(new Monitoring.Context()))
        {
            monitoring.versionMeters(spec("v1", null), "champion").record(0, 1, 1, 1, 1, 4);

            monitoring.unload("credit-risk", "v1");

            assertFalse(monitoring.metrics().scrape().contains("version=\"v1\""));
            assertTrue(monitoring.latency("credit-risk").versions().isEmpty());
            assertTrue(monitoring.accuracy("credit-risk").versions().isEmpty());
        }
    }

    @Test
    void shouldWriteEveryAdminReportAsJson() throws IOException
    {
        try (Monitoring monitoring = Monitoring.start(new Monitoring.Context().latencyIntervalMillis(20)))
        {
            final VersionMeters champion = monitoring.versionMeters(spec("v1", null), "champion");
            champion.record(0, 1_000, 10_000, 20_000, 1_000, 120_000);
            champion.rememberPrediction("r", new float[3], 0.8f, System.currentTimeMillis());
            monitoring.feedback("r", 1);
            awaitTrue(() -> monitoring.latency("credit-risk").versions().get(0).sinceStart().count() == 1);

            final JsonNode latency = json(monitoring.latency("credit-risk")::writeJson);
            assertEquals("microseconds", latency.get("unit").asText());
            assertEquals(120.0, latency.get("versions").get(0).get("since_start").get("p99").asDouble(), 0.2);
            assertTrue(latency.get("versions").get(0).get("last_interval").has("p999"));
            assertEquals("credit-risk", json(monitoring.drift("credit-risk")::writeJson).get("model").asText());
            assertTrue(json(monitoring.comparison("credit-risk")::writeJson).get("challengers").isArray());
            assertEquals(1, json(monitoring.accuracy("credit-risk")::writeJson).get("versions").get(0).get("labels").asInt());
            assertFalse(json(monitoring.sampleRatioMismatch("credit-risk")::writeJson).get("mismatch").asBoolean());
        }
    }

    private interface JsonWriter
    {
        void writeJson(JsonGenerator json) throws IOException;
    }

    private static JsonNode json(final JsonWriter writer) throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper();
        final java.io.StringWriter text = new java.io.StringWriter();
        try (JsonGenerator generator = mapper.createGenerator(text))
        {
            writer.writeJson(generator);
        }
        return mapper.readTree(text.toString());
    }

    private static void recordRequests(final VersionMeters handle, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            handle.record(0, 1, 1, 1, 1, 4);
        }
    }

    private static VersionSpec spec(final String version, final ReferenceProfile profile)
    {
        return new VersionSpec("credit-risk", version, FEATURES, 0.5, profile);
    }

    @Test
    void shouldRefuseToStartWithADriftMinimumAboveTheWindowNamingBothSettingsAndTheValue()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> Monitoring.start(new Monitoring.Context().driftWindowRows(200).driftMinRows(500)));

        assertEquals("drift-min-rows must be 1 to drift-window-rows (200), got 500", refused.getMessage());
    }

    @Test
    void shouldRefuseAKafkaDeliveryTimeoutShorterThanTheLingerPlusOneRequest()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> new Monitoring.Context().payloadKafkaLingerMillis(5_000).payloadKafkaDeliveryTimeoutMillis(12_000).conclude());

        assertTrue(refused.getMessage().startsWith("payload-kafka-delivery-timeout-ms must be at least"), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("got 12000"), refused.getMessage());
    }

    private long lineCount() throws IOException
    {
        long lines = 0;
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.toList())
            {
                try (Stream<String> fileLines = Files.lines(file))
                {
                    lines += fileLines.count();
                }
            }
        }
        return lines;
    }

    private static void awaitTrue(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "condition not met within 10 s");
            Thread.onSpinWait();
        }
    }
}
