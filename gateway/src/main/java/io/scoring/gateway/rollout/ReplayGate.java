package io.scoring.gateway.rollout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scoring.router.ModelVersion;
import io.scoring.router.runtime.Scorer;

import java.util.ArrayList;
import java.util.List;

/**
 * Before any live traffic: the candidate and the champion score the model's last sampled production
 * rows ({@link ReplayRows}), one row a call as requests come, in process on the rollout thread. Four
 * checks, each against its {@link Threshold}:
 *
 * <ul>
 *   <li>{@code replay_errors}: the share of rows the candidate failed or scored non-finite;</li>
 *   <li>{@code replay_disagreement}: the share decided differently at the model's decision threshold;</li>
 *   <li>{@code replay_score_delta}: the mean |candidate score - champion score|;</li>
 *   <li>{@code replay_latency_ratio}: the candidate's median scoring time over the champion's (the two
 *       alternate row by row, so both see the same machine); it fails only when the candidate also adds
 *       more than {@link Threshold#REPLAY_MAX_ADDED_LATENCY_US}.</li>
 * </ul>
 *
 * <p>Threading: the rollout thread. Both versions are in the traffic policy while it runs (the
 * candidate as a 0 % canary), so neither can be unloaded under it.
 */
final class ReplayGate
{
    static final String ERRORS = "replay_errors";
    static final String DISAGREEMENT = "replay_disagreement";
    static final String SCORE_DELTA = "replay_score_delta";
    static final String LATENCY_RATIO = "replay_latency_ratio";

    private ReplayGate()
    {
    }

    static List<Check> run(
        final ModelVersion champion,
        final ModelVersion candidate,
        final List<float[]> rows,
        final int outputCount,
        final double decisionThreshold,
        final Thresholds t)
    {
        final float[] championOut = new float[outputCount];
        final float[] candidateOut = new float[outputCount];
        final double[] championNanos = new double[rows.size()];
        final double[] candidateNanos = new double[rows.size()];
        int scored = 0;
        int failed = 0;
        int disagreements = 0;
        double deltaSum = 0;
        for (int i = 0; i < rows.size(); i++)
        {
            final float[] row = rows.get(i);
            final boolean candidateFirst = (i & 1) == 0;
            long start = System.nanoTime();
            final int first = (candidateFirst ? candidate : champion).scorer().score(row, 1, candidateFirst ? candidateOut : championOut);
            final long firstNanos = System.nanoTime() - start;
            start = System.nanoTime();
            final int second = (candidateFirst ? champion : candidate).scorer().score(row, 1, candidateFirst ? championOut : candidateOut);
            final long secondNanos = System.nanoTime() - start;
            final int championResult = candidateFirst ? second : first;
            final int candidateResult = candidateFirst ? first : second;
            if (championResult != Scorer.OK || !Float.isFinite(championOut[0]))
            {
                continue; // not the candidate's fault: the row is not a fair question
            }
            championNanos[scored] = candidateFirst ? secondNanos : firstNanos;
            candidateNanos[scored] = candidateFirst ? firstNanos : secondNanos;
            scored++;
            if (candidateResult != Scorer.OK || !Float.isFinite(candidateOut[0]))
            {
                failed++;
                continue;
            }
            if ((candidateOut[0] >= decisionThreshold) != (championOut[0] >= decisionThreshold))
            {
                disagreements++;
            }
            deltaSum += Math.abs(candidateOut[0] - championOut[0]);
        }

        final List<Check> checks = new ArrayList<>();
        final int answered = scored - failed;
        final double errorRate = scored == 0 ? 0.0 : failed / (double)scored;
        final double maxErrors = t.get(Threshold.REPLAY_MAX_ERROR_RATE);
        checks.add(check(ERRORS, errorRate > maxErrors, errorRate, maxErrors, scored,
            String.format("the candidate failed %d of %d rows", failed, scored),
            Check.JSON.createObjectNode().put("failed", failed)));
        if (answered == 0)
        {
            return checks;
        }
        final double disagreement = disagreements / (double)answered;
        final double maxDisagreement = t.get(Threshold.REPLAY_MAX_DISAGREEMENT);
        checks.add(check(DISAGREEMENT, disagreement > maxDisagreement, disagreement, maxDisagreement, answered,
            String.format("%d of %d rows decided differently at threshold %.3f", disagreements, answered, decisionThreshold),
            Check.JSON.createObjectNode().put("decision_threshold", decisionThreshold)));
        final double meanDelta = deltaSum / answered;
        final double maxDelta = t.get(Threshold.REPLAY_MAX_MEAN_DELTA);
        checks.add(check(SCORE_DELTA, meanDelta > maxDelta, meanDelta, maxDelta, answered,
            String.format("mean |Δscore| %.4f", meanDelta), Check.JSON.createObjectNode()));
        final double candidateMedian = Judge.median(java.util.Arrays.copyOf(candidateNanos, scored));
        final double championMedian = Judge.median(java.util.Arrays.copyOf(championNanos, scored));
        final double ratio = candidateMedian / Math.max(1.0, championMedian);
        final double maxRatio = t.get(Threshold.REPLAY_MAX_LATENCY_RATIO);
        final double addedMicros = (candidateMedian - championMedian) / 1_000;
        final double maxAdded = t.get(Threshold.REPLAY_MAX_ADDED_LATENCY_US);
        checks.add(check(LATENCY_RATIO, ratio > maxRatio && addedMicros > maxAdded, ratio, maxRatio, scored,
            String.format("median scoring %.1f µs against %.1f µs (%+.1f µs; fails above %.1fx and +%.0f µs)",
                candidateMedian / 1_000, championMedian / 1_000, addedMicros, maxRatio, maxAdded),
            Check.JSON.createObjectNode().put("candidate_median_us", candidateMedian / 1_000)
                .put("champion_median_us", championMedian / 1_000).put("added_us", addedMicros)
                .put("max_added_us", maxAdded)));
        return checks;
    }

    private static Check check(
        final String name, final boolean fail, final double statistic, final double threshold, final long n,
        final String detail, final ObjectNode figures)
    {
        return new Check(name, fail ? Check.Verdict.FAIL : Check.Verdict.PASS, true, statistic, threshold, Double.NaN,
            n, n, detail, figures);
    }
}
