package io.scoring.monitoring;

import io.scoring.monitoring.comparison.ChallengerComparison;
import io.scoring.monitoring.comparison.ModelComparisonReport;
import io.scoring.monitoring.metrics.ScoringMetrics;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleConsumer;

/**
 * Champion-challenger comparison on the same requests. A sampled request carries the scores of every
 * version that scored it (the serving one and its paired ones); the one in the role "champion" is the
 * baseline and each of the others is a challenger, so a shadow's scores pair with the champion that
 * served the request, and a canary's pair with the champion when the gateway scored both.
 * Requests no champion scored are not compared. Decisions on both sides are taken at the champion's
 * decision threshold: the question is whether the challenger would change what the business does.
 *
 * <p>Per challenger (version, role) a {@link PairWindow}; every {@link Monitoring.Context#comparisonEvaluateMillis()}
 * a changed window is evaluated and published for {@link #report} and to the gauges
 * {@code scoring_shadow_agreement_ratio}, {@code scoring_shadow_score_delta_mean} and
 * {@code scoring_shadow_score_delta_p95} {model, version}.
 *
 * <p>Threading: {@link #onSample}/{@link #onTick} on the monitoring thread, {@link #report} from any.
 * Bounded: one fixed window per challenger source; {@link #remove} forgets an unloaded version.
 */
final class ComparisonMonitor implements SampleSink
{
    private static final String CHAMPION = "champion";
    /** Index -1 stands for the sample's serving version, 0.. for its paired ones. */
    private static final int PRIMARY = -1;
    private static final int NONE = Integer.MIN_VALUE;

    private final Monitoring.Context config;
    private final ScoringMetrics metrics;
    private final Map<SampleSource, Tracked> bySource = new IdentityHashMap<>();
    private final Map<String, Map<SampleSource, Tracked>> byModel = new ConcurrentHashMap<>();
    private long lastEvaluationMillis;

    ComparisonMonitor(final Monitoring.Context config, final ScoringMetrics metrics)
    {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void onSample(final Sample sample)
    {
        if (sample.pairedCount() == 0)
        {
            return;
        }
        final int champion = championIndex(sample);
        if (champion == NONE)
        {
            return;
        }
        final SampleSource championSource = sourceAt(sample, champion);
        for (int other = PRIMARY; other < sample.pairedCount(); other++)
        {
            final SampleSource challenger = sourceAt(sample, other);
            if (other == champion || null == challenger || CHAMPION.equals(challenger.role()))
            {
                continue;
            }
            final Tracked tracked = tracked(challenger);
            for (int row = 0; row < sample.rowCount(); row++)
            {
                tracked.window.add(championSource.spec(), scoreAt(sample, champion, row), scoreAt(sample, other, row),
                    nanosAt(sample, champion), nanosAt(sample, other));
            }
            tracked.changed = true;
        }
    }

    private static int championIndex(final Sample sample)
    {
        if (CHAMPION.equals(sample.source().role()))
        {
            return PRIMARY;
        }
        for (int k = 0; k < sample.pairedCount(); k++)
        {
            final SampleSource paired = sample.pairedSource(k);
            if (null != paired && CHAMPION.equals(paired.role()))
            {
                return k;
            }
        }
        return NONE;
    }

    private static SampleSource sourceAt(final Sample sample, final int index)
    {
        return index == PRIMARY ? sample.source() : sample.pairedSource(index);
    }

    private static float scoreAt(final Sample sample, final int index, final int row)
    {
        return index == PRIMARY ? sample.score(row) : sample.pairedScore(index, row);
    }

    private static long nanosAt(final Sample sample, final int index)
    {
        return index == PRIMARY ? sample.scoreNanos() : sample.pairedScoreNanos(index);
    }

    private Tracked tracked(final SampleSource challenger)
    {
        Tracked tracked = bySource.get(challenger);
        if (null == tracked)
        {
            tracked = new Tracked(challenger, new PairWindow(challenger.version(), challenger.role(), config.comparisonWindowPairs()));
            bySource.put(challenger, tracked);
            byModel.computeIfAbsent(challenger.model(), (model) -> new ConcurrentHashMap<>()).put(challenger, tracked);
        }
        return tracked;
    }

    @Override
    public void onTick(final long epochMillis)
    {
        if (epochMillis - lastEvaluationMillis < config.comparisonEvaluateMillis())
        {
            return;
        }
        lastEvaluationMillis = epochMillis;
        bySource.values().removeIf((tracked) -> tracked.removed);
        for (final Tracked tracked : bySource.values())
        {
            if (tracked.changed)
            {
                tracked.changed = false;
                tracked.publish(tracked.window.evaluate());
            }
        }
    }

    ModelComparisonReport report(final String model)
    {
        final List<ChallengerComparison> challengers = new ArrayList<>();
        final Map<SampleSource, Tracked> tracked = byModel.get(model);
        if (null != tracked)
        {
            tracked.values().forEach((challenger) ->
            {
                if (null != challenger.published)
                {
                    challengers.add(challenger.published);
                }
            });
            challengers.sort((a, b) -> a.version().equals(b.version()) ?
                a.role().compareTo(b.role()) : a.version().compareTo(b.version()));
        }
        return new ModelComparisonReport(model, challengers);
    }

    /** Forgets every challenger window of an unloaded version. */
    void remove(final String model, final String version)
    {
        final Map<SampleSource, Tracked> tracked = byModel.get(model);
        if (null != tracked)
        {
            tracked.values().removeIf((challenger) ->
            {
                final boolean unloaded = challenger.source.version().equals(version);
                challenger.removed |= unloaded;
                return unloaded;
            });
        }
    }

    private final class Tracked
    {
        private final SampleSource source;
        private final PairWindow window;
        private final DoubleConsumer agreement;
        private final DoubleConsumer deltaMean;
        private final DoubleConsumer deltaP95;
        private boolean changed;
        private volatile boolean removed;
        private volatile ChallengerComparison published;

        Tracked(final SampleSource source, final PairWindow window)
        {
            this.source = source;
            this.window = window;
            final String model = source.model();
            final String version = source.version();
            agreement = metrics.gauge("scoring.shadow.agreement.ratio",
                "Share of paired requests where challenger and champion decide alike", "model", model, "version", version);
            deltaMean = metrics.gauge("scoring.shadow.score.delta.mean",
                "Mean absolute score difference, challenger minus champion", "model", model, "version", version);
            deltaP95 = metrics.gauge("scoring.shadow.score.delta.p95",
                "95th percentile of the absolute score difference", "model", model, "version", version);
        }

        void publish(final ChallengerComparison comparison)
        {
            published = comparison;
            if (!removed)
            {
                agreement.accept(comparison.agreement());
                deltaMean.accept(comparison.deltaMean());
                deltaP95.accept(comparison.deltaP95());
            }
        }
    }
}
