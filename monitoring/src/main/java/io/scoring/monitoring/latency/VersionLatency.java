package io.scoring.monitoring.latency;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/**
 * Latency of one version in one role: the last closed interval and everything since start.
 *
 * @param intervalStartMillis epoch millis the last interval opened (0 before the first roll).
 * @param intervalEndMillis   epoch millis it closed.
 */
public record VersionLatency(
    String version,
    String role,
    Percentiles lastInterval,
    Percentiles sinceStart,
    long intervalStartMillis,
    long intervalEndMillis)
{
    void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("version", version);
        json.writeStringField("role", role);
        json.writeNumberField("interval_start_millis", intervalStartMillis);
        json.writeNumberField("interval_end_millis", intervalEndMillis);
        json.writeFieldName("last_interval");
        lastInterval.writeJson(json);
        json.writeFieldName("since_start");
        sinceStart.writeJson(json);
        json.writeEndObject();
    }
}
