package io.scoring.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} on a free loopback port, for tests and benchmarks: no persistence
 * ({@code --save "" --appendonly no}), its log in a temporary directory.
 *
 * <p>The binary: the {@value #BINARY_PROP_NAME} system property's path if set; else {@code redis-server} on the
 * PATH; else the one the {@code com.github.codemonstur:embedded-redis} jar ships for this OS and CPU, copied out
 * to a temporary file, so a machine with nothing installed runs the tests. {@code -Dscoring.redis.server=embedded}
 * forces the jar's.
 *
 * <p>{@link #stop()} then {@link #start()} restarts it on the same port; {@link #freeze()} / {@link #thaw()}
 * (SIGSTOP / SIGCONT) make it a server that accepts connections and never answers. Not thread-safe.
 */
public final class RedisServerProcess implements AutoCloseable
{
    public static final String BINARY_PROP_NAME = "scoring.redis.server";
    /** The value of {@value #BINARY_PROP_NAME} that picks the jar's binary even when one is on the PATH. */
    public static final String EMBEDDED = "embedded";

    private static final long READY_TIMEOUT_MS = 10_000;
    private static final int START_ATTEMPTS = 3;

    private final String binary;
    private final Path dir;
    private int port;
    private Process process;

    private RedisServerProcess(final String binary, final Path dir)
    {
        this.binary = binary;
        this.dir = dir;
    }

    /** Starts a server on a free port; fails with the server's log if it does not answer PING within 10 s. */
    public static RedisServerProcess startOnFreePort() throws IOException
    {
        final RedisServerProcess server = new RedisServerProcess(binary(), Files.createTempDirectory("redis-server"));
        IOException failure = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++)
        {
            server.port = freePort();
            try
            {
                server.start();
                return server;
            }
            catch (final IOException ex)
            {
                failure = ex; // most likely another process took the port between our probe and the server's bind
            }
        }
        throw failure;
    }

    /** (Re)starts the server on its port. */
    public void start() throws IOException
    {
        if (null != process && process.isAlive())
        {
            throw new IllegalStateException("redis-server is already running on port " + port);
        }

        final Path log = dir.resolve("redis-" + port + ".log");
        process = new ProcessBuilder(List.of(binary,
            "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", dir.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();

        final long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        while (!answersPing())
        {
            if (!process.isAlive() || System.currentTimeMillis() > deadline)
            {
                process.destroyForcibly();
                throw new IOException(binary + " did not start on port " + port + "; its log:\n" + Files.readString(log));
            }
            sleep(20);
        }
    }

    /** Stops the server as an operator would (SIGTERM), and waits for it to exit. */
    public void stop()
    {
        if (null == process)
        {
            return;
        }
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP: connections stay open, nothing is answered. */
    public void freeze() throws IOException
    {
        signal("-STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() throws IOException
    {
        signal("-CONT");
    }

    public int port()
    {
        return port;
    }

    public String uri()
    {
        return "redis://127.0.0.1:" + port;
    }

    /** The redis-server binary this runs. */
    public String binaryPath()
    {
        return binary;
    }

    @Override
    public void close()
    {
        if (null != process)
        {
            try
            {
                thaw(); // a frozen server ignores SIGTERM until continued
            }
            catch (final IOException ignore)
            {
                // it is stopped forcibly below if need be
            }
        }
        stop();
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // a temporary directory left behind
        }
    }

    private void signal(final String signal) throws IOException
    {
        try
        {
            final int exit = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor();
            if (exit != 0)
            {
                throw new IOException("kill " + signal + " " + process.pid() + " exited " + exit);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted sending " + signal, ex);
        }
    }

    private boolean answersPing()
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(500);
            final OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final byte[] reply = in.readNBytes(7);
            return "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static String binary() throws IOException
    {
        final String configured = System.getProperty(BINARY_PROP_NAME, "");
        if (!configured.isEmpty() && !EMBEDDED.equals(configured))
        {
            return configured;
        }
        if (configured.isEmpty())
        {
            for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            {
                final Path candidate = Path.of(dir, "redis-server");
                if (!dir.isEmpty() && Files.isExecutable(candidate))
                {
                    return candidate.toString();
                }
            }
        }

        return EmbeddedBinary.PATH;
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** The embedded-redis jar's binary, copied out once per JVM. */
    private static final class EmbeddedBinary
    {
        static final String PATH = extract();

        private static String extract()
        {
            final String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
            final String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
            final boolean arm = arch.equals("aarch64") || arch.equals("arm64");
            final String resource;
            if (os.contains("linux"))
            {
                resource = arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
            }
            else if (os.contains("mac"))
            {
                resource = arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
            }
            else
            {
                throw new IllegalStateException("no redis-server on the PATH, and embedded-redis ships none for " + os);
            }

            try (InputStream in = RedisServerProcess.class.getResourceAsStream("/" + resource))
            {
                if (null == in)
                {
                    throw new IllegalStateException("no redis-server on the PATH, and " + resource +
                        " (from com.github.codemonstur:embedded-redis) is not on the classpath");
                }
                final Path binary = Files.createTempFile("redis-server", "");
                Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
                if (!binary.toFile().setExecutable(true))
                {
                    throw new IllegalStateException("cannot make " + binary + " executable");
                }
                binary.toFile().deleteOnExit();

                return binary.toString();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot copy out " + resource, ex);
            }
        }
    }
}
