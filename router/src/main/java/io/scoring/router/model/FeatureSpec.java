package io.scoring.router.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One input feature of a model: where its value comes from, how it is encoded, and what it takes when
 * absent. Immutable; built once when the model config loads.
 */
public final class FeatureSpec
{
    /** Where a feature's value comes from. */
    public enum Source { REQUEST, STORE }

    /** How a feature's value is encoded into the model's float input. */
    public enum Type { NUMERIC, CATEGORICAL }

    /** What {@link #categoryCode} answers for a name that is not one of the categories. */
    public static final int UNKNOWN_CATEGORY = -1;

    private final String name;
    private final int index;
    private final Source source;
    private final Type type;
    private final List<String> categories;
    private final NameIndex<Integer> codeByCategory;
    private final float defaultValue;
    private final String featureRef;

    FeatureSpec(
        final String name,
        final int index,
        final Source source,
        final Type type,
        final List<String> categories,
        final float defaultValue,
        final String featureRef)
    {
        this.featureRef = featureRef;
        this.name = name;
        this.index = index;
        this.source = source;
        this.type = type;
        this.categories = List.copyOf(categories);
        final Map<String, Integer> codes = new HashMap<>();
        for (int i = 0; i < categories.size(); i++)
        {
            codes.put(categories.get(i), i);
        }
        this.codeByCategory = NameIndex.of(codes);
        this.defaultValue = defaultValue;
    }

    public String name()
    {
        return name;
    }

    /** Position in the model's input vector. */
    public int index()
    {
        return index;
    }

    public Source source()
    {
        return source;
    }

    public Type type()
    {
        return type;
    }

    public boolean isCategorical()
    {
        return type == Type.CATEGORICAL;
    }

    public List<String> categories()
    {
        return categories;
    }

    /** The float the model sees for a category name, or {@link #UNKNOWN_CATEGORY}. Allocates nothing. */
    public int categoryCode(final CharSequence category)
    {
        final Integer code = codeByCategory.get(category);
        return null == code ? UNKNOWN_CATEGORY : code;
    }

    /**
     * Where a store organised in Feast feature views finds this store feature: Feast's feature reference
     * {@code "<view>:<feature>"}, or null for the store's default ({@code "<default view>:<name>"}).
     */
    public String featureRef()
    {
        return featureRef;
    }

    public boolean hasDefault()
    {
        return !Float.isNaN(defaultValue);
    }

    /** The encoded default, NaN when the feature has none (a request feature that must be sent). */
    public float defaultValue()
    {
        return defaultValue;
    }
}
