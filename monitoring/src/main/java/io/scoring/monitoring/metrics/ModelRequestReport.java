package io.scoring.monitoring.metrics;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /admin/models/{model}/requests}: the request counters of every (version, role)
 * since it was loaded, by outcome, read at {@code atMillis}. A reader gets rates from two reports
 * (the counts' difference over the difference of their times), as Prometheus's {@code rate()} does.
 */
public record ModelRequestReport(String model, long atMillis, List<Counts> versions)
{
    /**
     * One (version, role)'s counters.
     *
     * @param outcomes requests by outcome label ("ok" first), in the gateway's outcome order.
     */
    public record Counts(String version, String role, Map<String, Long> outcomes)
    {
        public long total()
        {
            return outcomes.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Every request that did not end "ok". */
        public long errors()
        {
            return total() - outcomes.getOrDefault("ok", 0L);
        }
    }

    public void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("model", model);
        json.writeNumberField("at_millis", atMillis);
        json.writeArrayFieldStart("versions");
        for (final Counts counts : versions)
        {
            json.writeStartObject();
            json.writeStringField("version", counts.version());
            json.writeStringField("role", counts.role());
            json.writeNumberField("total", counts.total());
            json.writeNumberField("errors", counts.errors());
            json.writeObjectFieldStart("outcomes");
            for (final Map.Entry<String, Long> outcome : counts.outcomes().entrySet())
            {
                json.writeNumberField(outcome.getKey(), outcome.getValue());
            }
            json.writeEndObject();
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
