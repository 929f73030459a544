package io.scoring.monitoring.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Prometheus' own {@code promtool} (Debian package {@code prometheus}) when it is on the PATH. */
public final class Promtool
{
    private Promtool()
    {
    }

    public static boolean available()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        {
            if (Files.isExecutable(Path.of(dir, "promtool")))
            {
                return true;
            }
        }
        return false;
    }

    /** Runs promtool with the arguments, stdin from the given text (or none); returns exit code and output. */
    public static Result run(final String stdin, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (null != stdin)
        {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IOException("promtool did not finish in 60 s");
        }
        return new Result(process.exitValue(), output);
    }

    public record Result(int exitCode, String output)
    {
    }
}
