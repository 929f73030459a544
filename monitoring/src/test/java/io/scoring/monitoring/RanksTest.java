package io.scoring.monitoring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RanksTest
{
    @Test
    void shouldComputeAucOfAHandMadeSetWithTies()
    {
        // positives at 0.4, 0.7, 0.9; negatives at 0.1, 0.4, 0.5, 0.8.
        // Pairs (pos > neg): 0.4: beats 0.1, ties 0.4 (half) -> 1.5; 0.7: beats 0.1, 0.4, 0.5 -> 3;
        // 0.9: beats all four -> 4. AUC = 8.5 / 12.
        final double[] scores = {0.1, 0.4, 0.4, 0.5, 0.7, 0.8, 0.9};
        final byte[] labels = {0, 0, 1, 0, 1, 0, 1};
        assertEquals(8.5 / 12.0, Ranks.auc(scores, labels, scores.length), 1e-15);
    }

    @Test
    void shouldAnswerNaNAucWhenOnlyOneClassWasSeen()
    {
        assertTrue(Double.isNaN(Ranks.auc(new double[] {0.2, 0.3}, new byte[] {1, 1}, 2)));
    }

    @Test
    void shouldTakeNearestRankQuantiles()
    {
        final double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5.0, Ranks.quantile(sorted, 10, 0.5));
        assertEquals(10.0, Ranks.quantile(sorted, 10, 0.95));
        assertEquals(1.0, Ranks.quantile(sorted, 10, 0.01));
    }
}
