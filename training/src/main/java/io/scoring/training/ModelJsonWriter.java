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

    /**
     * The subpopulations monitoring reports on: applicants by sex (German Credit's personal_status mixes
     * sex with marital status) and by age band, the two attributes fairness studies of this data set use.
     */
    static final List<Map<String, Object>> SEGMENTS = List.of(
        segment("personal_status",
            group("male", "categories", List.of("male div/sep", "male single", "male mar/wid")),
            group("female", "categories", List.of("female div/dep/mar", "female single"))),
        segment("age",
            range("under 25", null, 25), range("25-34", 25, 35), range("35-49", 35, 50), range("50 and over", 50, null)));

    private ModelJsonWriter()
    {
    }

    private static Map<String, Object> segment(final String feature, final Map<?, ?>... groups)
    {
        final Map<String, Object> segment = new LinkedHashMap<>();
        segment.put("feature", feature);
        segment.put("groups", List.of(groups));
        return segment;
    }

    private static Map<String, Object> group(final String name, final String key, final Object value)
    {
        final Map<String, Object> group = new LinkedHashMap<>();
        group.put("name", name);
        group.put(key, value);
        return group;
    }

    private static Map<String, Object> range(final String name, final Integer from, final Integer below)
    {
        final Map<String, Object> group = new LinkedHashMap<>();
        group.put("name", name);
        if (null != from)
        {
            group.put("from", from);
        }
        if (null != below)
        {
            group.put("below", below);
        }
        return group;
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
        config.put("segments", SEGMENTS);

        Json.write(file, config);
    }
}
