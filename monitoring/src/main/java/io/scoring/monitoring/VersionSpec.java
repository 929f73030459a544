package io.scoring.monitoring;

import java.util.List;
import java.util.Objects;

/**
 * What monitoring knows about a model version, given once when the version loads: its features in
 * model order, the score at or above which its answer is the positive decision, and (optional) the
 * reference profile its drift is measured against, and the segments its figures are split by. Immutable.
 *
 * @param profile  null when the version shipped without {@code reference-profile.json}: no drift.
 * @param segments the model's declared subpopulations (at most {@link Segment#MAX_SEGMENTS}); may be empty.
 */
public record VersionSpec(
    String model,
    String version,
    List<MonitoredFeature> features,
    double decisionThreshold,
    ReferenceProfile profile,
    List<Segment> segments)
{
    public VersionSpec(
        final String model,
        final String version,
        final List<MonitoredFeature> features,
        final double decisionThreshold,
        final ReferenceProfile profile)
    {
        this(model, version, features, decisionThreshold, profile, List.of());
    }

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
        segments = List.copyOf(segments);
        if (segments.size() > Segment.MAX_SEGMENTS)
        {
            throw new IllegalArgumentException(model + ": at most " + Segment.MAX_SEGMENTS + " segments, got " +
                segments.size());
        }
        for (final Segment segment : segments)
        {
            SegmentIndex.check(model, segment, features);
        }
    }

    public int featureCount()
    {
        return features.size();
    }
}
