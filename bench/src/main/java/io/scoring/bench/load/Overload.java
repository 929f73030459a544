package io.scoring.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The overload scenario (issue 16): how a gateway holds up above its capacity, every call with a deadline.
 *
 * <ol>
 *   <li>Capacity: a closed loop of {@code --capacity-in-flight} calls (default 4) after a 20 s warm-up;
 *       {@code --capacity} sets the figure the rates derive from instead (the closed loop still runs, as the warm-up).
 *       Four keep one scoring thread busy with three waiting, few enough that no queue bound or limit turns one away:
 *       with 64, a gateway with a limit refused most of them at once, the closed loop sent them again at once, and the
 *       refusals took the core from the scoring (an own capacity of 472-986/s against 1,175-1,550/s limit off); a
 *       10 s warm-up left C2 still compiling the scoring threads' path (30-50% of the core) when it was measured.</li>
 *   <li>Overload warm-up: {@code --overload-warmup} (default 10 s, 0 skips it) open loop at {@code --peak} times the
 *       capacity, not recorded. The closed loop never turns a call away, so the paths that refuse, shed and cancel are
 *       still interpreted when it ends; on the one core the gateway has, C2 compiling them took 20-40% of it through
 *       the 1x and 2x phases of a run of December 7th (docs/PERFORMANCE.md, "Overload"), and those phases measured
 *       the JIT. The first overload after a start pays that once; the phases below measure the steady state. Then
 *       5 s with no load, so the 0.5x phase starts on a drained gateway.</li>
 *   <li>Open loop at each multiple of the capacity ({@code --multipliers}, default 0.5,1,2,4): goodput (answered
 *       OK, so before the deadline: gRPC cancels a call at its deadline), the p50 / p99 of those answers, how many
 *       were refused at the edge ({@code RESOURCE_EXHAUSTED}) and how fast (p99 from send to refusal), how many were
 *       admitted and then shed from the scoring queue, and how fast, how many were late, and
 *       the answers' p99 from their actual send ({@code ok_service_p99_ms}: against a bare echo server at the same
 *       rate, the floor a refusal's p99 can be held to on the machine). Goodput is given against the capacity the
 *       rates come from and against this gateway's own capacity just before the phase ({@code own_capacity}: a
 *       closed loop of {@code --capacity-check}, default 5 s, after 1 s unrecorded, on the same settings as the open
 *       loops). The host's speed moves: the same model's capacity read 565 and 1,484 answers/s in runs minutes apart
 *       on December 7th, and the rates are set minutes before a second series runs; the capacity next to the phase
 *       is the one its goodput can be held to.</li>
 *   <li>Recovery: 0.5x throughout, plus enough extra load for {@code --peak} (default 4x) during {@code --phase}
 *       (default 10 s); then {@code --after} (default 5 s) at 0.5x alone. The p99 of the 0.5x stream's answers per
 *       100 ms, and the time after the overload ended from which every 500 ms stretch has a median of those p99s
 *       within 2x the 0.5x run's p99 ({@link #recoveredAt}).</li>
 * </ol>
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.scoring.bench.load.Overload --target 127.0.0.1:8081 --timeout 200ms \
 *       --warmup 3s --duration 10s --label limit-on --csv overload.csv
 * </pre>
 * Every other flag is the load generator's ({@link LoadOptions#USAGE}). bench/scripts/overload.sh runs it with
 * the limit off and on, the gateway and the generator pinned to separate cores.
 */
public final class Overload
{
    static final String CSV_HEADER = "label,multiplier,rate,capacity,sent,ok,goodput,goodput_per_capacity,ok_p50_ms,ok_p99_ms," +
        "refused,refused_p99_ms,late,other_errors,recovered_ms,ok_service_p99_ms,own_capacity,goodput_per_own_capacity," +
        "shed,shed_p99_ms";
    /** Latency is back to normal when a 100 ms bucket's p99 is within this factor of the 0.5x run's. */
    static final double NORMAL_FACTOR = 2.0;
    /** Back to normal is judged on the median of this many consecutive buckets (500 ms): {@link #recoveredAt}. */
    static final int NORMAL_STRETCH = 5;
    private static final long CAPACITY_WARMUP_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final long OVERLOAD_WARMUP_PAUSE_MILLIS = 5_000;
    /** Before each capacity check: the open loop before it may have left calls to drain. */
    private static final long CHECK_WARMUP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private Overload()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        double capacity = Double.NaN;
        int capacityInFlight = 4;
        double[] multipliers = {0.5, 1, 2, 4};
        double peak = 4;
        long phaseNanos = TimeUnit.SECONDS.toNanos(10);
        long afterNanos = TimeUnit.SECONDS.toNanos(5);
        long overloadWarmupNanos = TimeUnit.SECONDS.toNanos(10);
        long capacityCheckNanos = TimeUnit.SECONDS.toNanos(5);
        final List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--capacity" -> capacity = Double.parseDouble(args[++i]);
                case "--capacity-in-flight" -> capacityInFlight = Integer.parseInt(args[++i]);
                case "--multipliers" -> multipliers = Arrays.stream(args[++i].split(",")).mapToDouble(Double::parseDouble).toArray();
                case "--peak" -> peak = Double.parseDouble(args[++i]);
                case "--phase" -> phaseNanos = LoadOptions.nanos("--phase", args[++i]);
                case "--after" -> afterNanos = LoadOptions.nanos("--after", args[++i]);
                case "--overload-warmup" -> overloadWarmupNanos = LoadOptions.nanos("--overload-warmup", args[++i]);
                case "--capacity-check" -> capacityCheckNanos = LoadOptions.nanos("--capacity-check", args[++i]);
                default -> rest.add(args[i]);
            }
        }
        final LoadOptions options = LoadOptions.parse(rest.toArray(String[]::new));
        try (Target target = LoadGenerator.connect(options, Workload.load(options)))
        {
            // always, even with --capacity given: a longer warm-up, so the model's runtime and the JIT (the
            // gateway's and the generator's) settle before the first rate; and this run's own capacity figure
            final double measured = capacityNow(options, target, capacityInFlight,
                Math.max(options.warmupNanos, CAPACITY_WARMUP_NANOS), options.durationNanos);
            System.out.printf(Locale.ROOT, "%s: capacity %.0f answers/s (closed loop, %d in flight)%s%n", options.label,
                measured, capacityInFlight, Double.isNaN(capacity) ? "" : String.format(Locale.ROOT, "; rates from --capacity %.0f", capacity));
            if (Double.isNaN(capacity))
            {
                capacity = measured;
            }
            if (overloadWarmupNanos > 0 && peak > 0)
            {
                openLoop(options, target, capacity * peak).run(overloadWarmupNanos, 0, options.timeoutNanos);
                // what it left queued has expired long before this ends: the 0.5x phase measures a drained gateway
                Thread.sleep(OVERLOAD_WARMUP_PAUSE_MILLIS);
            }
            final List<String> rows = new ArrayList<>();
            double baselineP99 = Double.NaN;
            for (final double multiplier : multipliers)
            {
                final double rate = capacity * multiplier;
                final double ownCapacity = capacityNow(options, target, capacityInFlight, CHECK_WARMUP_NANOS, capacityCheckNanos);
                final OverloadRecording[] recording = new OverloadRecording[1];
                final RunResult result = openLoop(options, target, rate).run(options.warmupNanos, options.durationNanos,
                    options.timeoutNanos, (start, end) -> recording[0] = new OverloadRecording(start, end));
                if (multiplier == 0.5)
                {
                    baselineP99 = result.latency().getValueAtPercentile(99);
                }
                rows.add(row(options.label, multiplier, rate, capacity, ownCapacity, result, recording[0], Double.NaN));
            }
            if (peak > 0 && !Double.isNaN(baselineP99))
            {
                rows.add(recovery(options, target, capacity,
                    capacityNow(options, target, capacityInFlight, CHECK_WARMUP_NANOS, capacityCheckNanos),
                    peak, phaseNanos, afterNanos, baselineP99));
            }
            System.out.println(CSV_HEADER);
            rows.forEach(System.out::println);
            if (null != options.csv)
            {
                final Path csv = options.csv;
                final String header = Files.exists(csv) && Files.size(csv) > 0 ? "" : CSV_HEADER + "\n";
                Files.writeString(csv, header + String.join("\n", rows) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
        catch (final IOException ex)
        {
            System.err.println("overload: " + ex.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    /** 0.5x for the whole run, plus (peak - 0.5)x during the phase on a second sender; the row of the 0.5x stream. */
    private static String recovery(final LoadOptions options, final Target target, final double capacity,
        final double ownCapacity, final double peak,
        final long phaseNanos, final long afterNanos, final double baselineP99) throws Exception
    {
        final OverloadRecording[] base = new OverloadRecording[1];
        final RunResult[] extra = new RunResult[1];
        final Thread surge = new Thread(() ->
        {
            try
            {
                extra[0] = openLoop(options, target, capacity * (peak - 0.5)).run(options.warmupNanos, phaseNanos,
                    options.timeoutNanos);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "overload-surge");
        surge.start();
        final RunResult result = openLoop(options, target, capacity * 0.5).run(options.warmupNanos, phaseNanos + afterNanos,
            options.timeoutNanos, (start, end) -> base[0] = new OverloadRecording(start, end));
        surge.join();

        final Histogram[] buckets = base[0].buckets();
        final int firstAfter = (int)(phaseNanos / (OverloadRecording.BUCKET_MILLIS * 1_000_000L));
        final double[] p99s = new double[buckets.length - 1]; // the last bucket is partial
        for (int i = 0; i < p99s.length; i++)
        {
            p99s[i] = buckets[i].getTotalCount() == 0 ? Double.POSITIVE_INFINITY : buckets[i].getValueAtPercentile(99);
        }
        final int recoveredAt = recoveredAt(p99s, firstAfter, NORMAL_FACTOR * baselineP99);
        final StringBuilder timeline = new StringBuilder();
        for (int i = Math.max(0, firstAfter - 10); i < buckets.length - 1; i++)
        {
            timeline.append(String.format(Locale.ROOT, " %+d:%.1f", (i - firstAfter) * OverloadRecording.BUCKET_MILLIS,
                buckets[i].getTotalCount() == 0 ? Double.NaN : buckets[i].getValueAtPercentile(99) / 1e6));
        }
        final double recoveredMillis = recoveredAt < 0 ? Double.POSITIVE_INFINITY
            : (recoveredAt - firstAfter) * (double)OverloadRecording.BUCKET_MILLIS;
        System.out.printf(Locale.ROOT, "%s: recovery after %.0fx for %.1f s (0.5x stream's p99 ms per 100 ms, from the end of " +
            "the overload):%s%n  back within %.1fx of the 0.5x p99 (%.2f ms) after %s ms; the surge sent %d, %d ok%n",
            options.label, peak, phaseNanos / 1e9, timeline, NORMAL_FACTOR, baselineP99 / 1e6,
            Double.isInfinite(recoveredMillis) ? "never (within the run)" : String.format(Locale.ROOT, "%.0f", recoveredMillis),
            extra[0].sent(), extra[0].ok());
        return row(options.label + "-recovery", peak, capacity * peak, capacity, ownCapacity, result, base[0],
            recoveredMillis);
    }

    /**
     * The first bucket at or after {@code from} from which latency stays normal: its own p99 is within
     * {@code normal}, and so is the median p99 of every stretch of {@value #NORMAL_STRETCH} buckets from there
     * to the end. Judged on a stretch's median, not on each bucket, because a single 100 ms bucket's p99 is
     * the worst of a few dozen calls: the bare echo at the same rates, with no overload behind it, shows
     * isolated slow buckets (this machine's own hiccups), and a rule that any one of them resets would time
     * those, not the recovery. A backlog still draining fills whole stretches, so it is not missed. -1: never,
     * in the run.
     */
    static int recoveredAt(final double[] p99s, final int from, final double normal)
    {
        final double[] stretch = new double[NORMAL_STRETCH];
        int recovered = -1;
        for (int i = p99s.length - NORMAL_STRETCH; i >= from; i--)
        {
            System.arraycopy(p99s, i, stretch, 0, NORMAL_STRETCH);
            Arrays.sort(stretch);
            if (stretch[NORMAL_STRETCH / 2] > normal)
            {
                break;
            }
            if (p99s[i] <= normal)
            {
                recovered = i;
            }
        }
        return recovered;
    }

    /** This gateway's capacity now: answers/s of a closed loop of {@code inFlight} calls, after a warm-up not recorded. */
    private static double capacityNow(final LoadOptions options, final Target target, final int inFlight,
        final long warmupNanos, final long nanos) throws InterruptedException
    {
        return new ClosedLoop(target, setup(options, "closed", 0, inFlight), inFlight)
            .run(warmupNanos, nanos, TimeUnit.SECONDS.toNanos(5)).throughput();
    }

    private static OpenLoop openLoop(final LoadOptions options, final Target target, final double rate)
    {
        return new OpenLoop(target, setup(options, "open", rate, 0), rate, "poisson".equals(options.arrivals), options.seed,
            options.maxInFlight);
    }

    private static RunResult.Setup setup(final LoadOptions options, final String mode, final double rate, final int inFlight)
    {
        return new RunResult.Setup(options.label, options.protocol, options.target(), mode, inFlight,
            rate, "closed".equals(mode) ? "-" : options.arrivals, ServerCpu.NONE);
    }

    private static String row(final String label, final double multiplier, final double rate, final double capacity,
        final double ownCapacity, final RunResult result, final OverloadRecording recording, final double recoveredMillis)
    {
        final Histogram refused = recording.refused();
        final Histogram shed = recording.shed();
        final long refusedCount = result.errors().getOrDefault(OverloadRecording.REFUSED, 0L);
        final long shedCount = result.errors().getOrDefault(OverloadRecording.SHED, 0L);
        final long late = result.errors().getOrDefault("DEADLINE_EXCEEDED", 0L);
        final long other = result.errorCount() - refusedCount - shedCount - late + result.unanswered();
        return String.format(Locale.ROOT, "%s,%.1f,%.0f,%.0f,%d,%d,%.1f,%.3f,%.3f,%.3f,%d,%.3f,%d,%d,%.0f,%.3f,%.0f,%.3f,%d,%.3f",
            label, multiplier, rate, capacity, result.sent(), result.ok(), result.throughput(), result.throughput() / capacity,
            result.latency().getValueAtPercentile(50) / 1e6, result.latency().getValueAtPercentile(99) / 1e6,
            refusedCount, refused.getTotalCount() == 0 ? Double.NaN : refused.getValueAtPercentile(99) / 1e6, late, other,
            recoveredMillis,
            result.serviceTime().getTotalCount() == 0 ? Double.NaN : result.serviceTime().getValueAtPercentile(99) / 1e6,
            ownCapacity, result.throughput() / ownCapacity,
            shedCount, shed.getTotalCount() == 0 ? Double.NaN : shed.getValueAtPercentile(99) / 1e6);
    }
}
