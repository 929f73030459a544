package io.scoring.gateway.pipeline;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The edge's concurrency limit: which calls are scored and which are refused at once.
 *
 * <p><b>Why a hand-off.</b> Without a limit ({@link #inline()}) the event loop that read a call scores it
 * in the same callback: the fastest path while the gateway keeps up. Above capacity that path has no
 * queue the gateway can see: calls wait in the sockets' buffers, reach the gateway with their deadline
 * nearly spent, and are scored anyway (the congestion collapse of issue 16). With a limit, the event
 * loops only read and admit: a call within the limit goes to the scoring threads' queue, one beyond it
 * is answered RESOURCE_EXHAUSTED / 429 on the event loop in microseconds. In flight counts from
 * admission to answer, queue wait included, so the measured latency the limit adapts to is the one the
 * caller sees.
 *
 * <p><b>The limit</b> is Netflix's concurrency-limits: Gradient2 by default (it compares the short-term
 * latency with the long-term one and shrinks the limit when queueing shows), Vegas, or a fixed number.
 * The scoring queue holds at most {@code maxLimit} calls, so a call the limiter admitted always finds a
 * place. The queue bounds each call's wait ({@link ScoringQueue}): a call it would hold past the bound, by the
 * calls ahead of it and their average time on a scoring thread, is refused at the edge ({@link #excessWaitNanos}).
 *
 * <p><b>Background work first.</b> While in flight is at or above half the limit, {@link #shedBackground}
 * is true and the pipeline offers no shadow scoring and no samples: they are shed before any caller is.
 *
 * <p>Threading: {@link #tryAcquire} on event loops, the permits' release on scoring threads; all safe.
 */
public final class Admission implements AutoCloseable
{
    /** The limit's algorithm, or none. */
    public enum Algorithm
    {
        GRADIENT2, VEGAS, FIXED, OFF
    }

    private final SimpleLimiter<Void> limiter;
    private final ThreadPoolExecutor workers;
    private final ScoringQueue queue;

    private Admission(final SimpleLimiter<Void> limiter, final ThreadPoolExecutor workers, final ScoringQueue queue)
    {
        this.limiter = limiter;
        this.workers = workers;
        this.queue = queue;
    }

    /** No limit: every call is scored on the thread that read it. */
    public static Admission inline()
    {
        return new Admission(null, null, null);
    }

    /**
     * The edge's admission with a limit (GatewayConfig's settings and their defaults say why each value).
     *
     * @param fixedLimit    the limit when the algorithm is FIXED
     * @param maxLimit      the adaptive limit's ceiling, and the scoring queue's capacity
     * @param threads       scoring threads
     * @param tolerance     how far the short-term latency may exceed the long-term one before Gradient2 lowers the limit
     * @param targetNanos   the longest wait behind a standing queue
     * @param intervalNanos the longest wait in a burst, and how long the queue must go without emptying to stand
     */
    public static Admission limited(final Algorithm algorithm, final int fixedLimit, final int maxLimit, final int threads,
        final double tolerance, final long targetNanos, final long intervalNanos)
    {
        if (algorithm == Algorithm.OFF)
        {
            return inline();
        }
        final Limit limit = switch (algorithm)
        {
            // the library's defaults (initial 20, queue 4) but for the ceiling, the floor and the tolerance: the
            // library's floor of 20 suits cheap calls; for an expensive model on a starved core 20 queued calls
            // already outlast a 200 ms deadline, so the limit may shrink to one call per scoring thread
            case GRADIENT2 -> Gradient2Limit.newBuilder().maxConcurrency(maxLimit).minLimit(threads)
                .initialLimit(Math.min(20, maxLimit)).rttTolerance(tolerance).build();
            case VEGAS -> VegasLimit.newBuilder().maxConcurrency(maxLimit).build();
            default -> FixedLimit.of(fixedLimit);
        };
        final SimpleLimiter<Void> limiter = SimpleLimiter.newBuilder().named("scoring").limit(limit).build();
        final AtomicInteger count = new AtomicInteger();
        final ScoringQueue queue = new ScoringQueue(Math.max(maxLimit, fixedLimit), threads, targetNanos, intervalNanos);
        final ThreadPoolExecutor workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, queue, (task) ->
        {
            final Thread thread = new ScoringThread(task, "scoring-" + count.incrementAndGet());
            thread.setDaemon(true);
            // Below the event loops, where the JVM maps Java priorities to nice values (Linux ignores them
            // unless started with -XX:ThreadPriorityPolicy=1; README "Overload"): on a core the event loop
            // shares with these threads, a refusal then does not wait for its turn behind their scoring.
            thread.setPriority(Thread.MIN_PRIORITY);
            return thread;
        });
        workers.prestartAllCoreThreads();
        return new Admission(limiter, workers, queue);
    }

    /** A call waiting for a scoring thread: when it was queued, and how to turn it away unscored. */
    interface Queued extends Runnable
    {
        long queuedNanos();

        /** Answers the call without scoring it, counted as overloaded: it waited longer than the queue allows. */
        void shed(long waitedNanos);
    }

    /**
     * The scoring queue: first in, first out, with each call's wait bounded twice, by the rule Facebook's "Fail at
     * Scale" (2015) takes from CoDel (Nichols and Jacobson, "Controlling Queue Delay", 2012): while the queue has
     * emptied within the last interval (20 ms by default), a call may wait that long; once it has not (a standing
     * queue), the target (5 ms by default: CoDel's).
     *
     * <ul>
     *   <li>At the edge ({@link #expectedWaitNanos}): a call that the calls ahead of it, at their average time on a
     *   scoring thread, would keep past that bound is refused there and then, in microseconds. So the queue holds
     *   no more work than its bound, and what it admits is served in time: first come, first served.</li>
     *   <li>In the queue ({@link #take}): a call that waited past the bound all the same (the average was behind a
     *   model that slowed down) is answered RESOURCE_EXHAUSTED unscored when a scoring thread reaches it, counted
     *   as overloaded, and the thread takes the next.</li>
     * </ul>
     *
     * <p>What this replaced, and why (PERFORMANCE.md "Overload"). A plain first-in-first-out queue bounded only by
     * the limit made every call wait as long as the queue was deep: 0-17% goodput at 2x. Serving the newest first
     * once behind (Facebook's adaptive LIFO) kept the calls served fresh, but the calls that sank held their permits
     * and were served late (accepted p99 of 120-180 ms at 2x and 4x) or, with the bound in the queue alone, shed
     * after their wait by a scoring thread: at 2x and 4x most calls turned away were shed that way, each after
     * 5-20 ms and at a scoring thread's cost, where a refusal at the edge costs the event loop microseconds.
     */
    static final class ScoringQueue extends LinkedBlockingQueue<Runnable>
    {
        private static final long serialVersionUID = 1L;
        private final int threads;
        private final long targetNanos;
        private final long intervalNanos;
        private volatile long lastEmptyNanos = System.nanoTime();
        /**
         * A scoring thread's time per call taken, averaged (1/8 of each new one), while it finds calls waiting: the
         * scoring and whatever else it does between two calls (answering, shedding). Written by every scoring
         * thread, racily: an estimate.
         */
        private volatile long serviceNanos;

        ScoringQueue(final int capacity, final int threads, final long targetNanos, final long intervalNanos)
        {
            super(capacity);
            this.threads = threads;
            this.targetNanos = targetNanos;
            this.intervalNanos = intervalNanos;
        }

        @Override
        public boolean offer(final Runnable call)
        {
            if (isEmpty())
            {
                // empty until now: a queue that sat idle is not standing, however long ago a thread last took
                lastEmptyNanos = System.nanoTime();
            }
            return super.offer(call);
        }

        /** What a scoring thread takes next (the pool's threads never time out, so this is their only way in). */
        @Override
        public Runnable take() throws InterruptedException
        {
            final boolean busy = !isEmpty(); // a call waits: this thread goes from one call to the next
            while (true)
            {
                final Runnable next = super.take();
                final long now = System.nanoTime();
                final long maxWait = maxWaitNanos(now);
                if (isEmpty())
                {
                    lastEmptyNanos = now;
                }
                if (next instanceof Queued queued && now - queued.queuedNanos() > maxWait)
                {
                    queued.shed(now - queued.queuedNanos());
                    continue;
                }
                if (Thread.currentThread() instanceof ScoringThread thread)
                {
                    if (busy && thread.lastTakenNanos != 0)
                    {
                        final long average = serviceNanos;
                        serviceNanos = average + ((now - thread.lastTakenNanos - average) >> 3);
                    }
                    thread.lastTakenNanos = now;
                }
                return next;
            }
        }

        /** How long a call may wait now: the interval in a burst, the target once the queue stands. */
        long maxWaitNanos(final long now)
        {
            return now - lastEmptyNanos > intervalNanos ? targetNanos : intervalNanos;
        }

        /** How long a call queued now would wait, from the calls ahead of it and their average time; 0 if none wait. */
        long expectedWaitNanos()
        {
            return size() * serviceNanos / threads;
        }
    }

    /** A scoring thread, which remembers when it last took a call: the queue's estimate of a call's time. */
    private static final class ScoringThread extends Thread
    {
        long lastTakenNanos;

        ScoringThread(final Runnable task, final String name)
        {
            super(task, name);
        }
    }

    /** Parses {@code gradient2}, {@code vegas}, {@code off} or a whole number (a fixed limit). */
    public static Algorithm algorithm(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.chars().allMatch(Character::isDigit) && !value.isEmpty())
        {
            return Algorithm.FIXED;
        }
        return Algorithm.valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** True when calls are scored on the thread that read them, with no limit. */
    public boolean isInline()
    {
        return null == limiter;
    }

    /** A permit to score one call, to be released once it is answered; null: over the limit, refuse it. */
    Limiter.Listener tryAcquire()
    {
        final Optional<Limiter.Listener> permit = limiter.acquire(null);
        return permit.isPresent() ? permit.get() : null;
    }

    /**
     * How long a call queued now would wait for a scoring thread, when that is past what the queue allows it (the
     * interval in a burst, the target once the queue stands); 0 when it would not. Such a call is refused here, on
     * the event loop, in microseconds: queued, it would only be shed later, after its wait and a scoring thread's
     * work to answer it (PERFORMANCE.md "Overload": most calls turned away at 2x and 4x were shed that way).
     */
    long excessWaitNanos()
    {
        final long expected = queue.expectedWaitNanos();
        // most calls find no one waiting: then no clock read
        return expected > 0 && expected > queue.maxWaitNanos(System.nanoTime()) ? expected : 0;
    }

    /** The longest a call may wait for a scoring thread now, in milliseconds. */
    long maxWaitMillis()
    {
        return TimeUnit.NANOSECONDS.toMillis(queue.maxWaitNanos(System.nanoTime()));
    }

    /** Runs an admitted call on a scoring thread; false when the queue is full (it never is within the limit). */
    boolean execute(final Runnable admitted)
    {
        try
        {
            workers.execute(admitted);
            return true;
        }
        catch (final RejectedExecutionException ex)
        {
            return false;
        }
    }

    /** True while shadows and samples should be skipped: in flight is at or above half the limit. */
    public boolean shedBackground()
    {
        return null != limiter && limiter.getInflight() * 2 >= limiter.getLimit();
    }

    /** The current limit; 0 when there is none. */
    public int limit()
    {
        return null == limiter ? 0 : limiter.getLimit();
    }

    /** Calls admitted and not yet answered. */
    public int inFlight()
    {
        return null == limiter ? 0 : limiter.getInflight();
    }

    /** Stops the scoring threads once the queued calls are served. */
    @Override
    public void close()
    {
        if (null != workers)
        {
            workers.shutdown();
        }
    }
}
