package io.scoring.monitoring.comparison;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/** The body of {@code GET /admin/models/{model}/comparison}: every challenger seen against the champion. */
public record ModelComparisonReport(String model, List<ChallengerComparison> challengers)
{
    public void writeJson(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("model", model);
        json.writeArrayFieldStart("challengers");
        for (final ChallengerComparison challenger : challengers)
        {
            challenger.writeJson(json);
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
