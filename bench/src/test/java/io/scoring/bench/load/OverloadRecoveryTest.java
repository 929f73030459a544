package io.scoring.bench.load;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When the overload scenario says latency was back to normal after a surge. */
class OverloadRecoveryTest
{
    private static final double NORMAL = 4.0; // 2x a 0.5x p99 of 2 ms
    private static final int SURGE_ENDS = 10;

    @Test
    void recoveryIsTheFirstNormalBucketAfterTheBacklogDrained()
    {
        final double[] p99s = timeline(60, 20);
        assertEquals(20, Overload.recoveredAt(p99s, SURGE_ENDS, NORMAL));
    }

    @Test
    void anIsolatedSlowBucketLaterOnDoesNotPushTheRecoveryBack()
    {
        // a machine's hiccup: one 100 ms bucket at 25 ms, three seconds after latency came back
        final double[] p99s = timeline(60, 12);
        p99s[45] = 25.0;
        assertEquals(12, Overload.recoveredAt(p99s, SURGE_ENDS, NORMAL));
    }

    @Test
    void threeSlowBucketsInARowLaterOnAreNotAHiccup()
    {
        // 300 ms of slow answers, two seconds after latency came back: a relapse, so recovery is after it
        final double[] p99s = timeline(60, 12);
        Arrays.fill(p99s, 32, 35, 25.0);
        assertEquals(35, Overload.recoveredAt(p99s, SURGE_ENDS, NORMAL));
    }

    @Test
    void aBacklogThatNeverDrainsIsNeverRecovered()
    {
        assertEquals(-1, Overload.recoveredAt(timeline(60, 60), SURGE_ENDS, NORMAL));
    }

    @Test
    void aBucketWithNoAnswerIsNotNormal()
    {
        final double[] p99s = timeline(60, 12);
        Arrays.fill(p99s, 40, 43, Double.POSITIVE_INFINITY); // a stall: nothing answered for 300 ms
        assertEquals(43, Overload.recoveredAt(p99s, SURGE_ENDS, NORMAL));
    }

    /** Bucket p99s: 150 ms until {@code drainedAt}, then 2 ms. */
    private static double[] timeline(final int buckets, final int drainedAt)
    {
        final double[] p99s = new double[buckets];
        Arrays.fill(p99s, 0, Math.min(drainedAt, buckets), 150.0);
        Arrays.fill(p99s, Math.min(drainedAt, buckets), buckets, 2.0);
        return p99s;
    }
}
