package io.scoring.monitoring;

import java.util.List;
import java.util.Objects;

/**
 * What monitoring knows about a model version, given once when the version loads: its features in
 * model order, the score at or above which its answer is the positive decision, and (optional) the
 * reference profile its drift is measured against. Immutable.
 *
 * @param profile null when the version shipped without {@code reference-profile.json}: no drift.
 */
public record VersionSpec(
    String model,
    String version,
    List<MonitoredFeature> features,
    double decisionThreshold,
    ReferenceProfile profile)
{
    public VersionSpec
    {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        features = List.copyOf(features);
        if (!(decisionThreshold >= 0.0 && decisionThreshold <= 1.0))
        {
            throw new IllegalArgumentException("decision threshold must be in [0, 1]: " + decisionThreshold);
        }
        if (null != profile && !profile.matches(features))
        {
            throw new IllegalArgumentException(model + "/" + version +
                ": the reference profile's features differ from the model's");
        }
    }

    public int featureCount()
    {
        return features.size();
    }
}
