package io.scoring.monitoring;

import java.util.List;
import java.util.Objects;

/**
 * One input feature as monitoring sees it: its name, and for a categorical feature the categories in
 * code order (the model's float input carries the category's index in that list). Immutable.
 *
 * @param name       the feature's name, as in the model config.
 * @param categories empty for a numeric feature; else the category names, index = code.
 */
public record MonitoredFeature(String name, List<String> categories)
{
    public MonitoredFeature
    {
        Objects.requireNonNull(name, "name");
        categories = List.copyOf(categories);
    }

    public static MonitoredFeature numeric(final String name)
    {
        return new MonitoredFeature(name, List.of());
    }

    public static MonitoredFeature categorical(final String name, final List<String> categories)
    {
        if (categories.isEmpty())
        {
            throw new IllegalArgumentException("categorical feature '" + name + "' needs categories");
        }
        return new MonitoredFeature(name, categories);
    }

    public boolean isCategorical()
    {
        return !categories.isEmpty();
    }

    /** The category code a float input holds, or -1 when it is not a valid code. */
    public int categoryCode(final float value)
    {
        final int code = (int)value;
        return code == value && code >= 0 && code < categories.size() ? code : -1;
    }
}
