package io.scoring.router.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scoring.features.StoredFeature;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's {@code model.json}: its entity key, its features in model order, its outputs. See
 * docs/MODEL_REPOSITORY.md for the format. Immutable; parsed and validated once at load, so every
 * mistake in it is reported then, naming the field, and never at request time.
 */
public final class ModelConfig
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final String description;
    private final String entityKey;
    private final String champion;
    private final String inputName;
    private final List<FeatureSpec> features;
    private final NameIndex<FeatureSpec> featureByName;
    private final List<OutputSpec> outputs;

    private ModelConfig(
        final String name,
        final String description,
        final String entityKey,
        final String champion,
        final String inputName,
        final List<FeatureSpec> features,
        final List<OutputSpec> outputs)
    {
        this.name = name;
        this.description = description;
        this.entityKey = entityKey;
        this.champion = champion;
        this.inputName = inputName;
        this.features = Collections.unmodifiableList(features);
        this.outputs = List.copyOf(outputs);
        final Map<String, FeatureSpec> byName = new HashMap<>();
        for (final FeatureSpec feature : features)
        {
            byName.put(feature.name(), feature);
        }
        this.featureByName = NameIndex.of(byName);
    }

    public static ModelConfig parse(final InputStream in, final String origin) throws IOException
    {
        final JsonNode root;
        try
        {
            root = JSON.readTree(in);
        }
        catch (final IOException ex)
        {
            throw new IOException(origin + ": not valid JSON: " + ex.getMessage(), ex);
        }
        return parse(root, origin);
    }

    static ModelConfig parse(final JsonNode root, final String origin) throws IOException
    {
        final String name = requiredText(root, "name", origin);
        final String entityKey = requiredText(root, "entity_key", origin);
        final String champion = requiredText(root, "champion", origin);
        final String inputName = requiredText(root.path("input"), "name", origin + ": input");

        final JsonNode featureNodes = root.path("features");
        if (!featureNodes.isArray() || featureNodes.isEmpty())
        {
            throw new IOException(origin + ": 'features' must be a non-empty array");
        }
        final List<FeatureSpec> features = new ArrayList<>();
        final Map<String, Boolean> seen = new HashMap<>();
        for (int i = 0; i < featureNodes.size(); i++)
        {
            final FeatureSpec feature = parseFeature(featureNodes.get(i), i, origin + ": features[" + i + "]");
            if (null != seen.put(feature.name(), Boolean.TRUE))
            {
                throw new IOException(origin + ": feature '" + feature.name() + "' is listed twice");
            }
            features.add(feature);
        }
        if (null != seen.get(entityKey))
        {
            throw new IOException(origin + ": entity_key '" + entityKey + "' must not also be a feature");
        }

        final JsonNode outputNodes = root.path("outputs");
        if (!outputNodes.isArray() || outputNodes.isEmpty())
        {
            throw new IOException(origin + ": 'outputs' must be a non-empty array");
        }
        final List<OutputSpec> outputs = new ArrayList<>();
        for (int i = 0; i < outputNodes.size(); i++)
        {
            final JsonNode node = outputNodes.get(i);
            final String where = origin + ": outputs[" + i + "]";
            outputs.add(new OutputSpec(
                requiredText(node, "name", where),
                node.path("description").asText(""),
                node.has("decision_threshold") ? node.get("decision_threshold").asDouble() : Double.NaN));
        }

        return new ModelConfig(
            name, root.path("description").asText(""), entityKey, champion, inputName, features, outputs);
    }

    private static FeatureSpec parseFeature(final JsonNode node, final int index, final String where)
        throws IOException
    {
        final String name = requiredText(node, "name", where);
        final String at = where + " ('" + name + "')";
        final FeatureSpec.Source source = switch (requiredText(node, "source", at))
        {
            case "request" -> FeatureSpec.Source.REQUEST;
            case "store" -> FeatureSpec.Source.STORE;
            default -> throw new IOException(at + ": source must be 'request' or 'store'");
        };
        final FeatureSpec.Type type = switch (requiredText(node, "type", at))
        {
            case "numeric" -> FeatureSpec.Type.NUMERIC;
            case "categorical" -> FeatureSpec.Type.CATEGORICAL;
            default -> throw new IOException(at + ": type must be 'numeric' or 'categorical'");
        };

        final List<String> categories = new ArrayList<>();
        if (type == FeatureSpec.Type.CATEGORICAL)
        {
            final JsonNode list = node.path("categories");
            if (!list.isArray() || list.isEmpty())
            {
                throw new IOException(at + ": a categorical feature needs a non-empty 'categories' array");
            }
            list.forEach((category) -> categories.add(category.asText()));
        }

        float defaultValue = Float.NaN;
        final JsonNode defaultNode = node.get("default");
        if (null != defaultNode && !defaultNode.isNull())
        {
            if (type == FeatureSpec.Type.NUMERIC)
            {
                if (!defaultNode.isNumber())
                {
                    throw new IOException(at + ": default must be a number");
                }
                defaultValue = defaultNode.floatValue();
            }
            else
            {
                final int code = categories.indexOf(defaultNode.asText());
                if (code < 0)
                {
                    throw new IOException(at + ": default '" + defaultNode.asText() + "' is not one of its categories");
                }
                defaultValue = code;
            }
        }
        else if (source == FeatureSpec.Source.STORE)
        {
            throw new IOException(at + ": a store feature needs a default (used when the entity or value is missing)");
        }

        final JsonNode refNode = node.get("feature_ref");
        String featureRef = null;
        if (null != refNode)
        {
            featureRef = refNode.isTextual() ? refNode.asText() : "";
            if (source != FeatureSpec.Source.STORE)
            {
                throw new IOException(at + ": feature_ref names where a store feature lives; this one comes from the request");
            }
            if (!StoredFeature.isReference(featureRef))
            {
                throw new IOException(at + ": feature_ref must be Feast's '<feature_view>:<feature>', got '" + refNode.asText() + "'");
            }
        }

        return new FeatureSpec(name, index, source, type, categories, defaultValue, featureRef);
    }

    private static String requiredText(final JsonNode node, final String field, final String where)
        throws IOException
    {
        final JsonNode value = node.get(field);
        if (null == value || !value.isValueNode() || value.asText().isEmpty())
        {
            throw new IOException(where + ": '" + field + "' is required");
        }
        return value.asText();
    }

    public String name()
    {
        return name;
    }

    public String description()
    {
        return description;
    }

    public String entityKey()
    {
        return entityKey;
    }

    /** The version that takes traffic when no other policy is set. */
    public String champion()
    {
        return champion;
    }

    /** The ONNX graph's input: float {@code [batch, featureCount()]}. */
    public String inputName()
    {
        return inputName;
    }

    public List<FeatureSpec> features()
    {
        return features;
    }

    public int featureCount()
    {
        return features.size();
    }

    /** The feature with this name, or null. Allocates nothing, whatever holds the name's characters. */
    public FeatureSpec feature(final CharSequence name)
    {
        return featureByName.get(name);
    }

    public List<OutputSpec> outputs()
    {
        return outputs;
    }

    public int outputCount()
    {
        return outputs.size();
    }
}
