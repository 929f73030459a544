package io.scoring.monitoring;

import io.scoring.monitoring.drift.DomainDrift;
import io.scoring.monitoring.drift.FeatureDrift;
import io.scoring.monitoring.drift.ModelDriftReport;
import io.scoring.monitoring.drift.VersionDrift;
import io.scoring.monitoring.metrics.ScoringMetrics;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleConsumer;

/**
 * Online input drift per model version: every sampled row of a version that has a reference profile
 * goes into its {@link DriftWindow}; every {@link Monitoring.Context#driftEvaluateMillis()} a window that changed
 * is evaluated, the result published for {@link #report} and to the gauges
 * {@code scoring_drift_statistic}, {@code scoring_drift_p_value} and {@code scoring_drift_alarm}
 * {model, version, feature, method} (method "ks", "chi2" or "psi").
 *
 * <p>Domain-classifier drift ({@link DomainClassifier}): every {@link Monitoring.Context#domainDriftEvaluateMillis()}
 * (checked at the drift cadence) a version whose profile carries a joint sample and whose window holds the
 * minimum rows has a copy of its window classified against that sample on the drift thread, one run per
 * version at a time, never on the monitoring thread (a run takes tens of milliseconds) and never on the
 * request path. Gauges {@code scoring_domain_drift_auc}, {@code _p_value}, {@code _alarm} {model, version}.
 *
 * <p>Threading: {@link #onSample}/{@link #onTick} on the monitoring thread; {@link #report} from any
 * thread (reads the last published, immutable results). Bounded: one window per loaded version with a
 * profile, of fixed size; at most one domain run per version queued or running; {@link #remove} forgets an
 * unloaded version.
 */
final class DriftMonitor implements SampleSink
{
    private final Monitoring.Context config;
    private final ScoringMetrics metrics;
    private final Map<VersionSpec, Tracked> bySpec = new IdentityHashMap<>();
    private final Map<String, Map<String, Tracked>> byModel = new ConcurrentHashMap<>();
    private final ExecutorService domainRuns = Executors.newSingleThreadExecutor((runnable) ->
    {
        final Thread thread = new Thread(runnable, "scoring-domain-drift");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        return thread;
    });
    private long lastEvaluationMillis;

    DriftMonitor(final Monitoring.Context config, final ScoringMetrics metrics)
    {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void onClose()
    {
        domainRuns.shutdownNow();
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
        tracked.domainChanged = true;
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
            tracked.maybeRunDomain(epochMillis);
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
                    versions.add(version.published.withDomain(version.domain));
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
        private final DoubleConsumer[] domainGauges;
        private boolean changed;
        private boolean domainChanged;
        private long lastDomainMillis;
        private final AtomicBoolean domainRunning = new AtomicBoolean();
        private volatile boolean removed;
        private volatile VersionDrift published;
        private volatile DomainDrift domain;

        Tracked(final VersionSpec spec, final DriftWindow window)
        {
            this.spec = spec;
            this.window = window;
            final String model = spec.model();
            final String version = spec.version();
            domainGauges = spec.profile().jointRows() == 0 ? null : new DoubleConsumer[] {
                metrics.gauge("scoring.domain.drift.auc",
                    "Cross-validated AUC of a classifier telling the reference sample from the recent window (0.5: no drift)",
                    "model", model, "version", version),
                metrics.gauge("scoring.domain.drift.p.value", "P(AUC at least this high | no drift)",
                    "model", model, "version", version),
                metrics.gauge("scoring.domain.drift.alarm",
                    "1 when the domain classifier's AUC is significant and at least the configured minimum",
                    "model", model, "version", version),
            };
        }

        /** Hands a copy of the window to the drift thread when a run is due and none is in flight. */
        void maybeRunDomain(final long nowMillis)
        {
            if (null == domainGauges || !domainChanged || window.size() < config.driftMinRows() ||
                nowMillis - lastDomainMillis < config.domainDriftEvaluateMillis() || !domainRunning.compareAndSet(false, true))
            {
                return;
            }
            domainChanged = false;
            lastDomainMillis = nowMillis;
            final float[] rows = window.copyRows();
            final ReferenceProfile profile = spec.profile();
            domainRuns.execute(() ->
            {
                try
                {
                    final DomainDrift result = new DomainClassifier(spec.features(), profile.jointSample(),
                        profile.jointRows(), rows, rows.length / spec.featureCount())
                        .run(nowMillis, config.driftAlpha(), config.domainDriftMinAuc(), nowMillis);
                    domain = result;
                    if (!removed)
                    {
                        domainGauges[0].accept(result.auc());
                        domainGauges[1].accept(result.pValue());
                        domainGauges[2].accept(result.alarm() ? 1 : 0);
                    }
                }
                finally
                {
                    domainRunning.set(false);
                }
            });
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
