package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scoring.monitoring.feedback.FeedbackResult;
import io.scoring.monitoring.feedback.SampleRatioMismatch;
import io.scoring.monitoring.feedback.VersionAccuracy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroundTruthTest
{
    private static final VersionSpec V1 = new VersionSpec("credit-risk", "v1", List.of(MonitoredFeature.numeric("x")), 0.5, null);

    private final Counter evicted = new SimpleMeterRegistry().counter("evicted");
    private final GroundTruth truth = new GroundTruth(new Monitoring.Context()
        .feedbackJournalSize(1 << 10).feedbackTtlMillis(60_000).feedbackWindowLabels(100).conclude(), evicted);
    private final VersionOutcomes v1 = truth.outcomes(V1);

    @Test
    void shouldComputeAucLogLossAndCostOfAHandMadeSet()
    {
        // score, label (1 = bad): decided bad when score >= 0.5
        final double[][] set = {{0.9, 1}, {0.8, 0}, {0.6, 1}, {0.4, 1}, {0.3, 0}, {0.2, 0}};
        for (int i = 0; i < set.length; i++)
        {
            truth.journal().remember(v1, "r" + i, (float)set[i][0], SegmentIndex.NONE, 1_000L);
        }
        for (int i = 0; i < set.length; i++)
        {
            assertEquals(FeedbackResult.JOINED, truth.feedback("r" + i, (int)set[i][1], 2_000L));
        }

        final VersionAccuracy accuracy = truth.report("credit-risk").versions().get(0);

        // positives 0.9, 0.6, 0.4 vs negatives 0.8, 0.3, 0.2: 0.9 beats 3, 0.6 beats 2, 0.4 beats 2 -> 7 / 9
        assertEquals(7.0 / 9.0, accuracy.auc(), 1e-12);
        double logLoss = 0.0;
        for (final double[] row : set)
        {
            final double p = (float)row[0];
            logLoss -= row[1] == 1 ? Math.log(p) : Math.log(1 - p);
        }
        assertEquals(logLoss / 6, accuracy.logLoss(), 1e-12);
        // one bad decided good (0.4): 5; one good decided bad (0.8): 1 -> 6 over 6 decisions
        assertEquals(1.0, accuracy.costPerDecision(), 1e-12);
        assertEquals(6, accuracy.labels());
        assertEquals(3, accuracy.positives());
    }

    @Test
    void shouldAnswerUnknownForARequestIdNeverSeenAndForASecondLabel()
    {
        truth.journal().remember(v1, "once", 0.7f, SegmentIndex.NONE, 1_000L);

        assertEquals(FeedbackResult.UNKNOWN_REQUEST, truth.feedback("never", 1, 1_000L));
        assertEquals(FeedbackResult.JOINED, truth.feedback("once", 1, 1_000L));
        assertEquals(FeedbackResult.UNKNOWN_REQUEST, truth.feedback("once", 1, 1_000L));
    }

    @Test
    void shouldJoinALabelToAPredictionWhoseIdWasAReusedBufferOverwrittenSince()
    {
        final StringBuilder decoderBuffer = new StringBuilder();
        for (int i = 0; i < 100; i++)
        {
            decoderBuffer.setLength(0);
            decoderBuffer.append("req-").append(i);
            truth.journal().remember(v1, decoderBuffer, i / 100f, SegmentIndex.NONE, 1_000L);
        }
        decoderBuffer.setLength(0);
        decoderBuffer.append("overwritten by the next request");

        assertEquals(FeedbackResult.JOINED, truth.feedback("req-42", 1, 1_000L));
        assertEquals(FeedbackResult.JOINED, truth.feedback("req-7", 0, 1_000L));
        assertEquals(FeedbackResult.UNKNOWN_REQUEST, truth.feedback("req-100", 1, 1_000L));
        assertEquals(FeedbackResult.UNKNOWN_REQUEST, truth.feedback("req-", 1, 1_000L));
    }

    @Test
    void shouldTellApartIdsThatDifferOnlyInOrderOrLength()
    {
        truth.journal().remember(v1, "ab", 0.1f, SegmentIndex.NONE, 1_000L);
        truth.journal().remember(v1, "a\u0000", 0.2f, SegmentIndex.NONE, 1_000L);

        assertEquals(FeedbackResult.UNKNOWN_REQUEST, truth.feedback("ba", 1, 1_000L));
        assertEquals(FeedbackResult.UNKNOWN_REQUEST, truth.feedback("a", 1, 1_000L));
        assertEquals(FeedbackResult.JOINED, truth.feedback("ab", 1, 1_000L));
        assertEquals(FeedbackResult.JOINED, truth.feedback("a\u0000", 1, 1_000L));
    }

    @Test
    void shouldAnswerExpiredForALabelArrivingAfterTheTtl()
    {
        truth.journal().remember(v1, "late", 0.7f, SegmentIndex.NONE, 1_000L);

        assertEquals(FeedbackResult.EXPIRED, truth.feedback("late", 1, 1_000L + 60_001L));
        assertEquals(0, truth.report("credit-risk").versions().get(0).labels());
    }

    @Test
    void shouldRejectALabelOtherThanZeroOrOne()
    {
        truth.journal().remember(v1, "r", 0.7f, SegmentIndex.NONE, 1_000L);

        assertEquals(FeedbackResult.INVALID_LABEL, truth.feedback("r", 2, 1_000L));
        assertEquals(FeedbackResult.JOINED, truth.feedback("r", 0, 1_000L));
    }

    @Test
    void shouldEvictAndCountTheOldestWhenTheJournalIsFull()
    {
        for (int i = 0; i < 5_000; i++)
        {
            truth.journal().remember(v1, "r" + i, 0.5f, SegmentIndex.NONE, 1_000L + i);
        }

        assertTrue(evicted.count() >= 5_000 - 1_024, "evicted " + evicted.count());
        assertEquals(FeedbackResult.JOINED, truth.feedback("r4999", 1, 7_000L));
        assertEquals(FeedbackResult.UNKNOWN_REQUEST, truth.feedback("r0", 1, 7_000L));
    }

    @Test
    void shouldFlagNoMismatchForCountsThatFitTheConfiguredSplit()
    {
        final SampleRatioMismatch balanced = TrafficSplit.check(0.5, 5_030, 4_970);

        // chi2 = (30^2 + 30^2) / 5000 = 0.36, p = 0.5485
        assertEquals(0.36, balanced.chiSquared(), 1e-12);
        assertEquals(0.548506235, balanced.pValue(), 1e-8);
        assertFalse(balanced.mismatch());
        assertFalse(TrafficSplit.check(0.1, 1_010, 8_990).mismatch());
    }

    @Test
    void shouldFlagAMismatchWhenTheCanaryGetsFarMoreThanItsShare()
    {
        final SampleRatioMismatch skewed = TrafficSplit.check(0.1, 1_200, 8_800);

        // expected 1000 / 9000: chi2 = 200^2/1000 + 200^2/9000 = 44.44
        assertEquals(40.0 + 40_000.0 / 9_000.0, skewed.chiSquared(), 1e-9);
        assertTrue(skewed.pValue() < 1e-10);
        assertTrue(skewed.mismatch());
        assertTrue(TrafficSplit.check(0.0, 1, 100).mismatch());
    }
}
