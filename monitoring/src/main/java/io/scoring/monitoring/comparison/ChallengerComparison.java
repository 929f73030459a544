package io.scoring.monitoring.comparison;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/**
 * A challenger (canary or shadow version) against the champion, on the same requests, over the window.
 *
 * @param agreement          share of pairs where both land on the same side of the decision threshold.
 * @param deltaMean          mean |challenger score - champion score|.
 * @param deltaP95           95th percentile (nearest rank) of the same.
 * @param ksStatistic        two-sample KS D between the two score distributions.
 * @param ksPValue           its asymptotic p-value (the pairs are not independent: read it as a guide).
 * @param latencyP50DiffMicros p50 of the challenger's scoring time minus the champion's, microseconds.
 * @param latencyP99DiffMicros the same at p99.
 */
public record ChallengerComparison(
    String version,
    String role,
    String championVersion,
    int pairs,
    double threshold,
    double agreement,
    double deltaMean,
    double deltaP95,
    double ksStatistic,
    double ksPValue,
    double latencyP50DiffMicros,
    double latencyP99DiffMicros)
{
    void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("version", version);
        json.writeStringField("role", role);
        json.writeStringField("champion_version", championVersion);
        json.writeNumberField("pairs", pairs);
        json.writeNumberField("threshold", threshold);
        json.writeNumberField("agreement", agreement);
        json.writeNumberField("delta_mean", deltaMean);
        json.writeNumberField("delta_p95", deltaP95);
        json.writeNumberField("ks_statistic", ksStatistic);
        json.writeNumberField("ks_p_value", ksPValue);
        json.writeNumberField("latency_p50_diff_micros", latencyP50DiffMicros);
        json.writeNumberField("latency_p99_diff_micros", latencyP99DiffMicros);
        json.writeEndObject();
    }
}
