package io.scoring.monitoring.feedback;

import com.fasterxml.jackson.core.JsonGenerator;
import io.scoring.monitoring.stats.ChiSquared;

import java.io.IOException;

/**
 * The sample-ratio-mismatch check of a canary split: were the requests the canary actually got
 * plausibly drawn at the share it was configured for? Pearson's chi-squared on the two counts against
 * the expected split, one degree of freedom; a mismatch is flagged below p = {@link #ALARM_P}, the
 * customary strict threshold (an SRM means the experiment's numbers cannot be trusted, so false
 * alarms are costly).
 *
 * @param expectedCanaryShare configured canary share, 0..1.
 * @param observedCanaryShare canary / (canary + champion).
 */
public record SampleRatioMismatch(
    double expectedCanaryShare, long canaryRequests, long championRequests, double observedCanaryShare,
    double chiSquared, double pValue, boolean mismatch)
{
    public static final double ALARM_P = 0.001;

    public static SampleRatioMismatch check(final double expectedCanaryShare, final long canary, final long champion)
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
        return new SampleRatioMismatch(expectedCanaryShare, canary, champion, observed, chi2, p, p < ALARM_P);
    }

    public void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeNumberField("expected_canary_share", expectedCanaryShare);
        json.writeNumberField("observed_canary_share", observedCanaryShare);
        json.writeNumberField("canary_requests", canaryRequests);
        json.writeNumberField("champion_requests", championRequests);
        json.writeNumberField("chi_squared", chiSquared);
        json.writeNumberField("p_value", pValue);
        json.writeBooleanField("mismatch", mismatch);
        json.writeEndObject();
    }
}
