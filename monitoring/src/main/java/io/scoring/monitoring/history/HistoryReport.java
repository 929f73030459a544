package io.scoring.monitoring.history;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/**
 * One metric of a model over a time range, from the evaluation history: every recorded value, oldest
 * first, with the version it belongs to. For the admin API.
 *
 * @param version   the version asked for, or null for every version.
 * @param truncated more points matched than {@code points} holds (the oldest are kept).
 */
public record HistoryReport(
    String model, String version, String metric, long fromMillis, long toMillis, List<Point> points, boolean truncated)
{
    public record Point(long timeMillis, String version, double value)
    {
    }

    public void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("model", model);
        if (null != version)
        {
            json.writeStringField("version", version);
        }
        json.writeStringField("metric", metric);
        json.writeNumberField("from", fromMillis);
        json.writeNumberField("to", toMillis);
        json.writeBooleanField("truncated", truncated);
        json.writeArrayFieldStart("points");
        for (final Point point : points)
        {
            json.writeStartObject();
            json.writeNumberField("time", point.timeMillis());
            json.writeStringField("version", point.version());
            json.writeNumberField("value", point.value());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
