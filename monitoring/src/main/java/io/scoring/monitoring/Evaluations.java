package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import io.scoring.monitoring.comparison.ChallengerComparison;
import io.scoring.monitoring.drift.FeatureDrift;
import io.scoring.monitoring.drift.VersionDrift;
import io.scoring.monitoring.feedback.VersionAccuracy;
import io.scoring.monitoring.history.SharedHistory;
import io.scoring.monitoring.metrics.ScoringMetrics;
import io.scoring.monitoring.segments.ModelSegmentReport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every {@link Monitoring.Context#evaluationIntervalMillis()}, on the monitoring thread: publishes each
 * version's segment gaps as gauges ({@code scoring_segment_*} {model, version, segment}) and, when the
 * history is on, appends each version's figures to it as one line of named metrics (and sends them to the
 * {@link SharedHistory} when there is one):
 *
 * <ul>
 * <li>{@code accuracy.labels|auc|log_loss|cost_per_decision};</li>
 * <li>{@code drift.<feature>.statistic|p_value|psi}, {@code drift.alarm};
 * {@code domain.auc|auc_standard_error|p_value|alarm};</li>
 * <li>{@code comparison.agreement|delta_mean|delta_p95|ks_statistic} (on the challenger's line);</li>
 * <li>{@code segment.<segment>.disparate_impact|disparate_impact_p_value|equal_opportunity_difference|
 * equal_opportunity_p_value|alarm} and {@code segment.<segment>.<group>.requests|positive_rate|auc|error_rate|
 * cost_per_decision|true_positive_rate}.</li>
 * </ul>
 *
 * <p>Threading: the monitoring thread; it reads the other monitors' published reports. Cost: a report of each
 * kind per model per interval, and one line per version.
 */
final class Evaluations implements SampleSink
{
    private static final System.Logger LOG = System.getLogger(Evaluations.class.getName());

    private final Monitoring.Context config;
    private final ScoringMetrics metrics;
    private final GroundTruth groundTruth;
    private final DriftMonitor drift;
    private final ComparisonMonitor comparison;
    private final EvaluationHistory history;
    private final SharedHistory shared;
    private final Counter sharedErrors;
    /** Set by the store's thread on a failure, cleared on a success: one log line per outage, not one per append. */
    private final AtomicBoolean sharedFailing = new AtomicBoolean();
    private long lastMillis;

    /**
     * @param history null: no files.
     * @param shared  null: no shared history; its failures are counted in {@code sharedErrors}, never thrown.
     */
    Evaluations(
        final Monitoring.Context config,
        final ScoringMetrics metrics,
        final GroundTruth groundTruth,
        final DriftMonitor drift,
        final ComparisonMonitor comparison,
        final EvaluationHistory history,
        final SharedHistory shared,
        final Counter sharedErrors)
    {
        this.config = config;
        this.metrics = metrics;
        this.groundTruth = groundTruth;
        this.drift = drift;
        this.comparison = comparison;
        this.history = history;
        this.shared = shared;
        this.sharedErrors = sharedErrors;
        this.lastMillis = System.currentTimeMillis();
    }

    @Override
    public void onSample(final Sample sample)
    {
    }

    @Override
    public void onTick(final long epochMillis)
    {
        if (epochMillis - lastMillis < config.evaluationIntervalMillis())
        {
            return;
        }
        lastMillis = epochMillis;
        for (final String model : groundTruth.models())
        {
            evaluate(model, epochMillis);
        }
        if (null != history)
        {
            history.flush(epochMillis);
        }
    }

    @Override
    public void onClose()
    {
        if (null != history)
        {
            history.close();
        }
    }

    private void evaluate(final String model, final long now)
    {
        final Map<String, Map<String, Double>> byVersion = new TreeMap<>();
        for (final VersionAccuracy accuracy : groundTruth.report(model).versions())
        {
            final Map<String, Double> figures = figures(byVersion, accuracy.version());
            figures.put("accuracy.labels", (double)accuracy.labels());
            figures.put("accuracy.auc", accuracy.auc());
            figures.put("accuracy.log_loss", accuracy.logLoss());
            figures.put("accuracy.cost_per_decision", accuracy.costPerDecision());
        }
        for (final VersionDrift version : drift.report(model).versions())
        {
            final Map<String, Double> figures = figures(byVersion, version.version());
            for (final FeatureDrift feature : version.features())
            {
                figures.put("drift." + feature.feature() + ".statistic", feature.statistic());
                figures.put("drift." + feature.feature() + ".p_value", feature.pValue());
                figures.put("drift." + feature.feature() + ".psi", feature.psi());
            }
            figures.put("drift.alarm", version.alarm() ? 1.0 : 0.0);
            if (null != version.domain())
            {
                figures.put("domain.auc", version.domain().auc());
                figures.put("domain.auc_standard_error", version.domain().aucStandardError());
                figures.put("domain.p_value", version.domain().pValue());
                figures.put("domain.alarm", version.domain().alarm() ? 1.0 : 0.0);
            }
        }
        for (final ChallengerComparison challenger : comparison.report(model).challengers())
        {
            final Map<String, Double> figures = figures(byVersion, challenger.version());
            figures.put("comparison.agreement", challenger.agreement());
            figures.put("comparison.delta_mean", challenger.deltaMean());
            figures.put("comparison.delta_p95", challenger.deltaP95());
            figures.put("comparison.ks_statistic", challenger.ksStatistic());
        }
        for (final ModelSegmentReport.VersionSegments version : groundTruth.segments(model, now).versions())
        {
            segments(model, version, figures(byVersion, version.version()));
        }
        if (null != history)
        {
            byVersion.forEach((version, figures) -> history.append(now, model, version, figures));
        }
        if (null != shared)
        {
            byVersion.forEach((version, figures) -> appendShared(now, model, version, figures));
        }
    }

    /** Sent without waiting: a store that is down costs the monitoring thread nothing, the files still get it. */
    private void appendShared(final long now, final String model, final String version, final Map<String, Double> figures)
    {
        final CompletionStage<?> sent;
        try
        {
            sent = shared.append(now, model, version, figures);
        }
        catch (final RuntimeException ex)
        {
            sharedFailed(ex);
            return;
        }
        sent.whenComplete((ignored, failure) ->
        {
            if (null != failure)
            {
                sharedFailed(failure);
            }
            else if (sharedFailing.compareAndSet(true, false))
            {
                LOG.log(System.Logger.Level.INFO, "the shared evaluation history takes evaluations again");
            }
        });
    }

    private void sharedFailed(final Throwable failure)
    {
        sharedErrors.increment();
        if (sharedFailing.compareAndSet(false, true))
        {
            LOG.log(System.Logger.Level.WARNING, "the shared evaluation history failed (counted in " +
                "scoring_history_shared_errors_total; this replica's files keep every evaluation): " + failure.getMessage());
        }
    }

    private void segments(
        final String model, final ModelSegmentReport.VersionSegments version, final Map<String, Double> figures)
    {
        for (final ModelSegmentReport.SegmentFigures segment : version.segments())
        {
            final ModelSegmentReport.Gap gap = segment.gap();
            final String prefix = "segment." + segment.segment() + ".";
            figures.put(prefix + "disparate_impact", gap.disparateImpact());
            figures.put(prefix + "disparate_impact_p_value", gap.disparateImpactPValue());
            figures.put(prefix + "equal_opportunity_difference", gap.equalOpportunityDifference());
            figures.put(prefix + "equal_opportunity_p_value", gap.equalOpportunityPValue());
            figures.put(prefix + "alarm", gap.alarm() ? 1.0 : 0.0);
            for (final ModelSegmentReport.GroupFigures group : segment.groups())
            {
                final String at = prefix + group.group() + ".";
                figures.put(at + "requests", (double)group.requests());
                figures.put(at + "positive_rate", group.positiveRate());
                figures.put(at + "auc", group.auc());
                figures.put(at + "error_rate", group.errorRate());
                figures.put(at + "cost_per_decision", group.costPerDecision());
                figures.put(at + "true_positive_rate", group.truePositiveRate());
            }
            gauge("scoring.segment.disparate.impact",
                "Lowest positive-decision rate of a segment's groups over the highest (1: no gap)", model, version, segment)
                .accept(gap.disparateImpact());
            gauge("scoring.segment.equal.opportunity.difference",
                "Highest true-positive rate of a segment's groups minus the lowest (0: no gap)", model, version, segment)
                .accept(gap.equalOpportunityDifference());
            gauge("scoring.segment.gap.p.value",
                "Chi-squared p-value of the positive-decision gap between a segment's groups", model, version, segment)
                .accept(gap.disparateImpactPValue());
            gauge("scoring.segment.gap.alarm",
                "1 when a segment's disparate impact or equal-opportunity gap is beyond its bound and significant",
                model, version, segment).accept(gap.alarm() ? 1.0 : 0.0);
        }
    }

    private java.util.function.DoubleConsumer gauge(
        final String name,
        final String description,
        final String model,
        final ModelSegmentReport.VersionSegments version,
        final ModelSegmentReport.SegmentFigures segment)
    {
        return metrics.gauge(name, description, "model", model, "version", version.version(), "segment", segment.segment());
    }

    private static Map<String, Double> figures(final Map<String, Map<String, Double>> byVersion, final String version)
    {
        return byVersion.computeIfAbsent(version, (v) -> new LinkedHashMap<>());
    }
}
