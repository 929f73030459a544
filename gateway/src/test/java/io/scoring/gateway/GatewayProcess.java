package io.scoring.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The gateway in a child JVM ({@link Main}, this test's classpath), on free ports read from its log.
 * Signals go through {@code kill}: {@link Process#destroy()} also closes our end of its output.
 */
final class GatewayProcess implements AutoCloseable
{
    private static final Pattern PORTS = Pattern.compile("HTTP on port (\\d+), gRPC on port (\\d+), admin on port (\\d+)");

    private final Process process;
    private final BlockingQueue<String> log = new LinkedBlockingQueue<>();
    final int httpPort;
    final int grpcPort;
    final int adminPort;

    private GatewayProcess(final Process process) throws InterruptedException
    {
        this.process = process;
        final Thread reader = new Thread(this::readLines, "gateway-log-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        final Matcher ports = PORTS.matcher(awaitLine("serving:", 60));
        assertTrue(ports.find(), "the serving line names the ports");
        httpPort = Integer.parseInt(ports.group(1));
        grpcPort = Integer.parseInt(ports.group(2));
        adminPort = Integer.parseInt(ports.group(3));
    }

    /** Starts the demo on free ports; returns once it serves. */
    static GatewayProcess start(final Path stateDir, final Map<String, String> env, final String... extraArgs)
        throws IOException, InterruptedException
    {
        return new GatewayProcess(builder(stateDir, env, extraArgs).start());
    }

    /** What a start that must fail printed, and its exit code. */
    record Failure(int exitCode, String output)
    {
    }

    /** Starts the demo with settings it must refuse; waits up to 30 s for it to exit. */
    static Failure failToStart(final Path stateDir, final Map<String, String> env, final String... extraArgs)
        throws IOException, InterruptedException
    {
        final Process process = builder(stateDir, env, extraArgs).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the gateway exits");
        return new Failure(process.exitValue(), output);
    }

    private static ProcessBuilder builder(final Path stateDir, final Map<String, String> env, final String... extraArgs)
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            "io.scoring.gateway.Main", "--http-port", "0", "--grpc-port", "0", "--admin-port", "0",
            "--state-dir", stateDir.toString()));
        command.addAll(List.of(extraArgs));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        return builder;
    }

    /** SIGTERM: drain and exit 0. */
    void terminate() throws IOException, InterruptedException
    {
        sigterm();
        assertEquals(0, awaitExit(), "the gateway exits 0 after SIGTERM");
    }

    /** Sends SIGTERM and returns at once: the drain runs while the caller watches. */
    void sigterm() throws IOException, InterruptedException
    {
        signal("-TERM");
    }

    /** Waits up to 30 s for the process to end; its exit code. */
    int awaitExit() throws InterruptedException
    {
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the gateway exits");
        return process.exitValue();
    }

    /** SIGKILL: gone at once, nothing flushed, no shutdown hook. */
    void kill9() throws IOException, InterruptedException
    {
        signal("-9");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the gateway is gone after kill -9");
    }

    private void signal(final String signal) throws IOException, InterruptedException
    {
        assertEquals(0, new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor());
    }

    boolean alive()
    {
        return process.isAlive();
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
    }

    String awaitLine(final String part, final int seconds) throws InterruptedException
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

    private void readLines()
    {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = lines.readLine()))
            {
                log.add(line);
            }
        }
        catch (final IOException ignore)
        {
            // the process ended
        }
    }
}
