package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scoring.router.traffic.TrafficPolicy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluation history through the real server: both versions of the demo take traffic (a 50 % canary)
 * and labels, their AUC is appended every 100 ms to the state dir, the gateway stops and a new one starts
 * on the same state dir, and the history still answers every point of the first run, for each version
 * over the same period.
 */
class EvaluationHistoryTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldAnswerRangeQueriesOfBothVersionsAcrossARestart() throws Exception
    {
        final Path stateDir = Files.createTempDirectory("scoring-state");
        final DemoTestSet demo = new DemoTestSet();
        final List<JsonNode> before;
        final long lastBefore;
        ScoringGateway gateway = start(stateDir);
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            gateway.models().setPolicy("credit-risk",
                new TrafficPolicy("1", new TrafficPolicy.Share("2", 5_000), List.of()), "test");
            final List<DemoTestSet.Applicant> applicants = demo.testRows();
            for (int i = 0; i < applicants.size(); i++)
            {
                clients.scoring.predict(DemoRequests.ownRequest(demo, applicants.get(i)).setRequestId("h-" + i).build());
            }
            Thread.sleep(200); // each request is remembered just after its answer is written
            for (int i = 0; i < applicants.size(); i++)
            {
                clients.post("/v1/feedback", "{\"request_id\":\"h-" + i + "\",\"label\":" + applicants.get(i).label() + "}");
            }
            final AdminClient admin = new AdminClient(gateway.adminPort(), null);
            final JsonNode accuracy = JSON.readTree(admin.get("/admin/models/credit-risk/accuracy").body());
            for (final String version : List.of("1", "2"))
            {
                final double auc = versionNamed(accuracy, version).path("auc").asDouble();
                assertTrue(auc > 0.6 && auc < 1, "version " + version + " labelled: " + accuracy);
                awaitLastPoint(admin, version, auc);
            }
            before = points(admin, "/admin/models/credit-risk/history?metric=accuracy.auc&from=0");
            lastBefore = before.get(before.size() - 1).path("time").asLong();
        }
        finally
        {
            gateway.drain();
        }

        gateway = start(stateDir);
        try
        {
            final AdminClient admin = new AdminClient(gateway.adminPort(), null);
            final List<JsonNode> after = points(admin, "/admin/models/credit-risk/history?metric=accuracy.auc&from=0");
            assertTrue(after.size() >= before.size(), before.size() + " points before the restart, " + after.size() + " after");
            assertEquals(before, after.subList(0, before.size()), "the first run's points, unchanged and in order");

            final List<JsonNode> second = points(admin,
                "/admin/models/credit-risk/history?metric=accuracy.auc&version=2&from=0&to=" + lastBefore);
            assertFalse(second.isEmpty());
            assertTrue(second.stream().allMatch((p) -> "2".equals(p.path("version").asText())), second.toString());
            assertEquals(before.stream().filter((p) -> "2".equals(p.path("version").asText())).toList(), second);

            final List<JsonNode> atLast = points(admin, "/admin/models/credit-risk/history?metric=accuracy.auc" +
                "&from=" + java.time.Instant.ofEpochMilli(lastBefore) + "&to=" + java.time.Instant.ofEpochMilli(lastBefore));
            assertEquals(before.stream().filter((p) -> p.path("time").asLong() == lastBefore).toList(), atLast,
                "ISO-8601 instants, both ends inclusive");

            assertEquals(400, admin.get("/admin/models/credit-risk/history").statusCode(), "metric is required");
            final var badFrom = admin.get("/admin/models/credit-risk/history?metric=accuracy.auc&from=yesterday");
            assertEquals(400, badFrom.statusCode());
            assertTrue(badFrom.body().contains("from"), badFrom.body());
            assertEquals(400, admin.get("/admin/models/credit-risk/history?metric=accuracy.auc&from=20&to=10").statusCode());
            assertEquals(404, admin.get("/admin/models/nope/history?metric=accuracy.auc").statusCode());
        }
        finally
        {
            gateway.drain();
        }
    }

    private static ScoringGateway start(final Path stateDir) throws Exception
    {
        final GatewayConfig config = TestGateways.demoConfig(stateDir);
        config.monitoringContext().evaluationIntervalMillis(100);
        return ScoringGateway.start(config.conclude(), "");
    }

    /** Waits until the history's latest point of a version carries the AUC the accuracy report shows. */
    private static void awaitLastPoint(final AdminClient admin, final String version, final double auc) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<JsonNode> points = List.of();
        while (System.nanoTime() < deadline)
        {
            points = points(admin, "/admin/models/credit-risk/history?metric=accuracy.auc&from=0&version=" + version);
            if (!points.isEmpty() && points.get(points.size() - 1).path("value").asDouble() == auc)
            {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("version " + version + ": no point with AUC " + auc + " in " + points);
    }

    private static List<JsonNode> points(final AdminClient admin, final String path) throws Exception
    {
        final var response = admin.get(path);
        assertEquals(200, response.statusCode(), response.body());
        final List<JsonNode> points = new ArrayList<>();
        JSON.readTree(response.body()).path("points").forEach(points::add);
        return points;
    }

    private static JsonNode versionNamed(final JsonNode report, final String version)
    {
        for (final JsonNode entry : report.path("versions"))
        {
            if (version.equals(entry.path("version").asText()))
            {
                return entry;
            }
        }
        throw new AssertionError("no version " + version + " in " + report);
    }
}
