package io.scoring.monitoring.metrics;

import java.util.function.DoubleConsumer;

/**
 * A gauge's current value, written by the thread that computes it (drift, comparison) and read by the
 * scrape. Threading: one writer or many, any readers; a volatile double, nothing more. Its writers see
 * it as a {@link DoubleConsumer} ({@link ScoringMetrics#gauge}), so the type stays inside this package.
 */
final class GaugeCell implements DoubleConsumer
{
    private volatile double value = Double.NaN;

    @Override
    public void accept(final double value)
    {
        this.value = value;
    }

    double get()
    {
        return value;
    }
}
