package io.scoring.training;

import java.util.Arrays;

/** Per-column statistics over a subset of rows (the training part): what defaults and scaling come from. */
final class ColumnStats
{
    private ColumnStats()
    {
    }

    /** The median; the mean of the two middle values when the count is even. */
    static double median(final float[][] rows, final int column)
    {
        final float[] values = column(rows, column);
        Arrays.sort(values);
        final int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + (double)values[middle]) / 2;
    }

    /** The most frequent category index; the lowest index among equally frequent ones. */
    static int mode(final float[][] rows, final int column, final int categoryCount)
    {
        final int[] counts = new int[categoryCount];
        for (final float[] row : rows)
        {
            counts[(int)row[column]]++;
        }
        int mode = 0;
        for (int c = 1; c < categoryCount; c++)
        {
            if (counts[c] > counts[mode])
            {
                mode = c;
            }
        }
        return mode;
    }

    static double mean(final float[][] rows, final int column)
    {
        double sum = 0;
        for (final float[] row : rows)
        {
            sum += row[column];
        }
        return sum / rows.length;
    }

    /** The population standard deviation. */
    static double standardDeviation(final float[][] rows, final int column)
    {
        final double mean = mean(rows, column);
        double sum = 0;
        for (final float[] row : rows)
        {
            final double d = row[column] - mean;
            sum += d * d;
        }
        return Math.sqrt(sum / rows.length);
    }

    private static float[] column(final float[][] rows, final int column)
    {
        final float[] values = new float[rows.length];
        for (int i = 0; i < rows.length; i++)
        {
            values[i] = rows[i][column];
        }
        return values;
    }
}
