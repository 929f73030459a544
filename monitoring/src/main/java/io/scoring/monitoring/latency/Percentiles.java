package io.scoring.monitoring.latency;

import com.fasterxml.jackson.core.JsonGenerator;
import org.HdrHistogram.Histogram;

import java.io.IOException;

/**
 * Latency percentiles in microseconds (HdrHistogram's equivalent-value rounding, within 0.1 %).
 * All zero when {@code count} is zero.
 */
public record Percentiles(long count, double p50, double p90, double p99, double p999, double max)
{
    private static final double NANOS_PER_MICRO = 1_000.0;

    static Percentiles of(final Histogram histogram)
    {
        if (histogram.getTotalCount() == 0)
        {
            return new Percentiles(0, 0, 0, 0, 0, 0);
        }
        return new Percentiles(
            histogram.getTotalCount(),
            micros(histogram.getValueAtPercentile(50.0)),
            micros(histogram.getValueAtPercentile(90.0)),
            micros(histogram.getValueAtPercentile(99.0)),
            micros(histogram.getValueAtPercentile(99.9)),
            micros(histogram.getMaxValue()));
    }

    private static double micros(final long nanos)
    {
        return nanos / NANOS_PER_MICRO;
    }

    void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeNumberField("count", count);
        json.writeNumberField("p50", p50);
        json.writeNumberField("p90", p90);
        json.writeNumberField("p99", p99);
        json.writeNumberField("p999", p999);
        json.writeNumberField("max", max);
        json.writeEndObject();
    }
}
