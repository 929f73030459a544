package io.scoring.gateway;

import io.scoring.proto.v1.PredictRequest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the gateway tells about its traffic: metrics, ground-truth joins, and the payload log. */
class MonitoringEndpointsTest
{
    private static final Pattern OK_CHAMPION = Pattern.compile(
        "scoring_requests_total\\{model=\"credit-risk\",outcome=\"ok\",role=\"champion\",version=\"1\"} (\\d+)");

    private static ScoringGateway start(final Path stateDir, final String samplingPercent) throws Exception
    {
        final GatewayConfig config = TestGateways.demoConfig(stateDir);
        config.monitoringContext().defaultSamplingPercent(Double.parseDouble(samplingPercent));
        return ScoringGateway.start(config, "");
    }

    @Test
    void shouldCountEachAnsweredRequestAndTimeItInPrometheusHistograms() throws Exception
    {
        final ScoringGateway gateway = start(Files.createTempDirectory("scoring-state"), "1");
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            final DemoTestSet demo = new DemoTestSet();
            final long before = okChampionCount(clients.get("/metrics").body());
            for (int i = 0; i < 25; i++)
            {
                clients.scoring.predict(DemoRequests.ownRequest(demo, demo.applicants.get(i)).build());
            }
            clients.post("/v1/predict", "{\"model\":\"nope\",\"rows\":[]}");

            final HttpResponse<String> scrape = clients.get("/metrics");
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
            final String text = scrape.body();
            assertEquals(before + 25, okChampionCount(text));
            assertTrue(text.contains("scoring_requests_total{model=\"unknown\",outcome=\"model_not_found\",role=\"none\",version=\"unknown\"} 1"),
                "an unknown model is counted too");
            assertTrue(text.contains("scoring_request_duration_seconds_bucket{model=\"credit-risk\",role=\"champion\",version=\"1\",le=\"0.001\"}"));
            assertTrue(text.contains("scoring_stage_duration_seconds_count{stage=\"score\"}"));
            assertTrue(text.contains("scoring_traffic_weight{model=\"credit-risk\",role=\"champion\",version=\"1\"} 100"));
            assertTrue(text.contains("jvm_memory_used_bytes"));
        }
        finally
        {
            gateway.drain();
        }
    }

    private static long okChampionCount(final String metrics)
    {
        final Matcher matcher = OK_CHAMPION.matcher(metrics);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    @Test
    void shouldAnswerRequestCountsPerVersionAndRoleAsTheMetricsCountThem() throws Exception
    {
        final ScoringGateway gateway = start(Files.createTempDirectory("scoring-state"), "1");
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            final DemoTestSet demo = new DemoTestSet();
            final AdminClient admin = new AdminClient(gateway.adminPort(), null);
            for (int i = 0; i < 30; i++)
            {
                clients.scoring.predict(DemoRequests.ownRequest(demo, demo.applicants.get(i)).build());
            }
            // a row the model cannot take: counted against the champion, as an error
            final HttpResponse<String> refused = clients.post("/v1/predict", "{\"model\":\"credit-risk\",\"rows\":[" +
                "{\"entity_key\":\"A0001\",\"features\":{\"duration\":\"long\"}}]}");
            assertEquals(400, refused.statusCode(), refused.body());

            final HttpResponse<String> answer = admin.get("/admin/models/credit-risk/requests");
            assertEquals(200, answer.statusCode());
            final var report = AdminClient.json(answer);
            assertTrue(report.get("at_millis").asLong() > 0);
            com.fasterxml.jackson.databind.JsonNode champion = null;
            for (final var counts : report.get("versions"))
            {
                if (counts.get("version").asText().equals("1") && counts.get("role").asText().equals("champion"))
                {
                    champion = counts;
                }
            }
            assertEquals(30, champion.get("outcomes").get("ok").asLong(), report.toString());
            assertEquals(okChampionCount(clients.get("/metrics").body()), champion.get("outcomes").get("ok").asLong(),
                "the same counters as /metrics");
            assertEquals(1, champion.get("errors").asLong(), "the refused row, as invalid_argument");
            assertEquals(1, champion.get("outcomes").get("invalid_argument").asLong());
            assertEquals(404, admin.get("/admin/models/nope/requests").statusCode());
        }
        finally
        {
            gateway.drain();
        }
    }

    @Test
    void shouldJoinALabelToARecentPredictionAndRefuseAnUnknownOne() throws Exception
    {
        final ScoringGateway gateway = start(Files.createTempDirectory("scoring-state"), "1");
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            final DemoTestSet demo = new DemoTestSet();
            clients.scoring.predict(DemoRequests.ownRequest(demo, demo.applicants.get(0)).setRequestId("loan-17").build());

            assertEquals(200, clients.post("/v1/feedback", "{\"request_id\":\"loan-17\",\"label\":1}").statusCode());
            final HttpResponse<String> unknown = clients.post("/v1/feedback", "{\"request_id\":\"loan-18\",\"label\":1}");
            assertEquals(404, unknown.statusCode());
            assertTrue(unknown.body().contains("loan-18"));
            final HttpResponse<String> badLabel = clients.post("/v1/feedback", "{\"request_id\":\"loan-17\",\"label\":7}");
            assertEquals(400, badLabel.statusCode());
            assertTrue(badLabel.body().contains("label"));
        }
        finally
        {
            gateway.drain();
        }
    }

    @Test
    void shouldWriteEverySampledRequestToThePayloadLogByTheEndOfTheDrain() throws Exception
    {
        final Path stateDir = Files.createTempDirectory("scoring-state");
        final ScoringGateway gateway = start(stateDir, "100");
        final int requests = 300;
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            final DemoTestSet demo = new DemoTestSet();
            for (int i = 0; i < requests; i++)
            {
                final PredictRequest.Builder request = DemoRequests.ownRequest(demo, demo.applicants.get(i));
                clients.scoring.predict(i % 2 == 0 ? request.setRequestId("r-" + i).build() : request.build());
            }
        }
        gateway.drain();

        long lines = 0;
        final List<Path> files;
        try (Stream<Path> listing = Files.list(stateDir.resolve("payload-log")))
        {
            files = listing.filter((f) -> f.getFileName().toString().endsWith(".jsonl")).toList();
        }
        for (final Path file : files)
        {
            lines += Files.readAllLines(file).stream().filter((line) -> line.startsWith("{\"request_id\":")).count();
        }
        assertEquals(requests, lines, "one line per sampled request, with or without a request id");
        assertTrue(Files.readString(files.get(0)).contains("\"request_id\":\"r-0\""));
    }
}
