package io.scoring.gateway;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.scoring.proto.v1.ScoringServiceGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIGTERM drains: a request in flight when the signal arrives (its body still arriving) finishes with
 * its answer, new connections and new calls are refused, and the process exits 0.
 */
class DrainOnSigtermTest
{
    private static final Pattern PORTS = Pattern.compile("HTTP on port (\\d+), gRPC on port (\\d+)");

    private Process gateway;

    @AfterEach
    void killLeftovers()
    {
        if (null != gateway && gateway.isAlive())
        {
            gateway.destroyForcibly();
        }
    }

    @Test
    void shouldFinishTheRequestInFlightRefuseNewOnesAndExitZero() throws Exception
    {
        final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        gateway = new ProcessBuilder(javaBin, "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            "io.scoring.gateway.Main", "--http-port", "0", "--grpc-port", "0", "--admin-port", "0",
            "--drain-seconds", "20",
            "--state-dir", java.nio.file.Files.createTempDirectory("scoring-state").toString())
            .redirectErrorStream(true)
            .start();
        final BlockingQueue<String> log = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() -> readLines(gateway, log), "gateway-log");
        reader.setDaemon(true);
        reader.start();

        final Matcher ports = PORTS.matcher(awaitLine(log, "serving:", 60));
        assertTrue(ports.find());
        final int httpPort = Integer.parseInt(ports.group(1));
        final int grpcPort = Integer.parseInt(ports.group(2));

        final DemoTestSet demo = new DemoTestSet();
        final byte[] body = DemoRequests.ownJson(demo, List.of(demo.testRows().get(0)), null)
            .getBytes(StandardCharsets.UTF_8);
        try (GatewayClients warmUp = new GatewayClients(httpPort, grpcPort))
        {
            assertEquals(200, warmUp.post("/v1/predict", new String(body, StandardCharsets.UTF_8)).statusCode(),
                "the first request pays for class loading; the in-flight one below must not");
        }
        try (Socket inFlight = new Socket("127.0.0.1", httpPort))
        {
            final OutputStream out = inFlight.getOutputStream();
            out.write(("POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
                "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            Thread.sleep(1_000); // the head has reached the server: the request is in flight

            // Process.destroy() sends SIGTERM but also closes our end of its output, hiding its log
            assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(gateway.pid())).start().waitFor());
            awaitLine(log, "draining", 30);

            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", httpPort).close(),
                "new HTTP connections are refused");
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
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

        assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway exits after the drain");
        assertEquals(0, gateway.exitValue());
        awaitLine(log, "drained", 5);
    }

    private static void readLines(final Process process, final BlockingQueue<String> log)
    {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = lines.readLine()))
            {
                log.add(line);
            }
        }
        catch (final Exception ignore)
        {
            // the process ended
        }
    }

    private static String awaitLine(final BlockingQueue<String> log, final String part, final int seconds)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        final StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline)
        {
            final String line = log.poll(100, TimeUnit.MILLISECONDS);
            if (null != line)
            {
                seen.append(line).append('\n');
                if (line.contains(part))
                {
                    return line;
                }
            }
        }
        return fail("no log line with '" + part + "' within " + seconds + " s; saw:\n" + seen);
    }
}
