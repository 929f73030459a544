package io.scoring.bench.load;

import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How long this machine keeps a thread that asked to run from running: a thread sleeps 1 ms at a time and
 * records how much later than asked it woke (jHiccup's method; jHiccup itself is not on Maven Central). Run it
 * pinned to a core (taskset) with nothing else there, and its figures are the floor of any latency measured on
 * that core: a server cannot answer faster than the machine lets it run. The loop allocates nothing, so the
 * JVM's own collector does not add to what it sees.
 *
 * <pre>
 *   taskset -c 0 java -cp bench/target/benchmarks.jar io.scoring.bench.load.Hiccups --seconds 15 --label core0
 * </pre>
 * Prints one line: the overshoot's p50 / p99 / p99.9 / max, how many wake-ups came more than 1 ms late, and
 * the share of the time lost in those.
 */
public final class Hiccups
{
    private static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private Hiccups()
    {
    }

    public static void main(final String[] args)
    {
        long seconds = 15;
        String label = "hiccups";
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--seconds" -> seconds = Long.parseLong(args[++i]);
                case "--label" -> label = args[++i];
                default ->
                {
                    System.err.println("usage: Hiccups [--seconds N] [--label NAME]; unknown flag " + args[i]);
                    System.exit(2);
                }
            }
        }
        final Histogram overshoot = new Histogram(1, TimeUnit.SECONDS.toNanos(10), 3);
        long late = 0;
        long lostNanos = 0;
        final long start = System.nanoTime();
        final long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long now = start;
        while (now < end)
        {
            final long before = now;
            LockSupport.parkNanos(SLEEP_NANOS);
            now = System.nanoTime();
            final long over = Math.max(1, now - before - SLEEP_NANOS);
            overshoot.recordValue(Math.min(over, overshoot.getHighestTrackableValue()));
            if (over > LATE_NANOS)
            {
                late++;
                lostNanos += over;
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d wake-ups of 1 ms sleeps in %d s; late by p50 %.3f ms, p99 %.3f ms, " +
            "p99.9 %.3f ms, max %.1f ms; %d more than 1 ms late, %.2f%% of the time lost in them%n",
            label, overshoot.getTotalCount(), seconds, overshoot.getValueAtPercentile(50) / 1e6,
            overshoot.getValueAtPercentile(99) / 1e6, overshoot.getValueAtPercentile(99.9) / 1e6,
            overshoot.getMaxValue() / 1e6, late, 100.0 * lostNanos / (now - start));
    }
}
