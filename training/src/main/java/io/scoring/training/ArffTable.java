package io.scoring.training;

import java.util.List;

/** An ARFF file's attributes and its rows, every value encoded as a float (see {@link ArffAttribute}). */
public record ArffTable(String relation, List<ArffAttribute> attributes, List<float[]> rows)
{
    public ArffTable
    {
        attributes = List.copyOf(attributes);
        rows = List.copyOf(rows);
    }

    /** The position of the attribute named {@code name}. */
    public int indexOf(final String name)
    {
        for (int i = 0; i < attributes.size(); i++)
        {
            if (attributes.get(i).name().equals(name))
            {
                return i;
            }
        }
        throw new IllegalArgumentException("no attribute named " + name + " in relation " + relation);
    }
}
