package io.scoring.bench.load;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The load generator's settings, one per flag, with their defaults; {@link #parse} reads the command
 * line and {@link #conclude()} fills the defaults that depend on others and rejects what cannot run.
 */
final class LoadOptions
{
    static final String USAGE = """
        usage: java -cp bench/target/benchmarks.jar io.scoring.bench.load.LoadGenerator [flags]

          --target HOST:PORT     server to load (default 127.0.0.1:8081; the gateway's HTTP port is 8080)
          --protocol P           grpc (scoring.v1.ScoringService/Predict, default), grpc-v2
                                 (inference.GRPCInferenceService/ModelInfer, named inputs) or http
                                 (POST /v1/predict, JSON, HTTP/1.1 keep-alive)
          --v2-contents C        grpc-v2: typed (each input's values in its contents, default) or raw
                                 (in raw_input_contents, little-endian, as Triton's clients send them)
          --mode M               closed (N requests in flight, default), open (a fixed schedule at --rate,
                                 latency from each request's intended send time) or sweep (open loop runs
                                 that search for the highest rate whose p99 meets --p99-target)
          --concurrency N        closed loop: requests in flight (default 8)
          --rate R               open loop: requests per second (default 1000); sweep: the first rate tried
          --arrivals A           open loop: constant (default) or poisson (exponential gaps, --seed)
          --warmup D             sent, answered, not recorded (default 10s); durations take ns, us, ms, s, m
          --duration D           measured (default 30s)
          --timeout D            per-request deadline; also how long a run waits for late answers (default 5s)
          --connections N        gRPC channels, each one HTTP/2 connection (default: cores, since a server
                                 serves a connection on one event loop) or HTTP/1.1 connections
                                 (default: --concurrency in closed loop, 64 in open loop)
          --client-threads N     client event-loop threads (default 1)
          --max-in-flight N      open loop: unanswered requests beyond which a due request is not sent but
                                 fails as CLIENT_MAX_IN_FLIGHT (default 10000)
          --tls-ca FILE          TLS (gRPC and HTTP), trusting the CAs in this PEM file (default: plaintext)
          --rows N               rows (applicants) per request (default 1)
          --model NAME           model to call (default credit-risk)
          --entity-key-header H  also send each request's (first row's) entity key in header / gRPC metadata H,
                                 e.g. x-entity-key, for a proxy that splits traffic by key (default: none)
          --model-config FILE    the model's model.json (default the bundled demo's)
          --data FILE            ARFF data set with the request-time features (default the bundled German Credit)
          --p99-target D         sweep: the p99 a rate must meet (default 2ms)
          --max-rate R           sweep: highest rate tried (default 200000)
          --min-rate R           sweep: lowest rate tried when the first one misses (default 100)
          --resolution PCT       sweep: stop when the passing and failing rates are this close (default 5)
          --seed N               poisson arrivals' seed (default 42)
          --server-pid P[,P]     also report the CPU time these processes spend per answer in the measured
                                 window (from /proc/PID/stat; Linux; the server, or a proxy and its server)
          --label TEXT           names the run in output, CSV and report (default protocol@target)
          --hgrm FILE            write the latency percentile distribution (HdrHistogram .hgrm, milliseconds);
                                 a sweep writes one file per rate, FILE with -<rate> before the extension
          --csv FILE             append one summary row per run (header when the file is new)
          --html FILE            write a self-contained HTML report with a percentile plot
        """;

    /** Enough connections that a burst of requests rarely waits for one at the rates two cores serve. */
    static final int OPEN_LOOP_HTTP_CONNECTIONS = 64;

    String host = "127.0.0.1";
    int port = 8081;
    String protocol = "grpc";
    /** grpc-v2 only: the tensors' values in typed {@code contents} or in {@code raw_input_contents}. */
    String v2Contents = "typed";
    String mode = "closed";
    int concurrency = 8;
    double rate = 1000;
    String arrivals = "constant";
    long warmupNanos = TimeUnit.SECONDS.toNanos(10);
    long durationNanos = TimeUnit.SECONDS.toNanos(30);
    long timeoutNanos = TimeUnit.SECONDS.toNanos(5);
    /** 0 until {@link #conclude()} picks the protocol's default. */
    int connections;
    int clientThreads = 1;
    /** A backlog this deep is seconds behind any schedule worth measuring, and fits a 512 MB heap. */
    int maxInFlight = 10_000;
    int rows = 1;
    /** Null: plaintext; else TLS, trusting these CAs. */
    Path tlsCa;
    String model = "credit-risk";
    /** Null: no header; else the header (HTTP) or metadata key (gRPC) carrying the first row's entity key. */
    String entityKeyHeader;
    Path modelConfig;
    Path data;
    long p99TargetNanos = TimeUnit.MILLISECONDS.toNanos(2);
    double maxRate = 200_000;
    /** Below this, p99 grows again (threads sleep between requests) and a miss says more about the machine. */
    double minRate = 100;
    double resolutionPercent = 5;
    long seed = 42;
    String label;
    /** Empty: no server CPU time is measured. */
    long[] serverPids = new long[0];
    Path hgrm;
    Path csv;
    Path html;

    static LoadOptions parse(final String... args)
    {
        final LoadOptions options = new LoadOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String flag = args[i];
            if ("--help".equals(flag) || "-h".equals(flag))
            {
                throw new IllegalArgumentException("");
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            options.set(flag, args[++i]);
        }
        return options.conclude();
    }

    private void set(final String flag, final String value)
    {
        switch (flag)
        {
            case "--target" ->
            {
                final int colon = value.lastIndexOf(':');
                if (colon <= 0)
                {
                    throw new IllegalArgumentException("--target " + value + ": expected HOST:PORT");
                }
                host = value.substring(0, colon);
                port = integer(flag, value.substring(colon + 1));
            }
            case "--protocol" -> protocol = oneOf(flag, value, "grpc", "grpc-v2", "http");
            case "--v2-contents" -> v2Contents = oneOf(flag, value, "typed", "raw");
            case "--mode" -> mode = oneOf(flag, value, "closed", "open", "sweep");
            case "--concurrency" -> concurrency = integer(flag, value);
            case "--rate" -> rate = number(flag, value);
            case "--arrivals" -> arrivals = oneOf(flag, value, "constant", "poisson");
            case "--warmup" -> warmupNanos = nanos(flag, value);
            case "--duration" -> durationNanos = nanos(flag, value);
            case "--timeout" -> timeoutNanos = nanos(flag, value);
            case "--connections" -> connections = integer(flag, value);
            case "--client-threads" -> clientThreads = integer(flag, value);
            case "--max-in-flight" -> maxInFlight = integer(flag, value);
            case "--rows" -> rows = integer(flag, value);
            case "--tls-ca" -> tlsCa = Path.of(value);
            case "--model" -> model = value;
            case "--entity-key-header" -> entityKeyHeader = header(flag, value);
            case "--model-config" -> modelConfig = Path.of(value);
            case "--data" -> data = Path.of(value);
            case "--p99-target" -> p99TargetNanos = nanos(flag, value);
            case "--max-rate" -> maxRate = number(flag, value);
            case "--min-rate" -> minRate = number(flag, value);
            case "--resolution" -> resolutionPercent = number(flag, value);
            case "--seed" -> seed = Long.parseLong(value);
            case "--label" -> label = value;
            case "--server-pid" -> serverPids = java.util.Arrays.stream(value.split(",")).map(String::strip)
                .mapToLong((pid) -> integer(flag, pid)).toArray();
            case "--hgrm" -> hgrm = Path.of(value);
            case "--csv" -> csv = Path.of(value);
            case "--html" -> html = Path.of(value);
            default -> throw new IllegalArgumentException("unknown flag " + flag);
        }
    }

    LoadOptions conclude()
    {
        positive("--concurrency", concurrency);
        positive("--rate", rate);
        positive("--client-threads", clientThreads);
        positive("--max-in-flight", maxInFlight);
        positive("--rows", rows);
        positive("--duration", durationNanos);
        positive("--timeout", timeoutNanos);
        positive("--p99-target", p99TargetNanos);
        positive("--resolution", resolutionPercent);
        if (warmupNanos < 0)
        {
            throw new IllegalArgumentException("--warmup must not be negative");
        }
        if ("sweep".equals(mode) && (maxRate < rate || minRate > rate))
        {
            throw new IllegalArgumentException("--rate " + rate + " is outside --min-rate " + minRate + " .. --max-rate " +
                maxRate);
        }
        if (0 == connections)
        {
            connections = !"http".equals(protocol) ? Runtime.getRuntime().availableProcessors()
                : "closed".equals(mode) ? concurrency : OPEN_LOOP_HTTP_CONNECTIONS;
        }
        positive("--connections", connections);
        if ("raw".equals(v2Contents) && !"grpc-v2".equals(protocol))
        {
            throw new IllegalArgumentException("--v2-contents raw needs --protocol grpc-v2");
        }
        if (null == label)
        {
            label = protocolName() + "@" + host + ":" + port;
        }
        if (label.contains(","))
        {
            throw new IllegalArgumentException("--label must not contain a comma (it goes into a CSV column)");
        }
        return this;
    }

    /** The protocol as runs are labelled and reported: {@code grpc-v2-raw} for V2 with raw contents. */
    String protocolName()
    {
        return "raw".equals(v2Contents) ? protocol + "-raw" : protocol;
    }

    String target()
    {
        return host + ":" + port;
    }

    /** A duration with its unit: {@code 250us}, {@code 2ms}, {@code 30s}, {@code 1m}. */
    static long nanos(final String flag, final String value)
    {
        final String text = value.strip().toLowerCase(Locale.ROOT);
        final int unit = text.replaceAll("[a-zµ]+$", "").length();
        final double amount = number(flag, text.substring(0, unit));
        final double nanosPerUnit = switch (text.substring(unit))
        {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> throw new IllegalArgumentException(flag + " " + value + ": give a unit (ns, us, ms, s, m)");
        };
        return Math.round(amount * nanosPerUnit);
    }

    private static double number(final String flag, final String value)
    {
        try
        {
            return Double.parseDouble(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(flag + " " + value + ": not a number");
        }
    }

    private static int integer(final String flag, final String value)
    {
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(flag + " " + value + ": not a whole number");
        }
    }

    /** A lower-case header name, as HTTP/2 and gRPC metadata require: letters, digits, '-', '_', '.'. */
    private static String header(final String flag, final String value)
    {
        final String name = value.strip().toLowerCase(Locale.ROOT);
        if (!name.matches("[a-z0-9][a-z0-9._-]*") || name.endsWith("-bin") || name.startsWith("grpc-"))
        {
            throw new IllegalArgumentException(flag + " " + value + ": expected a header name such as x-entity-key");
        }
        return name;
    }

    private static String oneOf(final String flag, final String value, final String... allowed)
    {
        for (final String candidate : allowed)
        {
            if (candidate.equals(value))
            {
                return value;
            }
        }
        throw new IllegalArgumentException(flag + " " + value + ": expected one of " + String.join(", ", allowed));
    }

    private static void positive(final String flag, final double value)
    {
        if (!(value > 0))
        {
            throw new IllegalArgumentException(flag + " must be positive");
        }
    }
}
