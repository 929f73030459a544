package io.scoring.monitoring.metrics;

/**
 * A gauge's current value, written by the thread that computes it (drift, comparison) and read by the
 * scrape. Threading: one writer or many, any readers; a volatile double, nothing more.
 */
public final class GaugeCell
{
    private volatile double value = Double.NaN;

    public void set(final double value)
    {
        this.value = value;
    }

    public double get()
    {
        return value;
    }
}
