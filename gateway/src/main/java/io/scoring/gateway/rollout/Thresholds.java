package io.scoring.gateway.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;

/** A value for every {@link Threshold}: the gateway's, or a rollout's own with its overrides. Immutable. */
final class Thresholds
{
    private final double[] values;

    private Thresholds(final double[] values)
    {
        this.values = values;
    }

    static Thresholds defaults()
    {
        final double[] values = new double[Threshold.values().length];
        for (final Threshold threshold : Threshold.values())
        {
            values[threshold.ordinal()] = threshold.defaultValue();
        }
        return new Thresholds(values);
    }

    double get(final Threshold threshold)
    {
        return values[threshold.ordinal()];
    }

    /** @throws IllegalArgumentException naming the setting, when out of range */
    Thresholds with(final Threshold threshold, final double value, final String name)
    {
        final String problem = threshold.problem(value);
        if (null != problem)
        {
            throw new IllegalArgumentException(name + " must be " + problem + ", got " + value);
        }
        final double[] copy = Arrays.copyOf(values, values.length);
        copy[threshold.ordinal()] = value;
        return new Thresholds(copy);
    }

    /**
     * These with a rollout's overrides, {@code {"alpha": 0.05, ...}}.
     *
     * @throws IllegalArgumentException naming the field: unknown, not a number, out of range
     */
    Thresholds overriddenBy(final JsonNode overrides)
    {
        if (null == overrides || overrides.isNull())
        {
            return this;
        }
        if (!overrides.isObject())
        {
            throw new IllegalArgumentException("thresholds: must be an object of {name: number}");
        }
        Thresholds result = this;
        for (final var fields = overrides.fields(); fields.hasNext(); )
        {
            final var field = fields.next();
            final Threshold threshold = Threshold.byJsonName(field.getKey());
            if (null == threshold)
            {
                throw new IllegalArgumentException("thresholds." + field.getKey() + ": unknown; known: " +
                    Arrays.stream(Threshold.values()).map(Threshold::jsonName).toList());
            }
            if (!field.getValue().isNumber())
            {
                throw new IllegalArgumentException("thresholds." + field.getKey() + ": must be a number");
            }
            result = result.with(threshold, field.getValue().asDouble(), "thresholds." + field.getKey());
        }
        return result;
    }

    ObjectNode toJson()
    {
        final ObjectNode json = Check.JSON.createObjectNode();
        for (final Threshold threshold : Threshold.values())
        {
            json.put(threshold.jsonName(), get(threshold));
        }
        return json;
    }
}
