package io.scoring.monitoring.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A Prometheus histogram family (one name, fixed label names, fixed bounds) whose children are
 * {@link DurationHistogram}s, collected into the same Prometheus registry Micrometer writes, so one
 * scrape has both.
 *
 * <p>Threading: {@link #child} and {@link #removeIf} at load time; {@link #collect} on the scrape
 * thread. Bounded by the label values the gateway resolves (loaded versions, stages, stores).
 */
final class HistogramFamily implements Collector
{
    private final String name;
    private final String help;
    private final String[] labelNames;
    private final long[] boundsNanos;
    private final double[] upperBoundsSeconds;
    private final Map<List<String>, DurationHistogram> children = new ConcurrentHashMap<>();

    HistogramFamily(final String name, final String help, final long[] boundsNanos, final String... labelNames)
    {
        this.name = name;
        this.help = help;
        this.labelNames = labelNames;
        this.boundsNanos = boundsNanos;
        this.upperBoundsSeconds = new double[boundsNanos.length + 1];
        for (int i = 0; i < boundsNanos.length; i++)
        {
            upperBoundsSeconds[i] = boundsNanos[i] / 1e9;
        }
        upperBoundsSeconds[boundsNanos.length] = Double.POSITIVE_INFINITY;
    }

    /** The child for these label values (in label-name order), created on first use. */
    DurationHistogram child(final String... labelValues)
    {
        if (labelValues.length != labelNames.length)
        {
            throw new IllegalArgumentException(name + " takes labels " + Arrays.toString(labelNames));
        }
        return children.computeIfAbsent(List.of(labelValues), (values) -> new DurationHistogram(boundsNanos));
    }

    /** Removes the children whose label values (in label-name order) match. */
    void removeIf(final Predicate<List<String>> labelValues)
    {
        children.keySet().removeIf(labelValues);
    }

    int labelIndex(final String labelName)
    {
        return Arrays.asList(labelNames).indexOf(labelName);
    }

    @Override
    public String getPrometheusName()
    {
        return name;
    }

    @Override
    public MetricSnapshot collect()
    {
        final List<HistogramSnapshot.HistogramDataPointSnapshot> points = new ArrayList<>(children.size());
        children.forEach((values, histogram) -> points.add(new HistogramSnapshot.HistogramDataPointSnapshot(
            ClassicHistogramBuckets.of(upperBoundsSeconds, histogram.bucketCounts()),
            histogram.sumSeconds(),
            Labels.of(labelNames, values.toArray(new String[0])),
            Exemplars.EMPTY,
            0L)));
        return new HistogramSnapshot(new MetricMetadata(name, help), points);
    }
}
