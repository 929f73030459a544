package io.scoring.gateway.rollout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scoring.monitoring.KolmogorovSmirnov;
import io.scoring.monitoring.PopulationStability;
import io.scoring.monitoring.comparison.ChallengerComparison;
import io.scoring.monitoring.feedback.VersionAccuracy;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Judges one step of a rollout: the canary against the champion on the step's requests of their own
 * sticky cohorts. Six checks, each with its threshold ({@link Threshold}), its statistic, its p-value
 * where it is a test, and both sample sizes:
 *
 * <ul>
 *   <li>{@code error_rate}: the canary's failure rate minus the champion's; fails when it exceeds the
 *       tolerance and the one-sided pooled two-proportion z-test is significant.</li>
 *   <li>{@code latency}: Mann-Whitney U, one-sided, of the canary's latencies against the champion's
 *       stretched by the tolerance (as Kayenta does); the statistic is P(canary > stretched champion).</li>
 *   <li>{@code score_ks}: two-sample KS of the scores; fails when significant and D above its threshold.</li>
 *   <li>{@code score_psi}: PSI of the canary's scores over the champion's deciles; fails when above its
 *       threshold and significant (PSI / (1/n + 1/m) is asymptotically chi-squared with bins - 1 degrees
 *       of freedom under no shift).</li>
 *   <li>{@code shadow}: agreement and mean |Δscore| where a shadow scored both (monitoring's comparison);
 *       optional.</li>
 *   <li>{@code accuracy}: cost per decision where labels arrived (monitoring's ground truth); optional.</li>
 * </ul>
 *
 * Both score checks count each entity once ({@link RequestWindow.Slice#scoresPerEntity}): the router
 * assigns entities to the canary, so an entity's repeated requests are not independent draws.
 *
 * <p>A required check without enough data is INCONCLUSIVE and holds the step; an optional one holds
 * nothing. Any FAIL fails the step.
 *
 * <p>Threading: stateless; runs on the rollout thread, never on the request path. Allocates freely.
 */
final class Judge
{
    static final String ERROR_RATE = "error_rate";
    static final String LATENCY = "latency";
    static final String SCORE_KS = "score_ks";
    static final String SCORE_PSI = "score_psi";
    static final String SHADOW = "shadow";
    static final String ACCURACY = "accuracy";

    /** Deciles: ten bins keep PSI's noise near 0.05 at 200 canary scores. */
    private static final int PSI_BINS = 10;
    private static final NormalDistribution NORMAL = new NormalDistribution();

    private Judge()
    {
    }

    /** What one step decides. */
    enum Decision
    {
        /** Every required check passed and none failed. */
        PASS,
        /** A check failed. */
        FAIL,
        /** A required check wants more data. */
        WAIT
    }

    static Decision decide(final List<Check> checks)
    {
        boolean waiting = false;
        for (final Check check : checks)
        {
            if (check.verdict() == Check.Verdict.FAIL)
            {
                return Decision.FAIL;
            }
            waiting |= check.blocks();
        }
        return waiting ? Decision.WAIT : Decision.PASS;
    }

    /**
     * @param shadow          the comparison of the candidate (as shadow) with this champion, or null
     * @param canaryLabels    the candidate's online accuracy, or null
     * @param championLabels  the champion's, or null
     */
    static List<Check> judge(
        final RequestWindow.Slice canary,
        final RequestWindow.Slice champion,
        final Thresholds t,
        final ChallengerComparison shadow,
        final VersionAccuracy canaryLabels,
        final VersionAccuracy championLabels)
    {
        final List<Check> checks = new ArrayList<>();
        checks.add(errorRate(canary, champion, t));
        checks.add(latency(canary.latencies(), champion.latencies(), t));
        final double[] canaryScores = canary.scoresPerEntity();
        final double[] championScores = champion.scoresPerEntity();
        checks.add(scoreKs(canaryScores, championScores, t));
        checks.add(scorePsi(canaryScores, championScores, t));
        checks.add(shadow(shadow, t));
        checks.add(accuracy(canaryLabels, championLabels, t));
        return checks;
    }

    static Check errorRate(final RequestWindow.Slice canary, final RequestWindow.Slice champion, final Thresholds t)
    {
        final double tolerance = t.get(Threshold.ERROR_RATE_TOLERANCE);
        if (canary.requests() == 0 || champion.requests() == 0)
        {
            return Check.inconclusive(ERROR_RATE, true, tolerance, canary.requests(), champion.requests(), "no requests yet");
        }
        final double rc = canary.failureRate();
        final double rh = champion.failureRate();
        final double excess = rc - rh;
        // the pooled two-proportion z-test (score test): sound where one side has no failures at all
        final double pooled = (canary.failures() + champion.failures()) / (double)(canary.requests() + champion.requests());
        final double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / canary.requests() + 1.0 / champion.requests()));
        final double p = se == 0.0 ? 1.0 : 1.0 - NORMAL.cumulativeProbability(excess / se);
        final boolean fail = p < t.get(Threshold.ALPHA) && excess > tolerance;
        final ObjectNode figures = Check.JSON.createObjectNode()
            .put("canary_failures", canary.failures()).put("champion_failures", champion.failures())
            .put("canary_rate", rc).put("champion_rate", rh);
        return new Check(ERROR_RATE, fail ? Check.Verdict.FAIL : Check.Verdict.PASS, true, excess, tolerance, p,
            canary.requests(), champion.requests(),
            String.format("canary fails %.2f%%, champion %.2f%% (tolerance +%.2f points)", 100 * rc, 100 * rh, 100 * tolerance),
            figures);
    }

    static Check latency(final double[] canary, final double[] champion, final Thresholds t)
    {
        final double tolerance = t.get(Threshold.LATENCY_TOLERANCE);
        final Check tooFew = tooFew(LATENCY, tolerance, canary, champion, t, "successful requests");
        if (null != tooFew)
        {
            return tooFew;
        }
        final double[] stretched = new double[champion.length];
        for (int i = 0; i < champion.length; i++)
        {
            stretched[i] = champion[i] * (1.0 + tolerance);
        }
        final double twoSided = new MannWhitneyUTest().mannWhitneyUTest(canary, stretched);
        final double uCanary = canaryU(canary, stretched);
        final double pairs = (double)canary.length * stretched.length;
        final double p = uCanary > pairs / 2 ? twoSided / 2 : 1.0 - twoSided / 2;
        final boolean fail = p < t.get(Threshold.ALPHA);
        final double canaryMedian = median(canary) / 1_000.0;
        final double championMedian = median(champion) / 1_000.0;
        final ObjectNode figures = Check.JSON.createObjectNode()
            .put("canary_median_us", canaryMedian).put("champion_median_us", championMedian)
            .put("u", uCanary);
        return new Check(LATENCY, fail ? Check.Verdict.FAIL : Check.Verdict.PASS, true, uCanary / pairs, tolerance, p,
            canary.length, champion.length,
            String.format("median %.1f µs against %.1f µs; P(canary slower than champion x%.2f) = %.3f",
                canaryMedian, championMedian, 1 + tolerance, uCanary / pairs),
            figures);
    }

    /** INCONCLUSIVE when either side has fewer than {@link Threshold#MIN_SAMPLES} values, else null. */
    private static Check tooFew(
        final String name, final double threshold, final double[] canary, final double[] champion, final Thresholds t,
        final String what)
    {
        final int min = (int)t.get(Threshold.MIN_SAMPLES);
        return canary.length < min || champion.length < min
            ? Check.inconclusive(name, true, threshold, canary.length, champion.length, "needs " + min + " " + what + " each side")
            : null;
    }

    /** U of the first sample: its rank sum (ties averaged) less its minimum. */
    private static double canaryU(final double[] canary, final double[] other)
    {
        final double[] both = Arrays.copyOf(canary, canary.length + other.length);
        System.arraycopy(other, 0, both, canary.length, other.length);
        final double[] ranks = new NaturalRanking(NaNStrategy.FIXED, TiesStrategy.AVERAGE).rank(both);
        double rankSum = 0;
        for (int i = 0; i < canary.length; i++)
        {
            rankSum += ranks[i];
        }
        return rankSum - canary.length * (canary.length + 1.0) / 2.0;
    }

    static Check scoreKs(final double[] canary, final double[] champion, final Thresholds t)
    {
        final double maxD = t.get(Threshold.KS_MAX_D);
        final Check tooFew = tooFew(SCORE_KS, maxD, canary, champion, t, "entities' scores");
        if (null != tooFew)
        {
            return tooFew;
        }
        final double[] a = sorted(canary);
        final double[] b = sorted(champion);
        final double d = KolmogorovSmirnov.statistic(a, a.length, b, b.length);
        final double p = KolmogorovSmirnov.pValue(d, a.length, b.length);
        final boolean fail = p < t.get(Threshold.ALPHA) && d > maxD;
        final ObjectNode figures = Check.JSON.createObjectNode()
            .put("canary_median", median(canary)).put("champion_median", median(champion));
        return new Check(SCORE_KS, fail ? Check.Verdict.FAIL : Check.Verdict.PASS, true, d, maxD, p,
            canary.length, champion.length, String.format("D = %.3f, p = %.2g", d, p), figures);
    }

    static Check scorePsi(final double[] canary, final double[] champion, final Thresholds t)
    {
        final double max = t.get(Threshold.PSI_MAX);
        final Check tooFew = tooFew(SCORE_PSI, max, canary, champion, t, "entities' scores");
        if (null != tooFew)
        {
            return tooFew;
        }
        final double[] reference = sorted(champion);
        final double[] edges = decileEdges(reference);
        final int bins = edges.length + 1;
        final long[] championCounts = counts(reference, edges, bins);
        final long[] canaryCounts = counts(canary, edges, bins);
        final double[] shares = new double[bins];
        for (int i = 0; i < bins; i++)
        {
            shares[i] = championCounts[i] / (double)reference.length;
        }
        final double psi = PopulationStability.index(shares, canaryCounts, bins);
        final double p = bins < 2 ? 1.0 : 1.0 - new ChiSquaredDistribution(bins - 1)
            .cumulativeProbability(psi / (1.0 / canary.length + 1.0 / champion.length));
        final boolean fail = psi > max && p < t.get(Threshold.ALPHA);
        final ObjectNode figures = Check.JSON.createObjectNode();
        figures.put("bins", bins);
        return new Check(SCORE_PSI, fail ? Check.Verdict.FAIL : Check.Verdict.PASS, true, psi, max, p,
            canary.length, champion.length, String.format("PSI = %.3f over the champion's deciles, p = %.2g", psi, p), figures);
    }

    static Check shadow(final ChallengerComparison shadow, final Thresholds t)
    {
        final double minAgreement = t.get(Threshold.SHADOW_MIN_AGREEMENT);
        final int min = (int)t.get(Threshold.MIN_SAMPLES);
        if (null == shadow || shadow.pairs() < min)
        {
            return Check.inconclusive(SHADOW, false, minAgreement, null == shadow ? 0 : shadow.pairs(),
                null == shadow ? 0 : shadow.pairs(), "no shadow pairs of the candidate and this champion");
        }
        final double maxDelta = t.get(Threshold.SHADOW_MAX_MEAN_DELTA);
        final boolean fail = shadow.agreement() < minAgreement || shadow.deltaMean() > maxDelta;
        final ObjectNode figures = Check.JSON.createObjectNode()
            .put("delta_mean", shadow.deltaMean()).put("delta_p95", shadow.deltaP95())
            .put("max_delta_mean", maxDelta).put("decision_threshold", shadow.threshold());
        return new Check(SHADOW, fail ? Check.Verdict.FAIL : Check.Verdict.PASS, false, shadow.agreement(), minAgreement,
            Double.NaN, shadow.pairs(), shadow.pairs(),
            String.format("agreement %.3f, mean |Δscore| %.3f over %d pairs", shadow.agreement(), shadow.deltaMean(),
                shadow.pairs()), figures);
    }

    static Check accuracy(final VersionAccuracy canary, final VersionAccuracy champion, final Thresholds t)
    {
        final double tolerance = t.get(Threshold.COST_TOLERANCE);
        final long min = (long)t.get(Threshold.MIN_LABELS);
        final long canaryN = null == canary ? 0 : canary.labels();
        final long championN = null == champion ? 0 : champion.labels();
        if (canaryN < min || championN < min)
        {
            return Check.inconclusive(ACCURACY, false, tolerance, canaryN, championN, "needs " + min + " labels each");
        }
        final double ratio = champion.costPerDecision() == 0.0
            ? (canary.costPerDecision() == 0.0 ? 1.0 : Double.POSITIVE_INFINITY)
            : canary.costPerDecision() / champion.costPerDecision();
        final ObjectNode figures = Check.JSON.createObjectNode()
            .put("canary_cost", canary.costPerDecision()).put("champion_cost", champion.costPerDecision());
        Check.number(figures, "canary_auc", canary.auc());
        Check.number(figures, "champion_auc", champion.auc());
        return new Check(ACCURACY, ratio > 1.0 + tolerance ? Check.Verdict.FAIL : Check.Verdict.PASS, false, ratio,
            1.0 + tolerance, Double.NaN, canaryN, championN,
            String.format("cost per decision %.3f against %.3f", canary.costPerDecision(), champion.costPerDecision()),
            figures);
    }

    private static double[] sorted(final double[] values)
    {
        final double[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    static double median(final double[] values)
    {
        if (values.length == 0)
        {
            return Double.NaN;
        }
        final double[] s = sorted(values);
        return s[(s.length - 1) / 2];
    }

    /** The distinct inner decile edges of an ascending sample: a bin is [edge_i-1, edge_i). */
    private static double[] decileEdges(final double[] ascending)
    {
        final double[] edges = new double[PSI_BINS - 1];
        int n = 0;
        for (int i = 1; i < PSI_BINS; i++)
        {
            final double edge = ascending[(int)((long)i * ascending.length / PSI_BINS)];
            if (n == 0 || edge > edges[n - 1])
            {
                edges[n++] = edge;
            }
        }
        return Arrays.copyOf(edges, n);
    }

    private static long[] counts(final double[] values, final double[] edges, final int bins)
    {
        final long[] counts = new long[bins];
        for (final double value : values)
        {
            int bin = Arrays.binarySearch(edges, value);
            bin = bin >= 0 ? bin + 1 : -bin - 1;
            counts[bin]++;
        }
        return counts;
    }
}
