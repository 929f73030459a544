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
 * beyond the cap are closed, and idle ones are closed. Real sockets and real clients against the real gateway.
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
