package io.scoring.monitoring.drift;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/**
 * A version's drift at its last evaluation.
 *
 * @param windowRows     rows in the window when evaluated.
 * @param evaluated      false while the window holds fewer than the minimum rows (features then empty).
 * @param correctedAlpha alpha / the number of features (Bonferroni).
 * @param domain         the last domain-classifier run; null before the first, or without a joint reference sample.
 */
public record VersionDrift(
    String version,
    long evaluatedAtMillis,
    int windowRows,
    boolean evaluated,
    double correctedAlpha,
    double psiThreshold,
    List<FeatureDrift> features,
    DomainDrift domain)
{
    /** A univariate test or the domain classifier alarmed. */
    public boolean alarm()
    {
        return features.stream().anyMatch(FeatureDrift::alarm) || (null != domain && domain.alarm());
    }

    public VersionDrift withDomain(final DomainDrift domain)
    {
        return new VersionDrift(version, evaluatedAtMillis, windowRows, evaluated, correctedAlpha, psiThreshold,
            features, domain);
    }

    void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("version", version);
        json.writeNumberField("evaluated_at_millis", evaluatedAtMillis);
        json.writeNumberField("window_rows", windowRows);
        json.writeBooleanField("evaluated", evaluated);
        json.writeNumberField("corrected_alpha", correctedAlpha);
        json.writeNumberField("psi_threshold", psiThreshold);
        json.writeBooleanField("alarm", alarm());
        json.writeArrayFieldStart("features");
        for (final FeatureDrift feature : features)
        {
            feature.writeJson(json);
        }
        json.writeEndArray();
        if (null != domain)
        {
            domain.writeJson(json);
        }
        json.writeEndObject();
    }
}
