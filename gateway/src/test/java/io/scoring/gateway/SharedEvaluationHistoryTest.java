package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scoring.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluation history shared through a real Redis ({@code --state-store redis://}): two gateways each score
 * and label half of the demo's test rows, so each appends its own AUC of version 1; a third gateway started on
 * an empty state dir answers the range query with every point the first two wrote to their files. Then Redis
 * stops under the third: its requests and labels still succeed, its files keep taking evaluations (and its
 * range query answers from them), and the failures are counted.
 */
class SharedEvaluationHistoryTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUC = "/admin/models/credit-risk/history?metric=accuracy.auc&version=1&from=0";
    private static final Pattern SHARED_ERRORS = Pattern.compile("(?m)^scoring_history_shared_errors_total (\\S+)");

    @Test
    void shouldAnswerTheFleetsHistoryFromAnyReplicaAndKeepServingWhenRedisStops() throws Exception
    {
        final DemoTestSet demo = new DemoTestSet();
        final List<DemoTestSet.Applicant> rows = demo.testRows();
        final int half = rows.size() / 2;
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort())
        {
            final Path firstDir = Files.createTempDirectory("scoring-state");
            final Path secondDir = Files.createTempDirectory("scoring-state");
            final ScoringGateway first = start(firstDir, redis);
            final ScoringGateway second = start(secondDir, redis);
            try
            {
                scoreAndLabel(first, demo, rows.subList(0, half), "a-");
                scoreAndLabel(second, demo, rows.subList(half, rows.size()), "b-");
                awaitFilePoints(firstDir);
                awaitFilePoints(secondDir);
            }
            finally
            {
                first.drain();
                second.drain();
            }
            final List<String> firstPoints = filePoints(firstDir);
            final List<String> secondPoints = filePoints(secondDir);
            assertFalse(firstPoints.isEmpty());
            assertFalse(secondPoints.isEmpty());
            assertTrue(firstPoints.get(firstPoints.size() - 1).split(" ")[2]
                    .compareTo(secondPoints.get(secondPoints.size() - 1).split(" ")[2]) != 0,
                "each replica's AUC is of its own half of the labels: " + firstPoints + " / " + secondPoints);

            final Path thirdDir = Files.createTempDirectory("scoring-state");
            final ScoringGateway third = start(thirdDir, redis);
            try
            {
                final AdminClient admin = new AdminClient(third.adminPort(), null);
                final List<String> expected = new ArrayList<>(firstPoints);
                expected.addAll(secondPoints);
                expected.sort(null);
                final List<String> answered = points(admin, AUC);
                for (int i = 1; i < answered.size(); i++)
                {
                    assertTrue(time(answered.get(i - 1)) <= time(answered.get(i)), "oldest first: " + answered);
                }
                answered.sort(null); // two replicas' points of the same millisecond come in either order
                assertEquals(expected, answered,
                    "every point both replicas appended, from a replica with an empty state dir");
                assertTrue(filePoints(thirdDir).isEmpty(), "none of them is in the third replica's own files");

                redis.stop();
                final long stopped = System.currentTimeMillis();
                scoreAndLabel(third, demo, rows, "c-"); // every request and label answered 200 with Redis down
                awaitFilePoints(thirdDir);
                final List<String> fromFiles = points(admin, AUC);
                final List<String> own = filePoints(thirdDir); // read after: it may have grown since
                assertTrue(own.stream().allMatch((p) -> time(p) > stopped), own.toString());
                assertFalse(fromFiles.isEmpty());
                assertEquals(own.subList(0, fromFiles.size()), fromFiles,
                    "with Redis down the range query answers from this replica's files");
                try (GatewayClients clients = new GatewayClients(third.httpPort(), third.grpcPort()))
                {
                    final String metrics = clients.get("/metrics").body();
                    final Matcher errors = SHARED_ERRORS.matcher(metrics);
                    assertTrue(errors.find() && Double.parseDouble(errors.group(1)) >= 1, "failed appends are counted");
                }
            }
            finally
            {
                third.drain();
            }
        }
    }

    private static ScoringGateway start(final Path stateDir, final RedisServerProcess redis) throws Exception
    {
        final GatewayConfig config = TestGateways.demoConfig(stateDir).stateStore(redis.uri());
        config.monitoringContext().evaluationIntervalMillis(100);
        return ScoringGateway.start(config.conclude(), "");
    }

    private static void scoreAndLabel(
        final ScoringGateway gateway, final DemoTestSet demo, final List<DemoTestSet.Applicant> rows, final String idPrefix)
        throws Exception
    {
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            for (int i = 0; i < rows.size(); i++)
            {
                clients.scoring.predict(DemoRequests.ownRequest(demo, rows.get(i)).setRequestId(idPrefix + i).build());
            }
            Thread.sleep(200); // each request is remembered just after its answer is written
            for (int i = 0; i < rows.size(); i++)
            {
                final HttpResponse<String> labelled = clients.post("/v1/feedback",
                    "{\"request_id\":\"" + idPrefix + i + "\",\"label\":" + rows.get(i).label() + "}");
                assertEquals(200, labelled.statusCode(), labelled.body());
            }
        }
    }

    /** Waits until the replica's own history files hold a version-1 AUC point. */
    private static void awaitFilePoints(final Path stateDir) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (filePoints(stateDir).isEmpty())
        {
            assertTrue(System.nanoTime() < deadline, "no AUC point in " + stateDir.resolve("history"));
            Thread.sleep(100);
        }
    }

    /** The version-1 AUC points of a replica's history files, as {@code "<time> 1 <value>"}. */
    private static List<String> filePoints(final Path stateDir) throws Exception
    {
        final List<String> points = new ArrayList<>();
        final Path dir = stateDir.resolve("history");
        if (!Files.isDirectory(dir))
        {
            return points;
        }
        try (Stream<Path> files = Files.list(dir).sorted())
        {
            for (final Path file : files.toList())
            {
                for (final String line : Files.readAllLines(file))
                {
                    final JsonNode entry;
                    try
                    {
                        entry = JSON.readTree(line);
                    }
                    catch (final com.fasterxml.jackson.core.JsonProcessingException beingWritten)
                    {
                        continue;
                    }
                    final JsonNode auc = entry.path("metrics").path("accuracy.auc");
                    if ("1".equals(entry.path("version").asText()) && auc.isNumber())
                    {
                        points.add(point(entry.path("time").asLong(), "1", auc.asDouble()));
                    }
                }
            }
        }
        points.sort(null);
        return points;
    }

    private static List<String> points(final AdminClient admin, final String path) throws Exception
    {
        final HttpResponse<String> response = admin.get(path);
        assertEquals(200, response.statusCode(), response.body());
        final List<String> points = new ArrayList<>();
        for (final JsonNode p : JSON.readTree(response.body()).path("points"))
        {
            points.add(point(p.path("time").asLong(), p.path("version").asText(), p.path("value").asDouble()));
        }
        return points;
    }

    private static long time(final String point)
    {
        return Long.parseLong(point.substring(0, point.indexOf(' ')));
    }

    private static String point(final long time, final String version, final double value)
    {
        return time + " " + version + " " + value;
    }
}
