package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.router.ModelVersion;
import io.scoring.router.traffic.TrafficPolicy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Through the gateway and its admin API: shifted inputs raise a drift alarm on the shifted feature
 * only; a 100% shadow is compared with the champion on the same requests; latency percentiles per
 * version.
 */
class DriftAndComparisonTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldAlarmOnShiftedCreditAmountsCompareTheShadowAndReportLatency() throws Exception
    {
        final GatewayConfig config = TestGateways.demoConfig(Files.createTempDirectory("scoring-state"));
        config.monitoringContext().defaultSamplingPercent(100);
        final ScoringGateway gateway = startWithVersionTwoShadowingEveryRequest(config);
        final AdminClient admin = new AdminClient(gateway.adminPort(), null);
        final DemoTestSet demo = new DemoTestSet();
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            int sent = 0;
            for (final DemoTestSet.Applicant applicant : demo.applicants)
            {
                final PredictRequest.Builder request = DemoRequests.ownRequest(demo, applicant).setRequestId("q-" + sent++);
                final double amount = request.getRows(0).getFeaturesOrThrow("credit_amount").getNumberValue();
                request.setRows(0, request.getRows(0).toBuilder()
                    .putFeatures("credit_amount", FeatureValue.newBuilder().setNumberValue(amount * 1.5).build()));
                clients.scoring.predict(request.build());
            }

            final JsonNode drift = await(() -> get(admin, "/admin/models/credit-risk/drift"),
                (report) -> report.path("versions").path(0).path("evaluated").asBoolean() &&
                    report.path("versions").path(0).path("window_rows").asInt() >= 500);
            final JsonNode champion = versionNamed(drift.path("versions"), "1");
            assertTrue(feature(champion, "credit_amount", "ks").path("alarm").asBoolean(), champion.toString());
            assertFalse(feature(champion, "duration", "ks").path("alarm").asBoolean(), "duration was not shifted");
            assertFalse(feature(champion, "age", "ks").path("alarm").asBoolean(), "age was not shifted");
            assertShiftedUpwardsInItsDistribution(feature(champion, "credit_amount", "ks").path("distribution"));

            final JsonNode comparison = await(() -> get(admin, "/admin/models/credit-risk/comparison"),
                (report) -> report.path("challengers").path(0).path("pairs").asInt() >= 500);
            final JsonNode shadow = comparison.path("challengers").path(0);
            assertEquals("2", shadow.path("version").asText());
            assertEquals("1", shadow.path("champion_version").asText());
            final double agreement = shadow.path("agreement").asDouble();
            assertTrue(agreement > 0.5 && agreement < 1.0, "two different models mostly, not always, agree: " + agreement);
            assertTrue(shadow.path("delta_mean").asDouble() > 0);

            final JsonNode latency = await(() -> get(admin, "/admin/models/credit-risk/latency"),
                (report) -> versionNamed(report.path("versions"), "1").path("since_start").path("count").asInt() >= 1000);
            assertTrue(versionNamed(latency.path("versions"), "1").path("since_start").path("p99").asDouble() > 0);
            assertEquals(404, admin.get("/admin/models/nope/drift").statusCode());
        }
        finally
        {
            gateway.drain();
        }
    }

    @Test
    void shouldUseTheDriftWindowOfAFlagTheRuntimeOfAnEnvironmentVariableAndTheComparisonWindowOfAConfigFileLine()
        throws Exception
    {
        final Path stateDir = Files.createTempDirectory("scoring-state");
        final Path file = Files.writeString(stateDir.resolve("gateway.properties"), "comparison-window-pairs=40\n");
        final GatewayConfig config = GatewayConfig.resolve(new String[]{"--http-port=0", "--grpc-port=0", "--admin-port=0",
            "--io-threads=2", "--state-dir", stateDir.toString(), "--config", file.toString(), "--sampling-percent=100",
            "--drift-window-rows=150", "--drift-evaluate-ms=50", "--comparison-evaluate-ms=50"},
            Map.of("SCORING_RUNTIME", "onnxruntime"));
        final ScoringGateway gateway = startWithVersionTwoShadowingEveryRequest(config);
        final AdminClient admin = new AdminClient(gateway.adminPort(), null);
        final DemoTestSet demo = new DemoTestSet();
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            for (final DemoTestSet.Applicant applicant : demo.applicants.subList(0, 200))
            {
                clients.scoring.predict(DemoRequests.ownRequest(demo, applicant).build());
            }

            final JsonNode drift = await(() -> get(admin, "/admin/models/credit-risk/drift"),
                (report) -> versionNamed(report.path("versions"), "1").path("window_rows").asInt() >= 150);
            assertEquals(150, versionNamed(drift.path("versions"), "1").path("window_rows").asInt(),
                "200 sampled rows, a window of 150 (the default keeps 1,000)");
            final JsonNode comparison = await(() -> get(admin, "/admin/models/credit-risk/comparison"),
                (report) -> report.path("challengers").path(0).path("pairs").asInt() >= 40);
            assertEquals(40, comparison.path("challengers").path(0).path("pairs").asInt(),
                "200 shadow pairs, a window of 40 (the default keeps 1,000)");
            for (final ModelVersion version : gateway.models().model("credit-risk").versions().values())
            {
                assertEquals("onnxruntime", version.runtimeName(), "version " + version.version());
            }
        }
        finally
        {
            gateway.drain();
        }
    }

    /**
     * The reference and current shares the ops page draws side by side: one per bin, each summing to 1,
     * and amounts 1.5 times larger fill the top bin beyond its training share.
     */
    private static void assertShiftedUpwardsInItsDistribution(final JsonNode distribution)
    {
        final int bins = distribution.path("bins").size();
        assertTrue(bins > 2, distribution.toString());
        assertEquals(bins, distribution.path("reference").size());
        assertEquals(bins, distribution.path("current").size());
        double reference = 0;
        double current = 0;
        for (int i = 0; i < bins; i++)
        {
            reference += distribution.path("reference").get(i).asDouble();
            current += distribution.path("current").get(i).asDouble();
        }
        assertEquals(1.0, reference, 1e-9);
        assertEquals(1.0, current, 1e-9);
        assertTrue(distribution.path("bins").get(bins - 1).asText().startsWith(">"), distribution.toString());
        assertTrue(distribution.path("current").get(bins - 1).asDouble() > distribution.path("reference").get(bins - 1).asDouble() + 0.05,
            "the top bin gained: " + distribution);
    }

    /**
     * The held-out applicants, then the same with their credit amounts shuffled among them: every marginal
     * stays as it was (no univariate alarm), the amount no longer goes with the duration, and the domain
     * classifier, silent on the first window, alarms on the second and names the two features.
     */
    @Test
    void shouldCatchABrokenCorrelationWithTheDomainClassifierAndStaySilentOnTheUnshiftedApplicants() throws Exception
    {
        final GatewayConfig config = TestGateways.demoConfig(Files.createTempDirectory("scoring-state"));
        config.monitoringContext().defaultSamplingPercent(100).driftWindowRows(300).driftEvaluateMillis(100)
            .domainDriftEvaluateMillis(100);
        final ScoringGateway gateway = ScoringGateway.start(config, "");
        final AdminClient admin = new AdminClient(gateway.adminPort(), null);
        final DemoTestSet demo = new DemoTestSet();
        final List<DemoTestSet.Applicant> applicants = demo.testRows();
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            for (int i = 0; i < applicants.size(); i++)
            {
                clients.scoring.predict(DemoRequests.ownRequest(demo, applicants.get(i)).setRequestId("c-" + i).build());
            }
            final JsonNode clean = lastDomainRun(admin, System.currentTimeMillis());
            assertFalse(clean.path("alarm").asBoolean(), clean.toString());
            assertEquals(300, clean.path("window_rows").asInt());
            assertEquals(700, clean.path("reference_rows").asInt(), "the demo's training rows");

            final List<Double> amounts = new ArrayList<>();
            applicants.forEach((a) -> amounts.add((Double)demo.requestValue(a, "credit_amount")));
            Collections.shuffle(amounts, new Random(1));
            for (int i = 0; i < applicants.size(); i++)
            {
                final PredictRequest.Builder request = DemoRequests.ownRequest(demo, applicants.get(i)).setRequestId("s-" + i);
                request.setRows(0, request.getRows(0).toBuilder()
                    .putFeatures("credit_amount", FeatureValue.newBuilder().setNumberValue(amounts.get(i)).build()));
                clients.scoring.predict(request.build());
            }
            final JsonNode shifted = lastDomainRun(admin, System.currentTimeMillis());
            assertTrue(shifted.path("alarm").asBoolean(), shifted.toString());
            assertEquals(Set.of("credit_amount", "duration"), Set.of(shifted.path("importances").path(0).path("feature").asText(),
                shifted.path("importances").path(1).path("feature").asText()), shifted.toString());
            final JsonNode drift = versionNamed(get(admin, "/admin/models/credit-risk/drift").path("versions"), "1");
            for (final JsonNode feature : drift.path("features"))
            {
                assertFalse(feature.path("alarm").asBoolean(), "no univariate test sees it: " + feature);
            }
        }
        finally
        {
            gateway.drain();
        }
    }

    /**
     * The champion's domain-classifier run over its final window: a run begun after the last request was
     * answered, and no newer one within a second (a run starts only when the window changed, so the last
     * sample, consumed just after its answer, is in it).
     */
    private static JsonNode lastDomainRun(final AdminClient admin, final long answeredMillis) throws Exception
    {
        final Fetch domain = () -> versionNamed(get(admin, "/admin/models/credit-risk/drift").path("versions"), "1")
            .path("domain_classifier");
        JsonNode last = await(domain, (run) -> run.path("evaluated_at_millis").asLong() >= answeredMillis);
        while (true)
        {
            Thread.sleep(1_000);
            final JsonNode again = domain.get();
            if (again.path("evaluated_at_millis").asLong() == last.path("evaluated_at_millis").asLong())
            {
                return last;
            }
            last = again;
        }
    }

    private static ScoringGateway startWithVersionTwoShadowingEveryRequest(final GatewayConfig config) throws Exception
    {
        final ScoringGateway gateway = ScoringGateway.start(config, "");
        gateway.models().setPolicy("credit-risk",
            new TrafficPolicy("1", null, List.of(new TrafficPolicy.Share("2", 10_000))), "test");
        return gateway;
    }

    static JsonNode get(final AdminClient admin, final String path) throws Exception
    {
        return JSON.readTree(admin.get(path).body());
    }

    static JsonNode versionNamed(final JsonNode versions, final String version)
    {
        for (final JsonNode entry : versions)
        {
            if (version.equals(entry.path("version").asText()) &&
                (entry.path("role").isMissingNode() || "champion".equals(entry.path("role").asText())))
            {
                return entry;
            }
        }
        return JSON.createObjectNode();
    }

    private static JsonNode feature(final JsonNode version, final String name, final String method)
    {
        for (final JsonNode feature : version.path("features"))
        {
            if (name.equals(feature.path("feature").asText()) && method.equals(feature.path("method").asText()))
            {
                return feature;
            }
        }
        throw new AssertionError("no " + method + " result for " + name + " in " + version);
    }

    @FunctionalInterface
    interface Fetch
    {
        JsonNode get() throws Exception;
    }

    static JsonNode await(final Fetch fetch, final Predicate<JsonNode> ready) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode last = fetch.get();
        while (!ready.test(last) && System.nanoTime() < deadline)
        {
            Thread.sleep(250);
            last = fetch.get();
        }
        assertTrue(ready.test(last), "not ready in 30 s: " + last);
        return last;
    }
}
