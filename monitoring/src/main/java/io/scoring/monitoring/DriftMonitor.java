package io.scoring.monitoring;

import io.scoring.monitoring.drift.FeatureDrift;
import io.scoring.monitoring.drift.ModelDriftReport;
import io.scoring.monitoring.drift.VersionDrift;
import io.scoring.monitoring.metrics.ScoringMetrics;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleConsumer;

/**
 * Online input drift per model version: every sampled row of a version that has a reference profile
 * goes into its {@link DriftWindow}; every {@link Monitoring.Context#driftEvaluateMillis()} a window that changed
 * is evaluated, the result published for {@link #report} and to the gauges
 * {@code scoring_drift_statistic}, {@code scoring_drift_p_value} and {@code scoring_drift_alarm}
 * {model, version, feature, method} (method "ks", "chi2" or "psi").
 *
 * <p>Threading: {@link #onSample}/{@link #onTick} on the monitoring thread; {@link #report} from any
 * thread (reads the last published, immutable results). Bounded: one window per loaded version with a
 * profile, of fixed size; {@link #remove} forgets an unloaded version.
 */
final class DriftMonitor implements SampleSink
{
    private final Monitoring.Context config;
    private final ScoringMetrics metrics;
    private final Map<VersionSpec, Tracked> bySpec = new IdentityHashMap<>();
    private final Map<String, Map<String, Tracked>> byModel = new ConcurrentHashMap<>();
    private long lastEvaluationMillis;

    DriftMonitor(final Monitoring.Context config, final ScoringMetrics metrics)
    {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void onSample(final Sample sample)
    {
        final VersionSpec spec = sample.source().spec();
        if (null == spec.profile())
        {
            return;
        }
        Tracked tracked = bySpec.get(spec);
        if (null == tracked)
        {
            tracked = new Tracked(spec, new DriftWindow(spec.version(), spec.profile(), config));
            bySpec.put(spec, tracked);
            byModel.computeIfAbsent(spec.model(), (model) -> new ConcurrentHashMap<>()).put(spec.version(), tracked);
        }
        tracked.window.add(sample);
        tracked.changed = true;
    }

    @Override
    public void onTick(final long epochMillis)
    {
        if (epochMillis - lastEvaluationMillis < config.driftEvaluateMillis())
        {
            return;
        }
        lastEvaluationMillis = epochMillis;
        bySpec.values().removeIf((tracked) -> tracked.removed);
        for (final Tracked tracked : bySpec.values())
        {
            if (tracked.changed)
            {
                tracked.changed = false;
                tracked.publish(tracked.window.evaluate(epochMillis));
            }
        }
    }

    /** The last evaluation of each of the model's versions. */
    ModelDriftReport report(final String model)
    {
        final List<VersionDrift> versions = new ArrayList<>();
        final Map<String, Tracked> tracked = byModel.get(model);
        if (null != tracked)
        {
            tracked.values().forEach((version) ->
            {
                if (null != version.published)
                {
                    versions.add(version.published);
                }
            });
            versions.sort((a, b) -> a.version().compareTo(b.version()));
        }
        return new ModelDriftReport(model, versions);
    }

    /** Forgets a version: its window goes (from the monitoring thread's next tick on) and its report. */
    void remove(final String model, final String version)
    {
        final Map<String, Tracked> tracked = byModel.get(model);
        if (null != tracked)
        {
            final Tracked removed = tracked.remove(version);
            if (null != removed)
            {
                removed.removed = true;
            }
        }
    }

    /** One version's window, its gauges and its last published result. */
    private final class Tracked
    {
        private final VersionSpec spec;
        private final DriftWindow window;
        private final Map<String, DoubleConsumer[]> gauges = new ConcurrentHashMap<>();
        private boolean changed;
        private volatile boolean removed;
        private volatile VersionDrift published;

        Tracked(final VersionSpec spec, final DriftWindow window)
        {
            this.spec = spec;
            this.window = window;
        }

        void publish(final VersionDrift drift)
        {
            published = drift;
            if (removed)
            {
                return;
            }
            for (final FeatureDrift feature : drift.features())
            {
                final DoubleConsumer[] cells =
                    gauges.computeIfAbsent(feature.feature(), (name) -> cells(name, feature.method()));
                cells[0].accept(feature.statistic());
                cells[1].accept(feature.pValue());
                cells[2].accept(feature.testAlarm() ? 1 : 0);
                cells[3].accept(feature.psi());
                cells[4].accept(feature.psiAlarm() ? 1 : 0);
            }
        }

        private DoubleConsumer[] cells(final String feature, final String method)
        {
            final String model = spec.model();
            final String version = spec.version();
            return new DoubleConsumer[] {
                metrics.gauge("scoring.drift.statistic", "Drift statistic of a feature: KS D, chi-squared, or PSI",
                    "model", model, "version", version, "feature", feature, "method", method),
                metrics.gauge("scoring.drift.p.value", "Drift test p-value, uncorrected",
                    "model", model, "version", version, "feature", feature, "method", method),
                metrics.gauge("scoring.drift.alarm", "1 when the feature drifted: p below the Bonferroni-corrected alpha, or PSI above its threshold",
                    "model", model, "version", version, "feature", feature, "method", method),
                metrics.gauge("scoring.drift.statistic", "Drift statistic of a feature: KS D, chi-squared, or PSI",
                    "model", model, "version", version, "feature", feature, "method", "psi"),
                metrics.gauge("scoring.drift.alarm", "1 when the feature drifted: p below the Bonferroni-corrected alpha, or PSI above its threshold",
                    "model", model, "version", version, "feature", feature, "method", "psi"),
            };
        }
    }
}
