package io.scoring.bench.load;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.scoring.gateway.GatewayConfig;
import io.scoring.gateway.ScoringGateway;
import io.scoring.proto.inference.GRPCInferenceServiceGrpc;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferResponse;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.ScoringServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator run for real against an in-process echo server and the real gateway, on free ports. */
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

    @Test
    void shouldGetTheSameScoresFromTheGatewayForTypedAndRawV2RequestsAsForPredict() throws Exception
    {
        final Workload workload = Workload.load(LoadOptions.parse());
        final ModelInferRequest[] typed = workload.v2Requests(false);
        final ModelInferRequest[] raw = workload.v2Requests(true);
        final PredictRequest[] own = workload.ownRequests();
        assertEquals(0, typed[0].getRawInputContentsCount());
        assertEquals(typed[0].getInputsCount(), raw[0].getRawInputContentsCount(), "one raw entry per input");

        final ScoringGateway gateway = ScoringGateway.start(new GatewayConfig().stateDir(dir.resolve("state"))
            .httpPort(0).grpcPort(0).adminPort(0).ioThreads(2).drainSeconds(1));
        final ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
        try
        {
            final var infer = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            final var predict = ScoringServiceGrpc.newBlockingStub(channel);
            final int applicants = 100;
            final float[] typedScores = new float[applicants];
            final float[] rawScores = new float[applicants];
            final float[] ownScores = new float[applicants];
            for (int i = 0; i < applicants; i++)
            {
                typedScores[i] = infer.modelInfer(typed[i]).getOutputs(0).getContents().getFp32Contents(0);
                final ModelInferResponse rawAnswer = infer.modelInfer(raw[i]);
                assertEquals(0, rawAnswer.getOutputs(0).getContents().getFp32ContentsCount(), "a raw request is answered raw");
                rawScores[i] = rawAnswer.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat();
                ownScores[i] = predict.predict(own[i]).getResults(0).getScores(0);
            }
            assertArrayEquals(ownScores, typedScores, "V2 with typed contents scores each applicant as Predict does");
            assertArrayEquals(ownScores, rawScores, "V2 with raw contents scores each applicant as Predict does");

            final RunResult run = LoadGenerator.run(LoadOptions.parse("--target", "127.0.0.1:" + gateway.grpcPort(),
                "--protocol", "grpc-v2", "--v2-contents", "raw", "--mode", "closed", "--warmup", "0s", "--duration", "500ms"),
                System.out).get(0);
            assertTrue(run.ok() > 0);
            assertEquals(Map.of(), run.errors(), "the gateway answers every raw request of a run");
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            gateway.drain();
        }
    }

    @Test
    void shouldEchoARawV2RequestWithARawAnswer() throws Exception
    {
        final ModelInferRequest[] raw = Workload.load(LoadOptions.parse()).v2Requests(true);
        final ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", echo.grpcPort()).usePlaintext().build();
        try
        {
            final ModelInferResponse answer = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(raw[0]);
            final ByteBuffer scores = answer.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(Float.BYTES, scores.remaining(), "one little-endian FP32 score for one row");
            assertEquals(0, answer.getOutputs(0).getContents().getFp32ContentsCount());
        }
        finally
        {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
