package io.scoring.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes credit-risk's model.json in the format of docs/MODEL_REPOSITORY.md. */
final class ModelJsonWriter
{
    static final String MODEL_NAME = "credit-risk";
    static final String ENTITY_KEY = "applicant_id";
    /** The score at or above which the answer is "bad": the cost-optimal 1/6 (cost 1 / (1 + 5)). */
    static final double DECISION_THRESHOLD = 1.0 / 6.0;

    private ModelJsonWriter()
    {
    }

    static void write(final Path file, final List<ModelFeature> features, final String champion, final String description)
        throws IOException
    {
        final Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", MODEL_NAME);
        config.put("description", description);
        config.put("entity_key", ENTITY_KEY);
        config.put("champion", champion);
        config.put("input", Map.of("name", OnnxExport.INPUT));

        final List<Map<String, Object>> list = new ArrayList<>();
        for (final ModelFeature feature : features)
        {
            final ArffAttribute attribute = feature.attribute();
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", feature.name());
            entry.put("source", feature.source().jsonName());
            entry.put("type", attribute.isNumeric() ? "numeric" : "categorical");
            if (!attribute.isNumeric())
            {
                entry.put("categories", attribute.categories());
            }
            if (feature.hasDefault())
            {
                entry.put("default", attribute.isNumeric() ?
                    Json.number(feature.defaultValue()) : attribute.category(feature.defaultValue()));
            }
            list.add(entry);
        }
        config.put("features", list);

        final Map<String, Object> output = new LinkedHashMap<>();
        output.put("name", OnnxExport.OUTPUT);
        output.put("description", "P(class = bad)");
        output.put("decision_threshold", DECISION_THRESHOLD);
        config.put("outputs", List.of(output));

        Json.write(file, config);
    }
}
