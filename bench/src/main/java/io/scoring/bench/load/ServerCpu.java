package io.scoring.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU time that the processes serving the load spend in a run's measured window, read from
 * {@code /proc/PID/stat} (user + system time, fields 14 and 15) when the window opens and when it
 * closes, so warm-up, connecting and the wait for late answers are left out. Divided by the answers of
 * the window it gives CPU µs per answer, which other work on a shared machine disturbs far less than
 * latency or throughput.
 *
 * <p>A daemon thread sleeps until each edge of the window and reads the files there: two reads per
 * run, nothing on the generator's paths. Linux counts in clock ticks of {@link #TICKS_PER_SECOND}
 * (USER_HZ, fixed at 100 by the kernel's ABI), so a window of {@code s} seconds is exact to within
 * 10 ms of CPU time.
 */
final class ServerCpu
{
    /** USER_HZ: what sysconf(_SC_CLK_TCK) returns on Linux, whatever the kernel's internal tick. */
    static final int TICKS_PER_SECOND = 100;
    /** Measures nothing: no server process was named. */
    static final ServerCpu NONE = new ServerCpu(new long[0]);

    private final long[] pids;

    ServerCpu(final long[] pids)
    {
        this.pids = pids.clone();
    }

    boolean enabled()
    {
        return pids.length > 0;
    }

    /** Starts measuring the window between two {@link System#nanoTime()} instants. */
    Window window(final long startNanos, final long endNanos)
    {
        return new Window(startNanos, endNanos);
    }

    /** The processes' user + system clock ticks so far. */
    long ticks()
    {
        long ticks = 0;
        for (final long pid : pids)
        {
            try
            {
                final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // the command name (field 2) is in parentheses and may hold spaces: count fields after it
                final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read the CPU time of process " + pid, ex);
            }
        }
        return ticks;
    }

    /** One measured window. */
    final class Window
    {
        private final Thread reader;
        private volatile long ticks = -1;
        private volatile RuntimeException failure;

        private Window(final long startNanos, final long endNanos)
        {
            reader = new Thread(() ->
            {
                try
                {
                    sleepUntil(startNanos);
                    final long before = ServerCpu.this.ticks();
                    sleepUntil(endNanos);
                    ticks = ServerCpu.this.ticks() - before;
                }
                catch (final RuntimeException ex)
                {
                    failure = ex;
                }
            }, "server-cpu");
            reader.setDaemon(true);
            if (enabled())
            {
                reader.start();
            }
        }

        /** The servers' CPU µs per answer over the window; NaN when no server was named. */
        double microsPerAnswer(final long answers) throws InterruptedException
        {
            if (!enabled())
            {
                return Double.NaN;
            }
            reader.join();
            if (null != failure)
            {
                throw failure;
            }
            return ticks * 1e6 / TICKS_PER_SECOND / Math.max(1, answers);
        }

        private static void sleepUntil(final long deadlineNanos)
        {
            long remaining;
            while ((remaining = deadlineNanos - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(remaining);
            }
        }
    }
}
