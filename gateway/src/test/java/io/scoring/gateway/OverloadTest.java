package io.scoring.gateway;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.proto.v1.ScoringServiceGrpc;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway under more calls than it can score, with callers that give up: the edge refuses what is
 * beyond its concurrency limit at once and counts it per model, an expired request is answered
 * DEADLINE_EXCEEDED / 504 and never scored, and callers that went away are counted, not logged one by one.
 * Real gateways on free ports, real gRPC and HTTP clients.
 */
class OverloadTest
{
    @Test
    void shouldRefuseCallsBeyondTheLimitAtOnceWithResourceExhaustedAnd429CountedUnderTheModel() throws Exception
    {
        final ScoringGateway gateway = limitedGateway("1");
        final DemoTestSet demo = new DemoTestSet();
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            final List<Status> refusals = new ArrayList<>();
            final int ok = answered(predictAtOnce(clients, demo, 400), refusals::add);
            refusals.forEach((status) -> assertTrue(status.getDescription().contains("concurrency limit"), status.getDescription()));
            final int exhausted = refusals.size();
            assertTrue(ok > 0, "some calls are scored");
            assertTrue(exhausted > 0, "with a limit of 1, 400 calls at once are not all admitted");

            final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            final String body = DemoRequests.ownJson(demo, demo.testRows().subList(0, 1), null);
            final List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
            for (int i = 0; i < 200; i++)
            {
                posts.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + "/v1/predict"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            int tooMany = 0;
            for (final CompletableFuture<HttpResponse<String>> post : posts)
            {
                final HttpResponse<String> response = post.get(30, TimeUnit.SECONDS);
                assertTrue(response.statusCode() == 200 || response.statusCode() == 429, response.toString());
                if (response.statusCode() == 429)
                {
                    tooMany++;
                    assertEquals("1", response.headers().firstValue("retry-after").orElse(""), "429 says when to retry");
                    assertTrue(response.body().contains("concurrency limit"), response.body());
                }
            }
            assertTrue(tooMany > 0, "200 HTTP requests at once over separate connections are not all admitted");

            final String metrics = clients.get("/metrics").body();
            assertEquals(exhausted + tooMany, count(metrics, "credit-risk", "overloaded"), 0.0,
                "every refusal is counted under its model");
        }
        finally
        {
            gateway.drain();
        }
    }

    @Test
    void shouldShedShadowScoringNearTheLimitAndStillAnswerCallers() throws Exception
    {
        final ScoringGateway gateway = limitedGateway("4");
        final DemoTestSet demo = new DemoTestSet();
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            assertEquals(200, new AdminClient(gateway.adminPort(), null).put("/admin/models/credit-risk/traffic",
                "{\"champion\":\"1\",\"shadows\":[{\"version\":\"2\",\"percent\":100}]}").statusCode());
            final int ok = answered(predictAtOnce(clients, demo, 400), (status) -> { });
            final String metrics = clients.get("/metrics").body();
            final double shed = sum(metrics, "scoring_background_shed_total", "model=\"credit-risk\"");
            final double shadowed = sum(metrics, "scoring_shadow_scored_total", "model=\"credit-risk\"");
            assertTrue(ok > 0, "callers are answered");
            assertTrue(shed > 0, "with two or more of four calls in flight, answers go without their shadow and sample");
            assertTrue(shadowed < ok, shadowed + " shadow scorings for " + ok + " answers with a 100% shadow");
        }
        finally
        {
            gateway.drain();
        }
    }

    @Test
    void shouldAnswer504WithoutScoringWhenTheDeadlineHasPassedAndNameAMalformedDeadlineHeader() throws Exception
    {
        final ScoringGateway gateway = TestGateways.startDemo();
        final DemoTestSet demo = new DemoTestSet();
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            final String body = DemoRequests.ownJson(demo, demo.testRows().subList(0, 1), null);
            final double okBefore = count(clients.get("/metrics").body(), "credit-risk", "ok");

            for (final String[] header : new String[][] {{"x-envoy-expected-rq-timeout-ms", "0"}, {"grpc-timeout", "0m"}})
            {
                final HttpResponse<String> late = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.httpPort() + "/v1/predict"))
                    .header(header[0], header[1]).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(504, late.statusCode(), late.body());
                assertTrue(late.body().contains("deadline"), late.body());
            }
            final HttpResponse<String> inTime = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.httpPort() + "/v1/predict"))
                .header("x-envoy-expected-rq-timeout-ms", "10000").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, inTime.statusCode(), inTime.body());

            final HttpResponse<String> malformed = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.httpPort() + "/v1/predict"))
                .header("grpc-timeout", "soon").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(400, malformed.statusCode());
            assertTrue(malformed.body().contains("grpc-timeout"), malformed.body());

            final String metrics = clients.get("/metrics").body();
            assertEquals(2, count(metrics, "credit-risk", "deadline_exceeded"), 0.0, "counted under the model's version");
            assertEquals(okBefore + 1, count(metrics, "credit-risk", "ok"), 0.0, "the expired requests were never scored");
        }
        finally
        {
            gateway.drain();
        }
    }

    @Test
    void shouldCountCallsWhoseCallersGaveUpWithoutAWarningForEach() throws Exception
    {
        final List<LogRecord> warnings = new ArrayList<>();
        final Handler collect = new Handler()
        {
            @Override
            public synchronized void publish(final LogRecord record)
            {
                if (record.getLevel().intValue() >= Level.WARNING.intValue())
                {
                    warnings.add(record);
                }
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        final Logger grpcLogs = Logger.getLogger("io.grpc");
        grpcLogs.addHandler(collect);
        final ScoringGateway gateway = ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state"))
            .concurrencyLimit("gradient2").scoringThreads(1));
        final DemoTestSet demo = new DemoTestSet();
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            // far more calls than one scoring thread answers in 3 ms: most callers give up while their call waits
            final List<ListenableFuture<PredictResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 3000; i++)
            {
                calls.add(ScoringServiceGrpc.newFutureStub(clients.channel).withDeadlineAfter(3, TimeUnit.MILLISECONDS)
                    .predict(DemoRequests.ownRequest(demo, demo.testRows().get(i % 50)).build()));
            }
            for (final ListenableFuture<PredictResponse> call : calls)
            {
                try
                {
                    call.get(30, TimeUnit.SECONDS);
                }
                catch (final ExecutionException ex)
                {
                    final Status.Code code = Status.fromThrowable(ex.getCause()).getCode();
                    assertTrue(code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.RESOURCE_EXHAUSTED
                        || code == Status.Code.CANCELLED, code.toString());
                }
            }
            Thread.sleep(500); // the last refusals and drops are counted after their callers stopped listening
            final String metrics = clients.get("/metrics").body();
            assertTrue(count(metrics, "credit-risk", "deadline_exceeded") + count(metrics, "credit-risk", "cancelled") > 0,
                "calls whose callers gave up are counted under their model");
            assertEquals(List.of(), warnings.stream().map(LogRecord::getMessage).toList(),
                "no warning per abandoned call");
        }
        finally
        {
            gateway.drain();
            grpcLogs.removeHandler(collect);
        }
    }

    @Test
    void shouldAnswerPipelinedHttpRequestsInTheirOrderWhenScoringThreadsServeThem() throws Exception
    {
        // no call shed for waiting (a burst of 50 on a slow machine may wait past 20 ms): this is about their order
        final ScoringGateway gateway = ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state"))
            .concurrencyLimit("1000").scoringThreads(4).scoringQueueWaitMs(60_000).scoringQueueTargetMs(60_000));
        final DemoTestSet demo = new DemoTestSet();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.httpPort()))
        {
            final StringBuilder pipelined = new StringBuilder();
            final int requests = 50;
            for (int i = 0; i < requests; i++)
            {
                final String body = DemoRequests.ownJson(demo, demo.testRows().subList(i % 10, i % 10 + 1 + i % 3), null)
                    .replace("\"json-1\"", "\"pipelined-" + i + "\"");
                pipelined.append("POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ")
                    .append(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).append("\r\n\r\n").append(body);
            }
            socket.getOutputStream().write(pipelined.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.setSoTimeout(10_000);
            final java.io.InputStream in = socket.getInputStream();
            final StringBuilder answers = new StringBuilder();
            final byte[] buffer = new byte[65536];
            while (countOf(answers, "\"request_id\"") < requests)
            {
                final int read = in.read(buffer);
                assertTrue(read > 0, "the connection ended after " + answers);
                answers.append(new String(buffer, 0, read, java.nio.charset.StandardCharsets.UTF_8));
            }
            final Matcher ids = Pattern.compile("\"request_id\"\\s*:\\s*\"pipelined-(\\d+)\"").matcher(answers);
            int expected = 0;
            while (ids.find())
            {
                assertEquals(expected++, Integer.parseInt(ids.group(1)), "answers in the order of the requests");
            }
            assertEquals(requests, expected);
        }
        finally
        {
            gateway.drain();
        }
    }

    private static int countOf(final CharSequence text, final String what)
    {
        int count = 0;
        for (int i = text.toString().indexOf(what); i >= 0; i = text.toString().indexOf(what, i + 1))
        {
            count++;
        }
        return count;
    }

    /**
     * The demo with a fixed concurrency limit and one scoring thread, the scoring queue's wait bound out of the way
     * (AdmissionTest holds it): what these tests see is the edge's refusal and the limit's shedding.
     */
    private static ScoringGateway limitedGateway(final String limit) throws Exception
    {
        return ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state"))
            .concurrencyLimit(limit).scoringThreads(1).scoringQueueWaitMs(60_000).scoringQueueTargetMs(60_000));
    }

    /** {@code count} Predict calls sent at once over one channel, for the first 50 demo applicants in turn. */
    private static List<ListenableFuture<PredictResponse>> predictAtOnce(final GatewayClients clients, final DemoTestSet demo,
        final int count)
    {
        final ScoringServiceGrpc.ScoringServiceFutureStub stub = ScoringServiceGrpc.newFutureStub(clients.channel);
        final List<ListenableFuture<PredictResponse>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            calls.add(stub.predict(DemoRequests.ownRequest(demo, demo.testRows().get(i % 50)).build()));
        }
        return calls;
    }

    /** Waits for every call: how many were answered; each other one must be RESOURCE_EXHAUSTED, and goes to {@code refused}. */
    private static int answered(final List<ListenableFuture<PredictResponse>> calls, final Consumer<Status> refused)
        throws Exception
    {
        int ok = 0;
        for (final ListenableFuture<PredictResponse> call : calls)
        {
            try
            {
                call.get(30, TimeUnit.SECONDS);
                ok++;
            }
            catch (final ExecutionException ex)
            {
                final Status status = Status.fromThrowable(ex.getCause());
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
                refused.accept(status);
            }
        }
        return ok;
    }

    /** The sum of {@code scoring_requests_total} over a model's versions and roles, for one outcome. */
    static double count(final String metrics, final String model, final String outcome)
    {
        return sum(metrics, "scoring_requests_total", "model=\"" + model + "\"", "outcome=\"" + outcome + "\"");
    }

    /** The sum of a metric's samples whose labels include all of {@code labels} ({@code name="value"} each). */
    private static double sum(final String metrics, final String name, final String... labels)
    {
        double sum = 0;
        final Matcher matcher = Pattern.compile(Pattern.quote(name) + "\\{([^}]*)\\} ([0-9.eE+]+)").matcher(metrics);
        while (matcher.find())
        {
            final String found = matcher.group(1);
            if (Arrays.stream(labels).allMatch(found::contains))
            {
                sum += Double.parseDouble(matcher.group(2));
            }
        }
        return sum;
    }
}
