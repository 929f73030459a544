package io.scoring.gateway.pipeline;

import com.netflix.concurrency.limits.Limiter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scoring queue: first come, first served; a call it would hold past its bound is turned away at the edge; and
 * what it sheds all the same: calls that waited past the target once the queue has stood for the interval.
 */
class AdmissionTest
{
    private static final long TARGET = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(100);

    @Test
    void shouldServeQueuedCallsInTheOrderTheyCame() throws Exception
    {
        try (Admission admission = Admission.limited(Admission.Algorithm.FIXED, 100, 100, 2, 3.0, TARGET, INTERVAL))
        {
            // both scoring threads held, so calls queue; then one thread serves the queue alone, in its order
            final CountDownLatch busy = new CountDownLatch(2);
            final CountDownLatch releaseFirst = new CountDownLatch(1);
            final CountDownLatch releaseSecond = new CountDownLatch(1);
            assertTrue(admission.execute(() -> hold(busy, releaseFirst)));
            assertTrue(admission.execute(() -> hold(busy, releaseSecond)));
            assertTrue(busy.await(30, TimeUnit.SECONDS), "both scoring threads busy");

            final List<Integer> served = Collections.synchronizedList(new ArrayList<>());
            final CountDownLatch done = new CountDownLatch(5);
            for (int call = 1; call <= 5; call++)
            {
                final int id = call;
                assertTrue(admission.execute(() ->
                {
                    served.add(id);
                    done.countDown();
                }));
            }
            releaseFirst.countDown();
            assertTrue(done.await(30, TimeUnit.SECONDS), "every queued call served");
            releaseSecond.countDown();

            // the edge bounds how much waits, so what waits is served first come, first served
            assertEquals(List.of(1, 2, 3, 4, 5), served);
        }
    }

    @Test
    void shouldShedCallsThatWaitedPastTheTargetOnceTheQueueStands() throws Exception
    {
        try (Admission admission = oneScoringThread(INTERVAL))
        {
            // the one scoring thread held while three calls queue, for longer than the interval: a standing queue
            final Calls calls = new Calls();
            final CountDownLatch release = queueBehindTheHeldThread(admission, calls, 3);
            waitPastTheInterval();
            release.countDown();
            // one more, once the queue has emptied: a fresh call on an idle queue is served
            assertTrue(calls.settled(3), "the three queued calls settled");
            assertTrue(admission.execute(calls.queued(4)));
            assertTrue(calls.settled(4), "the fresh call settled");

            assertEquals(List.of(4), calls.served, "only the fresh call scored");
            assertEquals(List.of(1, 2, 3), calls.shed, "the stale calls shed, oldest first");
            assertTrue(calls.waits.stream().allMatch((waited) -> waited > INTERVAL), "each waited past the interval");
        }
    }

    @Test
    void shouldServeEveryCallOfABurstThatEmptiesTheQueueBeforeItStands() throws Exception
    {
        // a second's interval, so that a slow machine's scheduling cannot make the burst look standing
        try (Admission admission = oneScoringThread(TimeUnit.SECONDS.toNanos(1)))
        {
            final Calls calls = new Calls();
            final CountDownLatch release = queueBehindTheHeldThread(admission, calls, 3);
            release.countDown(); // well within the interval: a burst, not a standing queue
            assertTrue(calls.settled(3), "the queued calls settled");
            assertEquals(3, calls.served.size(), "all three scored");
            assertTrue(calls.shed.isEmpty(), "none shed");
        }
    }

    @Test
    void shouldNotTakeAQueueThatWasEmptyWhileItsThreadWorkedForAStandingOne() throws Exception
    {
        try (Admission admission = oneScoringThread(INTERVAL))
        {
            // the thread works longer than the interval with nothing queued; then one call arrives and waits
            // past the target, well within the interval: the queue was empty until then, so it is served
            final Calls calls = new Calls();
            final CountDownLatch release = queueBehindTheHeldThread(admission, calls, 0);
            waitPastTheInterval();
            assertTrue(admission.execute(calls.queued(1)));
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(TARGET) * 4);
            release.countDown();
            assertTrue(calls.settled(1), "the call settled");
            assertEquals(List.of(1), calls.served, "scored, not shed");
        }
    }

    @Test
    void shouldTurnAwayAtTheEdgeACallTheQueueWouldHoldPastItsBound() throws Exception
    {
        try (Admission admission = oneScoringThread(INTERVAL))
        {
            assertEquals(0, admission.excessWaitNanos(), "an empty queue keeps no one waiting");
            // 40 calls of 2 ms queued at once (80 ms: a burst): the thread learns that a call takes about 2 ms
            final CountDownLatch learnt = new CountDownLatch(40);
            for (int call = 0; call < 40; call++)
            {
                assertTrue(admission.execute(() ->
                {
                    sleep(2);
                    learnt.countDown();
                }));
            }
            assertTrue(learnt.await(30, TimeUnit.SECONDS), "the 2 ms calls served");

            final Calls calls = new Calls();
            final CountDownLatch release = queueBehindTheHeldThread(admission, calls, 4);
            // four calls of about 2 ms ahead (up to 10 ms each on a slow machine): within a burst's 100 ms
            assertEquals(0, admission.excessWaitNanos(), "a few calls ahead are within the interval");
            assertEquals(TimeUnit.NANOSECONDS.toMillis(INTERVAL), admission.maxWaitMillis());
            for (int id = 5; id <= 94; id++)
            {
                assertTrue(admission.execute(calls.queued(id)));
            }
            // 94 ahead: at least 188 ms, past the interval; the call is refused at the edge, the excess said
            assertTrue(admission.excessWaitNanos() > INTERVAL, "94 calls of 2 ms are past 100 ms");
            // the queue stands once it has not emptied for the interval: then the target bounds the wait
            waitPastTheInterval();
            assertEquals(TimeUnit.NANOSECONDS.toMillis(TARGET), admission.maxWaitMillis());
            release.countDown();
            assertTrue(calls.settled(94), "the queued calls settled");
            assertEquals(0, admission.excessWaitNanos(), "the queue emptied: no one waits again");
        }
    }

    @Test
    void shouldShedShadowsAndSamplesFromHalfTheLimitWhileCallersAreStillAdmitted()
    {
        try (Admission admission = Admission.limited(Admission.Algorithm.FIXED, 4, 100, 1, 3.0, TARGET, INTERVAL))
        {
            final List<Limiter.Listener> permits = new ArrayList<>();
            assertFalse(admission.shedBackground(), "idle: shadows and samples run");
            permits.add(admission.tryAcquire());
            assertFalse(admission.shedBackground(), "one call of four in flight: shadows and samples run");
            permits.add(admission.tryAcquire());
            assertTrue(admission.shedBackground(), "two of four: shadows and samples are shed");
            permits.add(admission.tryAcquire());
            permits.add(admission.tryAcquire());
            permits.forEach((permit) -> assertNotNull(permit, "callers are admitted up to the limit while background work is shed"));
            assertNull(admission.tryAcquire(), "only the fifth caller is refused");
            permits.forEach(Limiter.Listener::onSuccess);
            assertFalse(admission.shedBackground(), "the calls answered: shadows and samples run again");
        }
    }

    @Test
    void shouldRaiseTheLimitWhileLatencyHoldsAndLowerItWhenLatencyRises() throws Exception
    {
        try (Admission admission = Admission.limited(Admission.Algorithm.GRADIENT2, 0, 100, 1, 3.0, TARGET, INTERVAL))
        {
            final int initial = admission.limit();
            int highest = initial;
            // callers that fill the limit and are answered at once: the latency the limit measures holds
            for (int round = 0; round < 20; round++)
            {
                fillTheLimitAndAnswerAfter(admission, 0);
                highest = Math.max(highest, admission.limit());
            }
            assertTrue(highest > initial + 10, "the limit rose from " + initial + " to at most " + highest);
            // the same callers answered 20 ms after admission: well past three times the latency it learnt
            for (int round = 0; round < 3; round++)
            {
                fillTheLimitAndAnswerAfter(admission, 20);
            }
            assertTrue(admission.limit() < highest / 2, "the limit fell from " + highest + " to " + admission.limit());
        }
    }

    /** Admits calls until one is refused, then answers them all {@code millis} after. */
    private static void fillTheLimitAndAnswerAfter(final Admission admission, final long millis) throws InterruptedException
    {
        final List<Limiter.Listener> permits = new ArrayList<>();
        for (Limiter.Listener permit; null != (permit = admission.tryAcquire()); )
        {
            permits.add(permit);
        }
        Thread.sleep(millis);
        permits.forEach(Limiter.Listener::onSuccess);
    }

    /** A fixed limit of 100 and one scoring thread, whose queue waits the target once it has stood for {@code intervalNanos}. */
    private static Admission oneScoringThread(final long intervalNanos)
    {
        return Admission.limited(Admission.Algorithm.FIXED, 100, 100, 1, 3.0, TARGET, intervalNanos);
    }

    /** Holds the one scoring thread and queues calls 1 to {@code count} behind it; counting down the latch lets it go. */
    private static CountDownLatch queueBehindTheHeldThread(final Admission admission, final Calls calls, final int count)
        throws InterruptedException
    {
        final CountDownLatch busy = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        assertTrue(admission.execute(() -> hold(busy, release)));
        assertTrue(busy.await(30, TimeUnit.SECONDS), "the scoring thread busy");
        for (int id = 1; id <= count; id++)
        {
            assertTrue(admission.execute(calls.queued(id)));
        }
        return release;
    }

    /** Calls that record whether the queue served or shed them. */
    private static final class Calls
    {
        final List<Integer> served = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> shed = Collections.synchronizedList(new ArrayList<>());
        final List<Long> waits = Collections.synchronizedList(new ArrayList<>());
        private final Semaphore settled = new Semaphore(0);
        private int settledSoFar;

        Admission.Queued queued(final int id)
        {
            final long queuedNanos = System.nanoTime();
            return new Admission.Queued()
            {
                @Override
                public long queuedNanos()
                {
                    return queuedNanos;
                }

                @Override
                public void shed(final long waitedNanos)
                {
                    shed.add(id);
                    waits.add(waitedNanos);
                    settled.release();
                }

                @Override
                public void run()
                {
                    served.add(id);
                    settled.release();
                }
            };
        }

        /** True once {@code total} calls have been served or shed since the first call. */
        boolean settled(final int total) throws InterruptedException
        {
            final boolean all = settled.tryAcquire(total - settledSoFar, 30, TimeUnit.SECONDS);
            settledSoFar = total;
            return all;
        }
    }

    /** Long enough that a queue which has not emptied since counts as standing. */
    private static void waitPastTheInterval() throws InterruptedException
    {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(INTERVAL) + 50);
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void hold(final CountDownLatch busy, final CountDownLatch release)
    {
        busy.countDown();
        try
        {
            release.await(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
