package io.scoring.bench.load;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator run for real, in open loop, against an in-process echo server on free ports. */
class LoadGeneratorTest
{
    private static EchoServer echo;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEcho() throws Exception
    {
        echo = new EchoServer(0, 0, 2).start();
    }

    @AfterAll
    static void stopEcho()
    {
        echo.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "grpc-v2", "http"})
    void shouldAnswerEveryScheduledRequestAndWriteThePercentileDistribution(final String protocol) throws Exception
    {
        final int port = "http".equals(protocol) ? echo.httpPort() : echo.grpcPort();
        final Path hgrm = dir.resolve(protocol + ".hgrm");
        final Path html = dir.resolve(protocol + ".html");

        final List<RunResult> results = LoadGenerator.run(LoadOptions.parse(
            "--target", "127.0.0.1:" + port, "--protocol", protocol, "--mode", "open", "--rate", "500",
            "--warmup", "500ms", "--duration", "1500ms", "--hgrm", hgrm.toString(), "--html", html.toString()),
            System.out);

        final RunResult run = results.get(0);
        assertEquals(750, run.sent(), "500/s for 1.5 s on a constant schedule");
        assertEquals(run.sent(), run.ok());
        assertEquals(Map.of(), run.errors());
        assertEquals(run.sent(), run.latency().getTotalCount());
        assertTrue(Files.readString(hgrm).contains("#[Max"), "the .hgrm file has HdrHistogram's summary");
        assertTrue(Files.readString(html).contains("<polyline"), "the report plots the run");
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "http"})
    void shouldSendTheEntityKeyInAHeaderWhenAsked(final String protocol) throws Exception
    {
        final int port = "http".equals(protocol) ? echo.httpPort() : echo.grpcPort();
        final Workload workload = Workload.load(LoadOptions.parse());
        final LoadOptions plain = LoadOptions.parse("--target", "127.0.0.1:" + port, "--protocol", protocol);
        final LoadOptions keyed = LoadOptions.parse("--target", "127.0.0.1:" + port, "--protocol", protocol,
            "--entity-key-header", "X-Entity-Key", "--mode", "closed", "--warmup", "0s", "--duration", "500ms");

        assertEquals("x-entity-key", keyed.entityKeyHeader, "header names are lower case, as HTTP/2 requires");
        assertEquals("A0001", workload.entityKeys()[0]);
        try (Target without = LoadGenerator.connect(plain, workload); Target with = LoadGenerator.connect(keyed, workload))
        {
            assertEquals("http".equals(protocol) ? "x-entity-key: A0001\r\n".length() : 0,
                with.requestBytes() - without.requestBytes(), "HTTP carries the header in the message, gRPC in metadata");
        }
        final RunResult run = LoadGenerator.run(keyed, System.out).get(0);
        assertTrue(run.ok() > 0);
        assertEquals(Map.of(), run.errors());
    }
}
