package io.scoring.gateway.rollout;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the judge reads of a step: its own requests, the last ring's worth of them, each entity once for the scores. */
class RequestWindowTest
{
    @Test
    void shouldJudgeAStepOnTheRequestsSinceItsMarkOnly()
    {
        final RequestWindow window = new RequestWindow(64);
        window.record(false, 1_000, 0.9f, 1);
        window.record(true, 2_000, 0f, 2);
        final RequestWindow.Mark stepStart = window.mark();
        window.record(false, 3_000, 0.1f, 3);
        window.record(true, 4_000, 0f, 4);
        window.record(false, 5_000, 0.2f, 5);

        final RequestWindow.Slice step = window.since(stepStart);

        assertEquals(3, step.requests());
        assertEquals(1, step.failures());
        assertArrayEquals(new double[]{3_000, 5_000}, step.latencies(), "failed requests have no latency to compare");
        assertArrayEquals(new double[]{0.1f, 0.2f}, step.scores());
    }

    /** Two event loops answering one version each record into a ring of their own; the step reads both. */
    @Test
    void shouldKeepEveryThreadsRequestsOfAStep() throws Exception
    {
        final RequestWindow window = new RequestWindow(64);
        final RequestWindow.Mark stepStart = window.mark();
        final List<Thread> loops = new ArrayList<>();
        for (int t = 0; t < 2; t++)
        {
            final int base = t * 1_000;
            loops.add(new Thread(() ->
            {
                for (int i = 0; i < 50; i++)
                {
                    window.record(i == 0, base + i, 0.5f, base + i + 1);
                }
            }));
        }
        loops.forEach(Thread::start);
        for (final Thread loop : loops)
        {
            loop.join();
        }

        final RequestWindow.Slice step = window.since(stepStart);

        assertEquals(100, step.requests());
        assertEquals(2, step.failures());
        assertEquals(98, step.latencies().length, "each thread's answered requests, none overwritten by the other's");
        assertEquals(98, java.util.Arrays.stream(step.entities()).distinct().count());
        assertEquals(100, window.requestsSince(stepStart));
    }

    @Test
    void shouldKeepCountingEveryRequestButJudgeTheLatestRingfulWhenAStepOutgrowsTheRing()
    {
        final RequestWindow window = new RequestWindow(64);
        final RequestWindow.Mark stepStart = window.mark();
        for (int i = 0; i < 200; i++)
        {
            window.record(i % 10 == 0, i, i, i + 1);
        }

        final RequestWindow.Slice step = window.since(stepStart);

        assertEquals(200, step.requests());
        assertEquals(20, step.failures(), "the failure count covers the whole step");
        assertEquals(64 - 6, step.latencies().length, "the last 64 requests, 6 of them failed");
        assertEquals(136.0, step.latencies()[0]);
    }

    @Test
    void shouldCountAnEntitysRepeatedRequestsOnceForTheScoresAndKeylessRequestsEachOnce()
    {
        final RequestWindow window = new RequestWindow(64);
        final RequestWindow.Mark stepStart = window.mark();
        final List<Long> entities = new ArrayList<>(List.of(7L, 7L, 7L, 8L, RequestWindow.NO_ENTITY, RequestWindow.NO_ENTITY));
        for (final long entity : entities)
        {
            window.record(false, 1, entity, entity);
        }

        assertArrayEquals(new double[]{7, 8, 0, 0}, window.since(stepStart).scoresPerEntity());
        assertEquals(RequestWindow.NO_ENTITY, RolloutSamples.entity(""), "a request without a key has no entity");
    }
}
