package io.scoring.gateway.rollout;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a replica tells the fleet's driver of a step, and what the driver judges: exact counts, the
 * samples up to the bound, spread over the step, and one merged step in which an entity two replicas saw counts once.
 */
class RolloutWindowPartsTest
{
    @Test
    void shouldCarryExactCountsAndTheNewestSamplesUpToTheBound() throws Exception
    {
        final RequestWindow window = new RequestWindow(64);
        final RequestWindow.Mark stepStart = window.mark();
        for (int i = 0; i < 10; i++)
        {
            window.record(i == 0, 1_000 + i, i / 10f, i + 1);
        }
        final RequestWindow.Slice canary = window.since(stepStart);

        final RequestWindow.Slice[] part = WindowParts.decode(WindowParts.encode(canary, canary, 4));

        assertEquals(10, part[0].requests());
        assertEquals(1, part[0].failures());
        assertArrayEquals(new double[]{1_001, 1_003, 1_005, 1_007}, part[0].latencies(), "four spread over the nine answered");
        assertArrayEquals(new double[]{0.1f, 0.3f, 0.5f, 0.7f}, part[0].scores());
        assertArrayEquals(new long[]{2, 4, 6, 8}, part[0].entities());
        assertEquals(10, part[1].requests());
    }

    @Test
    void shouldAddTheReplicasCountsAndCountAnEntityTwoReplicasSawOnce()
    {
        final RequestWindow.Slice mine = new RequestWindow.Slice(5, 1, new double[]{1, 2}, new double[]{0.1, 0.2}, new long[]{1, 2});
        final RequestWindow.Slice theirs = new RequestWindow.Slice(7, 2, new double[]{3}, new double[]{0.3}, new long[]{2});

        final RequestWindow.Slice fleet = WindowParts.merge(List.of(mine, theirs));

        assertEquals(12, fleet.requests());
        assertEquals(3, fleet.failures());
        assertArrayEquals(new double[]{1, 2, 3}, fleet.latencies());
        assertArrayEquals(new double[]{0.1, 0.2}, fleet.scoresPerEntity(), "entity 2's first score only");
    }
}
