package io.scoring.training;

import java.util.ArrayList;
import java.util.List;

/**
 * The German Credit table split into what a model sees and what it predicts.
 *
 * <p>Features: every attribute but {@value #LABEL_ATTRIBUTE}, in the file's order, encoded by
 * {@link ArffAttribute#encode}. Label: 1 for {@value #POSITIVE_CLASS}, 0 otherwise. Applicant ids
 * {@code A0001}..{@code A1000} follow the file's row order.
 */
public record CreditData(List<ArffAttribute> features, float[][] rows, float[] labels, List<String> applicantIds)
{
    public static final String LABEL_ATTRIBUTE = "class";
    public static final String POSITIVE_CLASS = "bad";

    public CreditData
    {
        features = List.copyOf(features);
        applicantIds = List.copyOf(applicantIds);
    }

    public static CreditData from(final ArffTable table)
    {
        final int labelColumn = table.indexOf(LABEL_ATTRIBUTE);
        final ArffAttribute label = table.attributes().get(labelColumn);
        final int positive = label.categories().indexOf(POSITIVE_CLASS);
        if (positive < 0)
        {
            throw new IllegalArgumentException("attribute " + LABEL_ATTRIBUTE + " has no category " + POSITIVE_CLASS);
        }

        final List<ArffAttribute> features = new ArrayList<>(table.attributes());
        features.remove(labelColumn);

        final int n = table.rows().size();
        final float[][] rows = new float[n][];
        final float[] labels = new float[n];
        final List<String> ids = new ArrayList<>(n);
        for (int r = 0; r < n; r++)
        {
            final float[] source = table.rows().get(r);
            final float[] row = new float[features.size()];
            for (int c = 0, f = 0; c < source.length; c++)
            {
                if (c != labelColumn)
                {
                    row[f++] = source[c];
                }
            }
            if (Float.isNaN(source[labelColumn]))
            {
                throw new IllegalArgumentException("row " + (r + 1) + " has no label");
            }
            rows[r] = row;
            labels[r] = source[labelColumn] == positive ? 1f : 0f;
            ids.add(applicantId(r));
        }
        return new CreditData(features, rows, labels, ids);
    }

    /** The id of the applicant on row {@code row} (0-based) of the file: A0001 for the first. */
    public static String applicantId(final int row)
    {
        return String.format("A%04d", row + 1);
    }

    public int size()
    {
        return rows.length;
    }

    public int featureCount()
    {
        return features.size();
    }

    public float[][] rows(final int[] subset)
    {
        final float[][] selected = new float[subset.length][];
        for (int i = 0; i < subset.length; i++)
        {
            selected[i] = rows[subset[i]];
        }
        return selected;
    }

    public float[] labels(final int[] subset)
    {
        return select(labels, subset);
    }

    static float[] select(final float[] values, final int[] subset)
    {
        final float[] selected = new float[subset.length];
        for (int i = 0; i < subset.length; i++)
        {
            selected[i] = values[subset[i]];
        }
        return selected;
    }
}
