package io.scoring.gateway;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.scoring.proto.v1.ScoringServiceGrpc;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM drains: a request in flight when the signal arrives (its body still arriving) finishes with
 * its answer, new connections and new calls are refused, and the process exits 0.
 */
class DrainOnSigtermTest
{
    @Test
    void shouldFinishTheRequestInFlightRefuseNewOnesAndExitZero() throws Exception
    {
        try (GatewayProcess gateway = GatewayProcess.start(Files.createTempDirectory("scoring-state"), Map.of(),
            "--drain-seconds", "20"))
        {
            final DemoTestSet demo = new DemoTestSet();
            final byte[] body = DemoRequests.ownJson(demo, List.of(demo.testRows().get(0)), null)
                .getBytes(StandardCharsets.UTF_8);
            try (GatewayClients warmUp = new GatewayClients(gateway.httpPort, gateway.grpcPort))
            {
                assertEquals(200, warmUp.post("/v1/predict", new String(body, StandardCharsets.UTF_8)).statusCode(),
                    "the first request pays for class loading; the in-flight one below must not");
            }
            try (Socket inFlight = new Socket("127.0.0.1", gateway.httpPort))
            {
                final OutputStream out = inFlight.getOutputStream();
                out.write(("POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
                    "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, body.length / 2);
                out.flush();
                Thread.sleep(1_000); // the head has reached the server: the request is in flight

                gateway.sigterm();
                gateway.awaitLine("draining", 30);

                assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", gateway.httpPort).close(),
                    "new HTTP connections are refused");
                final ManagedChannel channel =
                    NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort).usePlaintext().build();
                try
                {
                    final StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () ->
                        ScoringServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .predict(DemoRequests.ownRequest(demo, demo.testRows().get(0)).build()));
                    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
                }
                finally
                {
                    channel.shutdownNow();
                }

                out.write(body, body.length / 2, body.length - body.length / 2);
                out.flush();
                final BufferedReader response = new BufferedReader(
                    new InputStreamReader(inFlight.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("HTTP/1.1 200 OK", response.readLine());
                String line;
                while (!(line = response.readLine()).isEmpty())
                {
                    // headers
                }
                assertTrue(response.readLine().contains("\"results\":[{\"scores\":["), "the in-flight request's answer");
            }

            assertEquals(0, gateway.awaitExit(), "the gateway exits 0 after the drain");
            gateway.awaitLine("drained", 5);
        }
    }
}
