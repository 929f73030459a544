package io.scoring.bench.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one run measured: latencies, counts and errors of the requests meant to go inside the
 * measurement window; requests of the warm-up are sent and answered but not recorded.
 *
 * <p>Two latencies per request, in nanoseconds: from its intended send time (the one reported: it
 * includes any time the request waited because the generator or a connection was busy, so the
 * generator falling behind cannot hide a stall) and from the moment it reached a connection (the
 * service time a closed-loop tool reports). Throughput counts successful answers that arrive inside
 * the window, whenever they were sent.
 *
 * <p>Thread safety: {@link #completed} runs on any client I/O thread; HdrHistogram {@link Recorder}s
 * keep its writers wait-free. {@link #sending} may run on several threads (closed loop).
 *
 * <p>Open for one extension: the overload scenario's {@link OverloadRecording} also records refusals and
 * latency over time.
 */
class Recording implements Target.Completion
{
    /** Longer than any timeout a run allows; a slower answer is recorded as this. */
    static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Three significant digits: 0.1% resolution at any magnitude. */
    static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder latency = new Recorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    private final Recorder serviceTime = new Recorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    private final LongAdder answeredAll = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final LongAdder okInWindow = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong outstanding = new AtomicLong();
    private volatile int responseBytes;
    private final long windowStart;
    private final long windowEnd;

    private final ServerCpu.Window serverCpu;

    Recording(final long windowStartNanos, final long windowEndNanos, final ServerCpu serverCpu)
    {
        this.windowStart = windowStartNanos;
        this.windowEnd = windowEndNanos;
        this.serverCpu = serverCpu.window(windowStartNanos, windowEndNanos);
    }

    /** Call before handing a request to the target. */
    void sending(final long intendedNanos)
    {
        outstanding.incrementAndGet();
        if (inWindow(intendedNanos))
        {
            sent.increment();
        }
    }

    @Override
    public void completed(final long intendedNanos, final long sentNanos, final String error, final int bytes)
    {
        final long now = System.nanoTime();
        outstanding.decrementAndGet();
        answeredAll.increment();
        if (null == error && now >= windowStart && now < windowEnd)
        {
            okInWindow.increment();
        }
        if (!inWindow(intendedNanos))
        {
            return;
        }
        if (null == error)
        {
            latency.recordValue(Math.min(now - intendedNanos, HIGHEST_TRACKABLE_NANOS));
            serviceTime.recordValue(Math.min(now - sentNanos, HIGHEST_TRACKABLE_NANOS));
            ok.increment();
            if (0 == responseBytes)
            {
                responseBytes = bytes;
            }
        }
        else
        {
            errors.computeIfAbsent(error, (status) -> new LongAdder()).increment();
        }
    }

    long outstanding()
    {
        return outstanding.get();
    }

    /** Waits until every request sent has its answer, or the timeout passes. */
    void awaitAnswers(final long timeoutNanos) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (outstanding.get() > 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
    }

    RunResult result(final RunResult.Setup setup, final Histogram sendLag, final int requestBytes)
        throws InterruptedException
    {
        final Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((status, count) -> errorCounts.put(status, count.sum()));
        final double seconds = (windowEnd - windowStart) / 1e9;
        return new RunResult(setup, seconds, sent.sum(), ok.sum(), errorCounts, okInWindow.sum() / seconds,
            answeredAll.sum(), latency.getIntervalHistogram(), serviceTime.getIntervalHistogram(), sendLag,
            requestBytes, responseBytes, serverCpu.microsPerAnswer(okInWindow.sum()));
    }

    private boolean inWindow(final long nanos)
    {
        return nanos >= windowStart && nanos < windowEnd;
    }
}
