package io.scoring.monitoring.latency;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/**
 * Latency percentiles in microseconds (HdrHistogram's equivalent-value rounding, within 0.1 %).
 * All zero when {@code count} is zero.
 */
public record Percentiles(long count, double p50, double p90, double p99, double p999, double max)
{
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
