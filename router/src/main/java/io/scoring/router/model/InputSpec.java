package io.scoring.router.model;

import java.util.List;

/**
 * One input tensor of a model's ONNX graph, {@code [batch, features().size()]}: its name, its element
 * type, and the features it takes in column order. A feature's value is its assembled float (a
 * category's index for a categorical); the runtime writes it in the input's element type, or, for a
 * string input, as the category's name.
 *
 * @param name     the ONNX input name
 * @param type     the tensor's element type
 * @param features the features in column order; each is in exactly one input of the model
 */
public record InputSpec(String name, ElementType type, List<FeatureSpec> features)
{
    public InputSpec
    {
        features = List.copyOf(features);
    }

    /** How many columns the input has. */
    public int width()
    {
        return features.size();
    }

    /** The element types an input may have, with their model.json, ONNX and V2 names. */
    public enum ElementType
    {
        FLOAT("float", "FP32"),
        DOUBLE("double", "FP64"),
        INT32("int32", "INT32"),
        INT64("int64", "INT64"),
        BOOL("bool", "BOOL"),
        STRING("string", "BYTES");

        private final String configName;
        private final String v2Name;

        ElementType(final String configName, final String v2Name)
        {
            this.configName = configName;
            this.v2Name = v2Name;
        }

        /** As model.json writes it: float, double, int32, int64, bool, string. */
        public String configName()
        {
            return configName;
        }

        /** The Open Inference Protocol's datatype: FP32, FP64, INT32, INT64, BOOL, BYTES. */
        public String v2Name()
        {
            return v2Name;
        }

        /** The type model.json names, or null. */
        public static ElementType ofConfigName(final String name)
        {
            for (final ElementType type : values())
            {
                if (type.configName.equals(name))
                {
                    return type;
                }
            }
            return null;
        }
    }
}
