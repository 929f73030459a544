package io.scoring.monitoring.drift;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/**
 * One feature's drift verdict.
 *
 * @param method    "ks" (numeric, two-sample Kolmogorov-Smirnov against the reference sample) or
 *                  "chi2" (categorical, Pearson's chi-squared of the window's counts against the
 *                  reference's training counts, two-sample).
 * @param statistic KS D, or Pearson's chi-squared.
 * @param pValue    the test's p-value, uncorrected; compare it with the report's corrected alpha.
 * @param psi       population stability index over the reference's bins or categories.
 * @param rows      window rows that had a valid value for this feature.
 * @param testAlarm pValue below the Bonferroni-corrected alpha.
 * @param psiAlarm  psi above the PSI threshold.
 * @param distribution the reference's and the window's shares per bin or category, for a reader to
 *                     see what moved.
 */
public record FeatureDrift(
    String feature, String method, double statistic, double pValue, double psi, int rows, boolean testAlarm, boolean psiAlarm,
    Distribution distribution)
{
    /**
     * Shares per bin: the training rows' as counted (unsmoothed) and the window's valid values'.
     *
     * @param bins a category name, or a numeric interval such as {@code (12, 24]}.
     */
    public record Distribution(List<String> bins, double[] reference, double[] current)
    {
        void writeJson(final JsonGenerator json) throws IOException
        {
            json.writeStartObject();
            json.writeArrayFieldStart("bins");
            for (final String bin : bins)
            {
                json.writeString(bin);
            }
            json.writeEndArray();
            json.writeFieldName("reference");
            json.writeArray(reference, 0, reference.length);
            json.writeFieldName("current");
            json.writeArray(current, 0, current.length);
            json.writeEndObject();
        }
    }

    public boolean alarm()
    {
        return testAlarm || psiAlarm;
    }

    void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("feature", feature);
        json.writeStringField("method", method);
        json.writeNumberField("statistic", statistic);
        json.writeNumberField("p_value", pValue);
        json.writeNumberField("psi", psi);
        json.writeNumberField("rows", rows);
        json.writeBooleanField("test_alarm", testAlarm);
        json.writeBooleanField("psi_alarm", psiAlarm);
        json.writeBooleanField("alarm", alarm());
        json.writeFieldName("distribution");
        distribution.writeJson(json);
        json.writeEndObject();
    }
}
