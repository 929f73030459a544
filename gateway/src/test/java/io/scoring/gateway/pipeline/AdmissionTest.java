package io.scoring.gateway.pipeline;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scoring queue's order: first come first served while the scoring threads keep up, newest first once behind. */
class AdmissionTest
{
    @Test
    void shouldServeCallsInOrderWhileTheThreadsKeepUpAndTheNewestFirstOnceTheyFallBehind() throws Exception
    {
        try (Admission admission = Admission.limited(Admission.Algorithm.FIXED, 100, 100, 2))
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

            // 1 and 2 were queued while no more calls waited than there are threads: first come first served;
            // 3, 4 and 5 came once the threads were behind: the newest first, ahead of the older calls
            assertEquals(List.of(5, 4, 3, 1, 2), served);
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
