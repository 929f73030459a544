package io.scoring.monitoring;

import io.scoring.monitoring.feedback.SampleRatioMismatch;
import io.scoring.monitoring.metrics.TrafficShare;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's configured canary share and the requests its champion and canary handles counted since it
 * was set, for the sample-ratio-mismatch check. Threading: synchronized; weight changes and checks
 * come from admin threads, the counts are read from the handles' counters.
 */
final class TrafficSplit
{
    private static final String CHAMPION = "champion";
    private static final String CANARY = "canary";

    private final Map<VersionMeters, Long> baseline = new IdentityHashMap<>();
    private double expectedCanaryShare;

    synchronized void add(final VersionMeters handle)
    {
        baseline.put(handle, requests(handle));
    }

    synchronized void remove(final VersionMeters handle)
    {
        baseline.remove(handle);
    }

    /** New weights: counting starts again from here. */
    synchronized void restart(final List<TrafficShare> shares)
    {
        double canary = 0.0;
        double champion = 0.0;
        for (final TrafficShare share : shares)
        {
            canary += CANARY.equals(share.role()) ? share.percent() : 0.0;
            champion += CHAMPION.equals(share.role()) ? share.percent() : 0.0;
        }
        expectedCanaryShare = canary + champion > 0.0 ? canary / (canary + champion) : 0.0;
        baseline.replaceAll((handle, count) -> requests(handle));
    }

    synchronized SampleRatioMismatch check()
    {
        long canary = 0;
        long champion = 0;
        for (final Map.Entry<VersionMeters, Long> entry : baseline.entrySet())
        {
            final VersionMeters handle = entry.getKey();
            final long since = requests(handle) - entry.getValue();
            canary += CANARY.equals(handle.role()) ? since : 0;
            champion += CHAMPION.equals(handle.role()) ? since : 0;
        }
        return check(expectedCanaryShare, canary, champion);
    }

    /** Pearson's chi-squared of the two counts against the expected split, one degree of freedom. */
    static SampleRatioMismatch check(final double expectedCanaryShare, final long canary, final long champion)
    {
        if (!(expectedCanaryShare >= 0.0 && expectedCanaryShare <= 1.0) || canary < 0 || champion < 0)
        {
            throw new IllegalArgumentException("share must be within 0..1 and counts non-negative: " +
                expectedCanaryShare + ", " + canary + ", " + champion);
        }
        final long total = canary + champion;
        final double observed = total == 0 ? Double.NaN : canary / (double)total;
        if (total == 0)
        {
            return new SampleRatioMismatch(expectedCanaryShare, canary, champion, observed, 0.0, 1.0, false);
        }
        if (expectedCanaryShare == 0.0 || expectedCanaryShare == 1.0)
        {
            final boolean impossible = expectedCanaryShare == 0.0 ? canary > 0 : champion > 0;
            return new SampleRatioMismatch(expectedCanaryShare, canary, champion, observed,
                impossible ? Double.POSITIVE_INFINITY : 0.0, impossible ? 0.0 : 1.0, impossible);
        }
        final double chi2 = ChiSquared.statistic(
            new double[] {expectedCanaryShare, 1.0 - expectedCanaryShare}, new long[] {canary, champion}, 2);
        final double p = ChiSquared.pValue(chi2, 1);
        return new SampleRatioMismatch(expectedCanaryShare, canary, champion, observed, chi2, p,
            p < SampleRatioMismatch.ALARM_P);
    }

    /** Every request the handle answered, whatever its outcome: the router sent it there. */
    private static long requests(final VersionMeters handle)
    {
        return handle.totalRequests();
    }
}
