package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import io.scoring.monitoring.feedback.FeedbackResult;
import io.scoring.monitoring.feedback.ModelAccuracyReport;
import io.scoring.monitoring.feedback.VersionAccuracy;
import io.scoring.monitoring.segments.ModelSegmentReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ground truth: the prediction journal and each version's labelled outcomes, behind the gateway's
 * {@code POST /v1/feedback}. Threading: any thread. Bounded: the journal's capacity, one fixed window
 * per loaded version; {@link #remove} forgets an unloaded version.
 */
final class GroundTruth
{
    private final Monitoring.Context config;
    private final PredictionJournal journal;
    private final Map<String, Map<String, VersionOutcomes>> byModel = new ConcurrentHashMap<>();

    GroundTruth(final Monitoring.Context config, final Counter evicted)
    {
        this.config = config;
        this.journal = new PredictionJournal(config, evicted);
    }

    /** The outcomes of a version, created on first use (load time, when the handle is resolved). */
    VersionOutcomes outcomes(final VersionSpec spec)
    {
        return byModel.computeIfAbsent(spec.model(), (model) -> new ConcurrentHashMap<>())
            .computeIfAbsent(spec.version(), (version) -> new VersionOutcomes(spec, config));
    }

    PredictionJournal journal()
    {
        return journal;
    }

    FeedbackResult feedback(final String requestId, final int label, final long nowMillis)
    {
        return journal.join(requestId, label, nowMillis);
    }

    ModelAccuracyReport report(final String model)
    {
        final List<VersionAccuracy> versions = new ArrayList<>();
        final Map<String, VersionOutcomes> outcomes = byModel.get(model);
        if (null != outcomes)
        {
            outcomes.values().forEach((version) -> versions.add(version.accuracy()));
            versions.sort((a, b) -> a.version().compareTo(b.version()));
        }
        return new ModelAccuracyReport(model, versions);
    }

    /** Each version's figures by segment group; versions of a model without segments are left out. */
    ModelSegmentReport segments(final String model, final long nowMillis)
    {
        final List<ModelSegmentReport.VersionSegments> versions = new ArrayList<>();
        final Map<String, VersionOutcomes> outcomes = byModel.get(model);
        if (null != outcomes)
        {
            outcomes.values().forEach((version) ->
            {
                if (version.segments().count() > 0)
                {
                    versions.add(version.segmentFigures(nowMillis));
                }
            });
            versions.sort((a, b) -> a.version().compareTo(b.version()));
        }
        return new ModelSegmentReport(model, versions);
    }

    /** The models with a loaded version. */
    Set<String> models()
    {
        return byModel.keySet();
    }

    void remove(final String model, final String version)
    {
        final Map<String, VersionOutcomes> outcomes = byModel.get(model);
        if (null != outcomes)
        {
            outcomes.remove(version);
        }
    }
}
