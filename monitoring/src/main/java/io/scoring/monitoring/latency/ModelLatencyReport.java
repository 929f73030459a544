package io.scoring.monitoring.latency;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/**
 * The body of {@code GET /admin/models/{model}/latency}: per version and role, p50/p90/p99/p99.9/max
 * in microseconds over the last interval and since start.
 */
public record ModelLatencyReport(String model, long intervalMillis, List<VersionLatency> versions)
{
    public void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("model", model);
        json.writeStringField("unit", "microseconds");
        json.writeNumberField("interval_millis", intervalMillis);
        json.writeArrayFieldStart("versions");
        for (final VersionLatency version : versions)
        {
            version.writeJson(json);
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
