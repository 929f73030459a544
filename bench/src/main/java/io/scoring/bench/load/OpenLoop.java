package io.scoring.bench.load;

import org.HdrHistogram.Histogram;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The open-loop driver: requests go on a schedule fixed in advance (constant gaps, or Poisson
 * arrivals from a seeded generator), never waiting for answers. Each request's latency counts from
 * its intended send time: when the generator falls behind (a GC pause, a descheduled thread) it sends
 * the overdue requests at once, and their wait is charged to them, so the run cannot hide a stall the
 * way a closed loop does (coordinated omission).
 *
 * <p>Threading: {@link #run} is the only sender and records the send lag; it hands the requests due
 * at each wake-up to the client's I/O thread as one batch; answers are recorded on the I/O threads. Waiting parks while the next send is far off and spins the last stretch, but
 * never more than a tenth of the time between sends: the generator shares the cores with the server it
 * measures (two, here), and a spinning sender would slow the server down. At high rates a park
 * oversleeps past several sends, which then go at once, their lateness charged to them.
 *
 * <p>Bounded: with {@code maxInFlight} requests unanswered (a server far behind the schedule) a
 * request due is not sent but counted as failed ({@code CLIENT_MAX_IN_FLIGHT}), so an overloaded run
 * ends with errors instead of exhausting the generator's heap.
 */
final class OpenLoop
{
    /** Requests handed to the client at once, at most: a backlog goes in several batches. */
    private static final int MAX_BATCH = 256;
    /** At most this share of the time between sends is spent spinning. */
    private static final double MAX_SPIN_SHARE = 0.1;
    /** A park's first estimated oversleep: Linux's default timer slack (50 µs) plus wake-up. */
    private static final long INITIAL_PARK_OVERSHOOT_NANOS = 60_000;
    /**
     * The estimate's ceiling: on a starved machine parks oversleep by milliseconds, and spinning that
     * long would take a core from the server being measured; the lateness shows as send lag instead.
     */
    private static final long MAX_PARK_OVERSHOOT_NANOS = 100_000;

    private final Target target;
    private final RunResult.Setup setup;
    private final double rate;
    private final boolean poisson;
    private final long seed;
    private final int maxInFlight;
    private long parkOvershootNanos = INITIAL_PARK_OVERSHOOT_NANOS;

    OpenLoop(
        final Target target,
        final RunResult.Setup setup,
        final double rate,
        final boolean poisson,
        final long seed,
        final int maxInFlight)
    {
        this.target = target;
        this.setup = setup;
        this.rate = rate;
        this.poisson = poisson;
        this.seed = seed;
        this.maxInFlight = maxInFlight;
    }

    RunResult run(final long warmupNanos, final long durationNanos, final long timeoutNanos) throws InterruptedException
    {
        return run(warmupNanos, durationNanos, timeoutNanos, (start, end) -> new Recording(start, end, setup.serverCpu()));
    }

    /** What records a run, made for its measurement window ({@link System#nanoTime()} start and end). */
    interface Recordings
    {
        Recording of(long windowStartNanos, long windowEndNanos);
    }

    RunResult run(final long warmupNanos, final long durationNanos, final long timeoutNanos, final Recordings recordings)
        throws InterruptedException
    {
        final Histogram sendLag = new Histogram(Recording.HIGHEST_TRACKABLE_NANOS, Recording.SIGNIFICANT_DIGITS);
        final long start = System.nanoTime() + 1_000_000;
        final long windowStart = start + warmupNanos;
        final long end = windowStart + durationNanos;
        final Recording recording = recordings.of(windowStart, end);
        final SplittableRandom random = new SplittableRandom(seed);
        final double meanGapNanos = 1e9 / rate;
        final long spinBudgetNanos = (long)(meanGapNanos * MAX_SPIN_SHARE);

        final int[] indices = new int[MAX_BATCH];
        final long[] times = new long[MAX_BATCH];
        double offsetNanos = 0;
        long intended = start;
        int next = 0;
        while (intended < end)
        {
            awaitNanoTime(intended, spinBudgetNanos);
            final long now = System.nanoTime();
            int count = 0;
            while (intended < end && intended <= now && count < MAX_BATCH)
            {
                if (intended >= windowStart)
                {
                    sendLag.recordValue(Math.min(now - intended, Recording.HIGHEST_TRACKABLE_NANOS));
                }
                recording.sending(intended);
                if (recording.outstanding() > maxInFlight)
                {
                    recording.completed(intended, now, "CLIENT_MAX_IN_FLIGHT", 0);
                }
                else
                {
                    indices[count] = next;
                    times[count++] = intended;
                }
                next++;
                offsetNanos += poisson ? -Math.log(1.0 - random.nextDouble()) * meanGapNanos : meanGapNanos;
                intended = start + (long)offsetNanos;
            }
            if (count > 0)
            {
                target.send(Arrays.copyOf(indices, count), Arrays.copyOf(times, count), count, recording);
            }
        }
        recording.awaitAnswers(timeoutNanos + 1_000_000_000L);
        return recording.result(setup, sendLag, target.requestBytes());
    }

    /** Parks until shortly before the deadline (learning how late parks wake), then spins what is left. */
    private void awaitNanoTime(final long deadline, final long spinBudgetNanos)
    {
        long now;
        while ((now = System.nanoTime()) < deadline)
        {
            final long remaining = deadline - now;
            final long lead = Math.min(parkOvershootNanos, spinBudgetNanos);
            if (remaining > lead)
            {
                final long request = remaining - lead;
                LockSupport.parkNanos(request);
                final long overshoot = Math.max(0, System.nanoTime() - now - request);
                parkOvershootNanos = Math.min(MAX_PARK_OVERSHOOT_NANOS,
                    parkOvershootNanos + (overshoot - parkOvershootNanos) / 8);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }
}
