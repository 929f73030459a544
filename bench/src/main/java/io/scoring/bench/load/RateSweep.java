package io.scoring.bench.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Finds the highest open-loop rate whose p99 (from the intended send time) meets a target: doubles
 * the rate from the first one until a run misses (or halves it, down to the minimum rate, until one
 * meets), then bisects between
 * the highest rate that met and the lowest that missed until they are within the resolution.
 *
 * <p>A rate meets the target when its p99 is at or below it, no request failed or went unanswered,
 * and the answers kept up with the schedule (throughput at least {@link #KEEPING_UP} of the rate).
 * Each rate is one run, warm-up included; on a noisy machine, repeat the sweep and compare.
 */
final class RateSweep
{
    /** Answers per second over offered rate below which the server is falling behind. */
    static final double KEEPING_UP = 0.95;
    /** Enough for a doubling from 1/s to the default maximum and a bisection to 1%. */
    private static final int MAX_STEPS = 32;

    /** Runs the open loop at one rate. */
    interface Runner
    {
        RunResult run(double rate) throws Exception;
    }

    private final LoadOptions options;
    private final Runner runner;
    private final PrintStream out;

    RateSweep(final LoadOptions options, final Runner runner, final PrintStream out)
    {
        this.options = options;
        this.runner = runner;
        this.out = out;
    }

    List<RunResult> run() throws Exception
    {
        final List<RunResult> results = new ArrayList<>();
        double rate = Math.round(options.rate);
        double met = Double.NaN;
        double missed = Double.NaN;
        out.println(HEADER);
        for (int step = 0; step < MAX_STEPS; step++)
        {
            final RunResult result = runner.run(rate);
            results.add(result);
            final boolean meets = meets(result, options.p99TargetNanos);
            out.println(row(result, meets));
            if (meets)
            {
                met = Double.isNaN(met) ? rate : Math.max(met, rate);
            }
            else
            {
                missed = Double.isNaN(missed) ? rate : Math.min(missed, rate);
            }

            if (Double.isNaN(missed))
            {
                if (rate >= options.maxRate)
                {
                    break;
                }
                rate = Math.min(rate * 2, options.maxRate);
            }
            else if (Double.isNaN(met))
            {
                if (rate / 2 < options.minRate)
                {
                    break;
                }
                rate = Math.round(rate / 2);
            }
            else
            {
                final double next = Math.round((met + missed) / 2);
                if (missed / met <= 1 + options.resolutionPercent / 100 || next == met || next == missed)
                {
                    break;
                }
                rate = next;
            }
        }

        out.printf(Locale.ROOT, "%nrate sweep, %s -> %s, p99 target %.0f µs:%n", options.protocolName(), options.target(),
            options.p99TargetNanos / 1e3);
        out.println(HEADER);
        results.stream().sorted(Comparator.comparingDouble((RunResult r) -> r.setup().rate()))
            .forEach((r) -> out.println(row(r, meets(r, options.p99TargetNanos))));
        out.println(Double.isNaN(met)
            ? "no rate tried met the target"
            : String.format(Locale.ROOT, "highest rate meeting p99 <= %.0f µs: %.0f/s%s", options.p99TargetNanos / 1e3, met,
                Double.isNaN(missed) ? " (the highest tried: raise --max-rate to look further)" : ""));
        return results;
    }

    static boolean meets(final RunResult result, final long p99TargetNanos)
    {
        return result.latency().getValueAtPercentile(99) <= p99TargetNanos &&
            0 == result.errorCount() && 0 == result.unanswered() &&
            result.throughput() >= KEEPING_UP * result.setup().rate();
    }

    static final String HEADER = String.format(Locale.ROOT, "%10s %10s %10s %10s %12s %8s  %s",
        "rate/s", "p50 µs", "p99 µs", "p99.9 µs", "achieved/s", "errors", "meets");

    private static String row(final RunResult r, final boolean meets)
    {
        return String.format(Locale.ROOT, "%10.0f %10.1f %10.1f %10.1f %12.1f %8d  %s", r.setup().rate(),
            RunResult.micros(r.latency(), 50), RunResult.micros(r.latency(), 99), RunResult.micros(r.latency(), 99.9),
            r.throughput(), r.errorCount() + r.unanswered(), meets ? "yes" : "no");
    }
}
