package io.scoring.bench.load;

import io.scoring.proto.inference.GRPCInferenceServiceGrpc;
import io.scoring.proto.v1.ScoringServiceGrpc;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The project's load generator: drives a gateway (or the {@link EchoServer}) over gRPC, the Open
 * Inference Protocol's gRPC, or HTTP/JSON, in a closed loop (N requests in flight), an open loop (a
 * fixed schedule, latency from each request's intended send time) or a rate sweep (the highest open-loop
 * rate meeting a p99 target), and reports HdrHistogram percentiles, .hgrm files, CSV rows and an HTML plot.
 *
 * <p>Requests are the demo's applicants with their request-time features ({@link Workload}), encoded
 * before the clock starts. Clients are asynchronous ({@link GrpcTarget}, {@link HttpTarget}): a slow
 * answer never holds up the schedule. A warm-up runs first and is not recorded.
 *
 * <pre>
 *   mvn -B -q -pl bench -am package -DskipTests
 *   java -cp bench/target/benchmarks.jar io.scoring.bench.load.LoadGenerator --target 127.0.0.1:8081 \
 *       --mode open --rate 2000 --duration 30s --hgrm run.hgrm --html run.html
 * </pre>
 *
 * Flags: {@link LoadOptions#USAGE}; the modes and output: bench/README.md.
 */
public final class LoadGenerator
{
    private LoadGenerator()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final LoadOptions options;
        try
        {
            options = LoadOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            if (!ex.getMessage().isEmpty())
            {
                System.err.println(ex.getMessage());
            }
            System.err.print(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        try
        {
            run(options, System.out);
        }
        catch (final IOException ex)
        {
            System.err.println("load generator: " + ex.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    /** Connects, runs the mode the options ask for, prints and writes the results (creating their folders first). */
    static List<RunResult> run(final LoadOptions options, final PrintStream out) throws Exception
    {
        for (final Path file : new Path[]{options.hgrm, options.csv, options.html})
        {
            if (null != file)
            {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
        }
        final Workload workload = Workload.load(options);
        try (Target target = connect(options, workload))
        {
            out.printf(Locale.ROOT, "%s: %s -> %s, %d distinct requests of %d row(s), %d B each; warm-up %.1f s, " +
                "measured %.1f s; %d connection(s), %d client thread(s)%n", options.label, options.protocolName(),
                options.target(), target.requestCount(), options.rows, target.requestBytes(), options.warmupNanos / 1e9,
                options.durationNanos / 1e9, options.connections, options.clientThreads);
            final List<RunResult> results = switch (options.mode)
            {
                case "closed" -> List.of(new ClosedLoop(target, setup(options, "closed", 0), options.concurrency)
                    .run(options.warmupNanos, options.durationNanos, options.timeoutNanos));
                case "open" -> List.of(openLoop(options, target, options.rate));
                default -> new RateSweep(options, (rate) -> openLoop(options, target, rate), out).run();
            };
            if (!"sweep".equals(options.mode))
            {
                results.get(0).print(out);
            }
            write(options, results, out);
            return results;
        }
    }

    static Target connect(final LoadOptions options, final Workload workload) throws IOException
    {
        return switch (options.protocol)
        {
            case "grpc" -> new GrpcTarget<>(options, ScoringServiceGrpc.getPredictMethod(), workload.ownRequests(),
                workload.entityKeys());
            case "grpc-v2" -> new GrpcTarget<>(options, GRPCInferenceServiceGrpc.getModelInferMethod(),
                workload.v2Requests("raw".equals(options.v2Contents)), workload.entityKeys());
            default -> new HttpTarget(options, "/v1/predict", workload.jsonBodies(), workload.entityKeys());
        };
    }

    private static RunResult openLoop(final LoadOptions options, final Target target, final double rate)
        throws InterruptedException
    {
        return new OpenLoop(target, setup(options, "open", rate), rate, "poisson".equals(options.arrivals), options.seed,
            options.maxInFlight).run(options.warmupNanos, options.durationNanos, options.timeoutNanos);
    }

    private static RunResult.Setup setup(final LoadOptions options, final String mode, final double rate)
    {
        return new RunResult.Setup(options.label, options.protocolName(), options.target(), mode,
            "closed".equals(mode) ? options.concurrency : 0, rate, "closed".equals(mode) ? "-" : options.arrivals,
            options.serverPids.length == 0 ? ServerCpu.NONE : new ServerCpu(options.serverPids));
    }

    private static void write(final LoadOptions options, final List<RunResult> results, final PrintStream out)
        throws IOException
    {
        final boolean sweep = "sweep".equals(options.mode);
        final List<HtmlReport.Series> series = new ArrayList<>();
        for (final RunResult result : results)
        {
            final String label = sweep ? String.format(Locale.ROOT, "%s at %.0f/s", options.label, result.setup().rate())
                : options.label;
            if (null != options.hgrm)
            {
                final Path file = sweep ? withRate(options.hgrm, result.setup().rate()) : options.hgrm;
                result.writePercentileDistribution(file);
                out.println("wrote " + file);
            }
            if (null != options.csv)
            {
                result.appendCsv(options.csv);
            }
            series.add(HtmlReport.Series.parse(label, result.percentileDistribution()));
        }
        if (null != options.csv)
        {
            out.println("appended " + results.size() + " row(s) to " + options.csv);
        }
        if (null != options.html)
        {
            final RunResult first = results.get(0);
            HtmlReport.write(options.html, options.label + ": " + options.protocolName() + " -> " + options.target(),
                List.of(sweep
                    ? String.format(Locale.ROOT, "Open-loop rate sweep, %s arrivals, p99 target %.0f µs.",
                        options.arrivals, options.p99TargetNanos / 1e3)
                    : first.setup().describe() + ".",
                    String.format(Locale.ROOT, "Warm-up %.1f s, measured %.1f s per run; %d connection(s); request %d B, " +
                        "response %d B; %d cores.", options.warmupNanos / 1e9, options.durationNanos / 1e9,
                        options.connections, first.requestBytes(), first.responseBytes(),
                        Runtime.getRuntime().availableProcessors())),
                series);
            out.println("wrote " + options.html);
        }
    }

    /** {@code run.hgrm} at 2000/s is {@code run-2000.hgrm}. */
    private static Path withRate(final Path file, final double rate)
    {
        final String name = file.getFileName().toString();
        final int dot = name.lastIndexOf('.');
        final String rated = String.format(Locale.ROOT, "%s-%.0f%s", dot < 0 ? name : name.substring(0, dot), rate,
            dot < 0 ? "" : name.substring(dot));
        return file.resolveSibling(rated);
    }
}
