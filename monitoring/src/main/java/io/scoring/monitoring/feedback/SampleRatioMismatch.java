package io.scoring.monitoring.feedback;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/**
 * The sample-ratio-mismatch check of a canary split: were the requests the canary actually got
 * plausibly drawn at the share it was configured for? Pearson's chi-squared on the two counts against
 * the expected split, one degree of freedom (computed by the model's traffic split in the monitoring
 * package); a mismatch is flagged below p = {@link #ALARM_P}, the customary strict threshold (an SRM
 * means the experiment's numbers cannot be trusted, so false alarms are costly). Immutable.
 *
 * @param expectedCanaryShare configured canary share, 0..1.
 * @param observedCanaryShare canary / (canary + champion).
 */
public record SampleRatioMismatch(
    double expectedCanaryShare, long canaryRequests, long championRequests, double observedCanaryShare,
    double chiSquared, double pValue, boolean mismatch)
{
    public static final double ALARM_P = 0.001;

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
