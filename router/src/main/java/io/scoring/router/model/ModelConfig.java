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
    private final List<InputSpec> inputs;
    private final List<FeatureSpec> features;
    private final NameIndex<FeatureSpec> featureByName;
    private final List<OutputSpec> outputs;
    private final List<SegmentSpec> segments;

    private ModelConfig(
        final String name,
        final String description,
        final String entityKey,
        final String champion,
        final List<InputSpec> inputs,
        final List<FeatureSpec> features,
        final List<OutputSpec> outputs,
        final List<SegmentSpec> segments)
    {
        this.name = name;
        this.description = description;
        this.entityKey = entityKey;
        this.champion = champion;
        this.inputs = List.copyOf(inputs);
        this.features = Collections.unmodifiableList(features);
        this.outputs = List.copyOf(outputs);
        this.segments = List.copyOf(segments);
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

        final List<InputSpec> inputs = parseInputs(root, features, origin);

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
                node.has("decision_threshold") ? node.get("decision_threshold").asDouble() : Double.NaN,
                classKey(node.get("class"), where)));
        }

        final List<SegmentSpec> segments = parseSegments(root.path("segments"), features, origin);
        return new ModelConfig(
            name, root.path("description").asText(""), entityKey, champion, inputs, features, outputs, segments);
    }

    /**
     * {@code "input": {"name"}} (one float input taking every feature in order), or {@code "inputs"}: each
     * with its name, element type and features in column order, every feature in exactly one input.
     */
    private static List<InputSpec> parseInputs(
        final JsonNode root, final List<FeatureSpec> features, final String origin) throws IOException
    {
        final boolean single = root.has("input");
        if (single == root.has("inputs"))
        {
            throw new IOException(origin + ": give either 'input' (one float input) or 'inputs', " +
                (single ? "not both" : "one of them is required"));
        }
        if (single)
        {
            final String name = requiredText(root.path("input"), "name", origin + ": input");
            return List.of(new InputSpec(name, InputSpec.ElementType.FLOAT, features));
        }

        final JsonNode inputNodes = root.get("inputs");
        if (!inputNodes.isArray() || inputNodes.isEmpty())
        {
            throw new IOException(origin + ": 'inputs' must be a non-empty array");
        }
        final Map<String, FeatureSpec> byName = new HashMap<>();
        features.forEach((feature) -> byName.put(feature.name(), feature));
        final Map<String, String> inputOfFeature = new HashMap<>();
        final Map<String, Boolean> inputNames = new HashMap<>();
        final List<InputSpec> inputs = new ArrayList<>();
        for (int i = 0; i < inputNodes.size(); i++)
        {
            final JsonNode node = inputNodes.get(i);
            final String name = requiredText(node, "name", origin + ": inputs[" + i + "]");
            final String at = origin + ": inputs[" + i + "] ('" + name + "')";
            if (null != inputNames.put(name, Boolean.TRUE))
            {
                throw new IOException(at + ": input '" + name + "' is listed twice");
            }
            final String typeName = requiredText(node, "type", at);
            final InputSpec.ElementType type = InputSpec.ElementType.ofConfigName(typeName);
            if (null == type)
            {
                throw new IOException(at + ": type must be float, double, int32, int64, bool or string, got '" +
                    typeName + "'");
            }
            final JsonNode featureNames = node.path("features");
            if (!featureNames.isArray() || featureNames.isEmpty())
            {
                throw new IOException(at + ": 'features' must be a non-empty array of feature names");
            }
            final List<FeatureSpec> columns = new ArrayList<>();
            for (final JsonNode featureName : featureNames)
            {
                final FeatureSpec feature = byName.get(featureName.asText());
                if (null == feature)
                {
                    throw new IOException(at + ": '" + featureName.asText() + "' is not one of the model's features");
                }
                final String other = inputOfFeature.put(feature.name(), name);
                if (null != other)
                {
                    throw new IOException(at + ": feature '" + feature.name() + "' is already in input '" + other + "'");
                }
                if (type == InputSpec.ElementType.STRING && !feature.isCategorical())
                {
                    throw new IOException(at + ": a string input takes categorical features (their names), '" +
                        feature.name() + "' is numeric");
                }
                columns.add(feature);
            }
            inputs.add(new InputSpec(name, type, columns));
        }
        for (final FeatureSpec feature : features)
        {
            if (!inputOfFeature.containsKey(feature.name()))
            {
                throw new IOException(origin + ": feature '" + feature.name() + "' is in none of the inputs");
            }
        }
        return inputs;
    }

    /** An output's {@code class}: a whole number (column or int64 key) or text (string key), kept as text. */
    private static String classKey(final JsonNode node, final String where) throws IOException
    {
        if (null == node || node.isNull())
        {
            return null;
        }
        if (node.isIntegralNumber())
        {
            return Long.toString(node.asLong());
        }
        if (node.isTextual() && !node.asText().isEmpty())
        {
            return node.asText();
        }
        throw new IOException(where + ": 'class' must be a whole number (a column or an int64 class) or a " +
            "class name, got " + node);
    }

    /** At most this many segments: monitoring packs a prediction's groups, a byte each, into one long. */
    static final int MAX_SEGMENTS = 8;
    /** At most this many groups in a segment (a byte, one value kept for "in no group"). */
    static final int MAX_GROUPS = 255;

    private static List<SegmentSpec> parseSegments(
        final JsonNode nodes, final List<FeatureSpec> features, final String origin) throws IOException
    {
        if (nodes.isMissingNode() || nodes.isNull())
        {
            return List.of();
        }
        if (!nodes.isArray() || nodes.size() > MAX_SEGMENTS)
        {
            throw new IOException(origin + ": 'segments' must be an array of at most " + MAX_SEGMENTS + " segments");
        }
        final List<SegmentSpec> segments = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++)
        {
            final String where = origin + ": segments[" + i + "]";
            final String featureName = requiredText(nodes.get(i), "feature", where);
            final FeatureSpec feature = features.stream().filter((f) -> f.name().equals(featureName)).findFirst()
                .orElseThrow(() -> new IOException(where + ": feature '" + featureName + "' is not a feature of the model"));
            final JsonNode groupNodes = nodes.get(i).path("groups");
            if (!groupNodes.isArray() || groupNodes.size() < 2 || groupNodes.size() > MAX_GROUPS)
            {
                throw new IOException(where + ": 'groups' must be an array of 2 to " + MAX_GROUPS + " groups");
            }
            final List<SegmentSpec.Group> groups = new ArrayList<>();
            final Map<String, String> groupOfCategory = new HashMap<>();
            for (int g = 0; g < groupNodes.size(); g++)
            {
                groups.add(parseGroup(groupNodes.get(g), feature, groupOfCategory, where + ".groups[" + g + "]"));
            }
            segments.add(new SegmentSpec(featureName, groups));
        }
        return segments;
    }

    private static SegmentSpec.Group parseGroup(
        final JsonNode node, final FeatureSpec feature, final Map<String, String> groupOfCategory, final String where)
        throws IOException
    {
        final String name = requiredText(node, "name", where);
        if (feature.isCategorical())
        {
            final JsonNode list = node.path("categories");
            if (!list.isArray() || list.isEmpty())
            {
                throw new IOException(where + " ('" + name + "'): a group of a categorical feature needs 'categories'");
            }
            final List<String> categories = new ArrayList<>();
            for (final JsonNode category : list)
            {
                if (!feature.categories().contains(category.asText()))
                {
                    throw new IOException(where + " ('" + name + "'): '" + category.asText() + "' is not a category of '" +
                        feature.name() + "'");
                }
                final String other = groupOfCategory.put(category.asText(), name);
                if (null != other)
                {
                    throw new IOException(where + " ('" + name + "'): '" + category.asText() + "' is also in group '" +
                        other + "'");
                }
                categories.add(category.asText());
            }
            return new SegmentSpec.Group(name, categories, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        }
        final double from = bound(node, "from", Double.NEGATIVE_INFINITY, where);
        final double below = bound(node, "below", Double.POSITIVE_INFINITY, where);
        if (!(from < below) || (node.path("from").isMissingNode() && node.path("below").isMissingNode()))
        {
            throw new IOException(where + " ('" + name + "'): a group of a numeric feature is a range: 'from' (inclusive) " +
                "below 'below' (exclusive), at least one of them");
        }
        return new SegmentSpec.Group(name, List.of(), from, below);
    }

    private static double bound(final JsonNode node, final String field, final double open, final String where)
        throws IOException
    {
        final JsonNode value = node.get(field);
        if (null == value)
        {
            return open;
        }
        if (!value.isNumber())
        {
            throw new IOException(where + ": '" + field + "' must be a number");
        }
        return value.asDouble();
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

    /** The ONNX graph's inputs; together they take every feature once. */
    public List<InputSpec> inputs()
    {
        return inputs;
    }

    /** The input of this name, or null. Allocates nothing (an indexed loop: no iterator), whatever holds the name. */
    public InputSpec input(final CharSequence name)
    {
        for (int i = 0, count = inputs.size(); i < count; i++)
        {
            final InputSpec input = inputs.get(i);
            if (input.name().contentEquals(name))
            {
                return input;
            }
        }
        return null;
    }

    /** The single float input taking every feature in order (model.json's {@code "input"}), as today's graphs have. */
    public boolean isSingleFloatInput()
    {
        return inputs.size() == 1 && inputs.get(0).type() == InputSpec.ElementType.FLOAT &&
            inputs.get(0).features().equals(features);
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

    /** The subpopulations monitoring splits this model's figures by; empty when none are declared. */
    public List<SegmentSpec> segments()
    {
        return segments;
    }

    public int outputCount()
    {
        return outputs.size();
    }
}
