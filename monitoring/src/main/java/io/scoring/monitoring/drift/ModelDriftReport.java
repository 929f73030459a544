package io.scoring.monitoring.drift;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/** The body of {@code GET /admin/models/{model}/drift}: every version with a reference profile. */
public record ModelDriftReport(String model, List<VersionDrift> versions)
{
    public void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("model", model);
        json.writeArrayFieldStart("versions");
        for (final VersionDrift version : versions)
        {
            version.writeJson(json);
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
