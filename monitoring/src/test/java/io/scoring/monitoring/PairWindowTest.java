package io.scoring.monitoring;

import io.scoring.monitoring.comparison.ChallengerComparison;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairWindowTest
{
    private static final VersionSpec CHAMPION = new VersionSpec("m", "v1", List.of(MonitoredFeature.numeric("x")), 0.5, null);

    @Test
    void shouldMeasureAgreementDeltasAndLatencyOfAKnownShift()
    {
        final PairWindow window = new PairWindow("v2", "shadow", 100);
        for (int i = 0; i < 100; i++)
        {
            final float champion = i / 128f;                // binary fractions: the sums below are exact
            final float challenger = champion + 12 / 128f;   // +0.09375 everywhere
            window.add(CHAMPION, champion, challenger, 10_000L + i, 12_000L + i); // challenger 2 µs slower
        }

        final ChallengerComparison comparison = window.evaluate();

        // decisions differ where champion < 0.5 <= champion + 12/128: i in [52, 64) -> 12 of 100
        assertEquals(0.88, comparison.agreement(), 1e-12);
        assertEquals(0.09375, comparison.deltaMean(), 1e-12);
        assertEquals(0.09375, comparison.deltaP95(), 1e-12);
        assertEquals(0.12, comparison.ksStatistic(), 1e-12); // CDFs 12 rows apart
        assertEquals(2.0, comparison.latencyP50DiffMicros(), 1e-9);
        assertEquals(2.0, comparison.latencyP99DiffMicros(), 1e-9);
        assertEquals("v1", comparison.championVersion());
        assertEquals(100, comparison.pairs());
    }

    @Test
    void shouldAgreeFullyWithAnIdenticalChallenger()
    {
        final PairWindow window = new PairWindow("v2", "canary", 50);
        for (int i = 0; i < 200; i++) // wraps: only the last 50 count
        {
            window.add(CHAMPION, (i % 10) / 10f, (i % 10) / 10f, 1_000L, 1_000L);
        }

        final ChallengerComparison comparison = window.evaluate();

        assertEquals(50, comparison.pairs());
        assertEquals(1.0, comparison.agreement());
        assertEquals(0.0, comparison.deltaMean());
        assertEquals(0.0, comparison.ksStatistic());
        assertTrue(comparison.ksPValue() > 0.99);
        assertEquals(0.0, comparison.latencyP99DiffMicros());
    }
}
