package io.scoring.bench.load;

import org.HdrHistogram.Histogram;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The closed-loop driver: N requests in flight; each answer sends the next request at once, from the
 * I/O thread that received it. Its latency is service time by construction (a slow answer delays
 * the requests behind it instead of being charged for them), which is why the reported figure from
 * this mode is throughput at a given concurrency, and latency under load comes from {@link OpenLoop}.
 *
 * <p>An answer that arrives inside {@link Target#send} (a call failing at once, e.g. no connection)
 * is not followed by a nested send: the thread's outer send loop picks it up, so a failing server
 * cannot grow the stack.
 */
final class ClosedLoop implements Target.Completion
{
    /** Per thread: [0] 1 while inside a send, [1] sends owed by answers that arrived during it. */
    private static final ThreadLocal<int[]> TRAMPOLINE = ThreadLocal.withInitial(() -> new int[2]);

    private final Target target;
    private final RunResult.Setup setup;
    private final int concurrency;
    private final AtomicInteger nextRequest = new AtomicInteger();
    private Recording recording;
    private long end;

    ClosedLoop(final Target target, final RunResult.Setup setup, final int concurrency)
    {
        this.target = target;
        this.setup = setup;
        this.concurrency = concurrency;
    }

    RunResult run(final long warmupNanos, final long durationNanos, final long timeoutNanos) throws InterruptedException
    {
        final long start = System.nanoTime();
        end = start + warmupNanos + durationNanos;
        recording = new Recording(start + warmupNanos, end, setup.serverCpu());
        for (int i = 0; i < concurrency; i++)
        {
            sendNext();
        }
        while (System.nanoTime() < end)
        {
            Thread.sleep(10);
        }
        recording.awaitAnswers(timeoutNanos + 1_000_000_000L);
        return recording.result(setup, new Histogram(Recording.SIGNIFICANT_DIGITS), target.requestBytes());
    }

    @Override
    public void completed(final long intendedNanos, final long sentNanos, final String error, final int responseBytes)
    {
        recording.completed(intendedNanos, sentNanos, error, responseBytes);
        sendNext();
    }

    private void sendNext()
    {
        final int[] trampoline = TRAMPOLINE.get();
        if (1 == trampoline[0])
        {
            trampoline[1]++;
            return;
        }
        trampoline[0] = 1;
        try
        {
            int owed = 1;
            while (owed > 0)
            {
                owed--;
                final long now = System.nanoTime();
                if (now < end)
                {
                    recording.sending(now);
                    target.send(nextRequest.getAndIncrement(), now, this);
                }
                owed += trampoline[1];
                trampoline[1] = 0;
            }
        }
        finally
        {
            trampoline[0] = 0;
        }
    }
}
