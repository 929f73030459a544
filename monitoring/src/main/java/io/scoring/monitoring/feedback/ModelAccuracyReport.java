package io.scoring.monitoring.feedback;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/** Every labelled version of a model, for the admin API. */
public record ModelAccuracyReport(String model, List<VersionAccuracy> versions)
{
    public void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("model", model);
        json.writeArrayFieldStart("versions");
        for (final VersionAccuracy version : versions)
        {
            version.writeJson(json);
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
