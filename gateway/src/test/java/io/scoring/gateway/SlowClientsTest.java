package io.scoring.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow and hostile clients get bounded shares of the gateway, and the other clients keep being served:
 * headers sent a byte at a time are cut off at the read timeout, oversized headers get 431, connections
 * beyond the cap are closed (HTTP and gRPC), and idle ones are closed. Real sockets and real clients against the real gateway.
 */
class SlowClientsTest
{
    private static ScoringGateway gateway;
    private static GatewayClients clients;
    private static DemoTestSet demo;

    @BeforeAll
    static void start() throws Exception
    {
        gateway = ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state"))
            .requestReadTimeoutMs(500)
            .idleTimeoutMs(1_000)
            .maxConnections(40)
            .maxHeaderBytes(2048)
            .grpcMaxCallsPerConnection(8));
        clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort());
        demo = new DemoTestSet();
    }

    @AfterAll
    static void stop() throws Exception
    {
        clients.close();
        gateway.drain();
    }

    @Test
    void shouldCloseAConnectionWhoseHeadersTrickleInPastTheReadTimeoutWhileServingOthers() throws Exception
    {
        try (Socket slow = new Socket("127.0.0.1", gateway.httpPort()))
        {
            final OutputStream out = slow.getOutputStream();
            final byte[] head = ("POST /v1/predict HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(200)).getBytes(StandardCharsets.US_ASCII);
            final long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < head.length && !closed; i++)
            {
                try
                {
                    out.write(head[i]);
                    out.flush();
                }
                catch (final SocketException ex)
                {
                    closed = true; // reset by the server
                }
                Thread.sleep(20);
                assertOthersServed(i);
            }
            if (!closed)
            {
                slow.setSoTimeout(5_000);
                closed = slow.getInputStream().read() == -1;
            }
            assertTrue(closed, "a request still arriving after the read timeout has its connection closed");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4), "closed at the timeout, not at the end");
        }
    }

    @Test
    void shouldAnswer431ToHeadersAboveTheLimitAndCloseTheConnection() throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", gateway.httpPort()))
        {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("POST /v1/predict HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(4096) +
                "\r\nContent-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
            final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
            assertTrue(answer.contains("max-header-bytes"), answer);
        }
        assertOthersServed(0);
    }

    @Test
    void shouldCloseConnectionsBeyondTheCapAndIdleOnesAfterTheIdleTimeout() throws Exception
    {
        final List<Socket> idle = new ArrayList<>();
        try
        {
            for (int i = 0; i < 60; i++)
            {
                final Socket socket = new Socket("127.0.0.1", gateway.httpPort());
                socket.setSoTimeout(5_000);
                idle.add(socket);
            }
            int closedAtOnce = 0;
            for (final Socket socket : idle.subList(40, 60))
            {
                closedAtOnce += socket.getInputStream().read() == -1 ? 1 : 0;
            }
            assertTrue(closedAtOnce >= 20 - 2, "connections beyond the cap of 40 are closed: " + closedAtOnce + " of 20");
            for (final Socket socket : idle.subList(0, 20))
            {
                final long start = System.nanoTime();
                assertEquals(-1, socket.getInputStream().read(), "an idle connection is closed");
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4));
            }
        }
        finally
        {
            for (final Socket socket : idle)
            {
                socket.close();
            }
        }
        Thread.sleep(200); // the cap counts the closed connections out
        assertOthersServed(0);
    }

    @Test
    void shouldCloseGrpcConnectionsBeyondTheCapWhenAcceptedAndCountThem() throws Exception
    {
        assertOthersServed(0); // the test's own clients connect first: they keep their places
        final double closedBefore = grpcClosedOverCap();
        final List<Socket> held = new ArrayList<>();
        try
        {
            for (int i = 0; i < 60; i++) // none sends HTTP/2's preface: each holds a place until closed
            {
                final Socket socket = new Socket("127.0.0.1", gateway.grpcPort());
                socket.setSoTimeout(5_000);
                held.add(socket);
            }
            int closedAtOnce = 0;
            for (final Socket socket : held.subList(40, 60))
            {
                closedAtOnce += socket.getInputStream().read() == -1 ? 1 : 0;
            }
            // the test's own gRPC client holds one of the 40 places, so 21 are closed
            assertTrue(closedAtOnce >= 20, "gRPC connections beyond the cap of 40 are closed: " + closedAtOnce + " of 20");
            assertTrue(grpcClosedOverCap() - closedBefore >= 20, "and counted");
            assertOthersServed(0);
        }
        finally
        {
            for (final Socket socket : held)
            {
                socket.close();
            }
        }
    }

    /**
     * A client that stops reading its socket, written at the HTTP/2 frame level (grpc-java's own client reads
     * every answer off the socket whether the application asks for it or not, so it cannot be this client): it
     * opens 5,000 calls and never reads a byte, not even the server's SETTINGS. The server works on at most its
     * per-connection share of calls at once (8 here) and HTTP/2's 64 KiB window of answers: 9 of the 5,000 were
     * scored when this test was written; with grpc-java's client, which drains the socket, all of them are.
     */
    @Test
    void shouldBoundTheCallsScoredForAGrpcClientThatNeverReadsItsSocket() throws Exception
    {
        final byte[] request = DemoRequests.ownRequest(demo, demo.testRows().get(0)).build().toByteArray();
        final int answerBytes = clients.scoring.predict(DemoRequests.ownRequest(demo, demo.testRows().get(0)).build())
            .getSerializedSize() + 5; // gRPC's message prefix
        final double scoredBefore = OverloadTest.count(clients.get("/metrics").body(), "credit-risk", "ok");
        final int calls = 5_000;
        try (Socket hostile = new Socket())
        {
            hostile.setReceiveBufferSize(4096); // before connecting, so the kernel holds little for it
            hostile.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.grpcPort()));
            final OutputStream out = hostile.getOutputStream();
            final RawHttp2 frames = new RawHttp2();
            // written from a thread of its own: a server that stops reading this client blocks the writes, which bounds it too
            final Thread writer = new Thread(() ->
            {
                try
                {
                    out.write(frames.preface());
                    for (int i = 0; i < calls; i++)
                    {
                        out.write(frames.unaryCall(2 * i + 1, "/scoring.v1.ScoringService/Predict", request));
                    }
                    out.flush();
                }
                catch (final java.io.IOException closed)
                {
                    // the server closed or reset the connection
                }
            }, "never-reading-client");
            writer.setDaemon(true);
            writer.start();
            writer.join(3_000);
            Thread.sleep(1_500); // what the server does with the calls it took; nothing to wait for on a client that reads nothing
            assertOthersServed(0);
            final double scored = OverloadTest.count(clients.get("/metrics").body(), "credit-risk", "ok") - scoredBefore - 2;
            assertTrue(scored >= 1, "the raw client's calls are well-formed: some are scored");
            assertTrue(scored <= 65_535 / answerBytes + 8 + 2,
                "the server scored " + scored + " of " + calls + " calls for a client that reads none of its answers");
        }
        assertOthersServed(0);
    }

    private static double grpcClosedOverCap() throws Exception
    {
        final String metric = "scoring_grpc_connections_closed_total{reason=\"cap\"} ";
        return clients.get("/metrics").body().lines().filter((line) -> line.startsWith(metric))
            .mapToDouble((line) -> Double.parseDouble(line.substring(metric.length()).trim())).sum();
    }

    /** A well-behaved client, on gRPC and HTTP, is answered meanwhile. */
    private static void assertOthersServed(final int step) throws Exception
    {
        if (step % 10 != 0)
        {
            return;
        }
        assertEquals(1, clients.scoring.withDeadlineAfter(2, TimeUnit.SECONDS)
            .predict(DemoRequests.ownRequest(demo, demo.testRows().get(1)).build()).getResultsCount());
        assertEquals(200, clients.post("/v1/predict", DemoRequests.ownJson(demo, demo.testRows().subList(1, 2), null))
            .statusCode());
    }
}
