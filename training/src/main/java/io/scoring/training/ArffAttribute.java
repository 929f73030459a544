package io.scoring.training;

import java.util.List;

/**
 * One attribute of an ARFF file: numeric (no categories) or nominal (its categories in declared order).
 *
 * <p>A value is encoded as a float: a number as itself, a category as its index in {@link #categories}.
 */
public record ArffAttribute(String name, List<String> categories)
{
    public ArffAttribute
    {
        categories = List.copyOf(categories);
    }

    public static ArffAttribute numeric(final String name)
    {
        return new ArffAttribute(name, List.of());
    }

    public static ArffAttribute nominal(final String name, final List<String> categories)
    {
        if (categories.isEmpty())
        {
            throw new IllegalArgumentException("nominal attribute " + name + " declares no categories");
        }
        return new ArffAttribute(name, categories);
    }

    public boolean isNumeric()
    {
        return categories.isEmpty();
    }

    /** The encoded value of {@code raw}; "?" (ARFF's missing value) is NaN. */
    public float encode(final String raw)
    {
        if ("?".equals(raw))
        {
            return Float.NaN;
        }
        if (isNumeric())
        {
            try
            {
                return Float.parseFloat(raw);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("attribute " + name + ": not a number: '" + raw + "'", ex);
            }
        }
        final int index = categories.indexOf(raw);
        if (index < 0)
        {
            throw new IllegalArgumentException("attribute " + name + ": undeclared category '" + raw + "'");
        }
        return index;
    }

    /** The category an encoded value stands for. */
    public String category(final float encoded)
    {
        return categories.get((int)encoded);
    }
}
