package io.scoring.monitoring;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One feature's training-time distribution.
 *
 * <p>Numeric: the inner quantile bin edges (ascending, distinct; a value v falls in bin i when
 * {@code edges[i-1] < v <= edges[i]}), the training rows per bin, and a sorted reference sample for
 * Kolmogorov-Smirnov (all training values up to {@link ReferenceProfile#MAX_SAMPLE}, else that many
 * evenly spaced order statistics). Categorical: the training rows per category, in code order.
 *
 * <p>Shares are add-one-half (Jeffreys) smoothed, {@code (count + 1/2) / (rows + bins/2)}, so a bin
 * or category no training row fell in still has a small positive expected share (chi-squared needs
 * one, PSI's logarithm too). Immutable.
 */
final class FeatureReference
{
    private final String name;
    private final List<String> categories;
    private final double[] edges;
    private final long[] counts;
    private final double[] sortedSample;
    private final double[] shares;
    private final double[] rawShares;
    private final List<String> binLabels;

    FeatureReference(
        final String name, final List<String> categories, final double[] edges, final long[] counts, final double[] sortedSample)
    {
        this.name = name;
        this.categories = List.copyOf(categories);
        this.edges = edges;
        this.counts = counts;
        this.sortedSample = sortedSample;
        long rows = 0;
        for (final long count : counts)
        {
            rows += count;
        }
        shares = new double[counts.length];
        for (int i = 0; i < counts.length; i++)
        {
            shares[i] = (counts[i] + 0.5) / (rows + 0.5 * counts.length);
        }
        rawShares = new double[counts.length];
        for (int i = 0; i < counts.length; i++)
        {
            rawShares[i] = rows == 0 ? 0.0 : counts[i] / (double)rows;
        }
        binLabels = isCategorical() ? this.categories : numericBinLabels(edges);
    }

    /** "≤ a", "(a, b]", ..., "> z": how {@link #bin} cuts the line at the inner edges. */
    private static List<String> numericBinLabels(final double[] edges)
    {
        if (edges.length == 0)
        {
            return List.of("all");
        }
        final List<String> labels = new ArrayList<>(edges.length + 1);
        for (int i = 0; i <= edges.length; i++)
        {
            labels.add(i == 0 ? "≤ " + number(edges[0]) : i == edges.length ? "> " + number(edges[i - 1]) :
                "(" + number(edges[i - 1]) + ", " + number(edges[i]) + "]");
        }
        return List.copyOf(labels);
    }

    private static String number(final double value)
    {
        return BigDecimal.valueOf(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    String name()
    {
        return name;
    }

    boolean isCategorical()
    {
        return !categories.isEmpty();
    }

    List<String> categories()
    {
        return categories;
    }

    int binCount()
    {
        return counts.length;
    }

    /** The bin a numeric value falls in. */
    int bin(final double value)
    {
        return bin(edges, value);
    }

    static int bin(final double[] edges, final double value)
    {
        final int found = Arrays.binarySearch(edges, value);
        return found >= 0 ? found : -found - 1;
    }

    double[] edges()
    {
        return edges;
    }

    long[] counts()
    {
        return counts;
    }

    double[] shares()
    {
        return shares;
    }

    /** The training rows' shares per bin, as counted (the display's; the tests use the smoothed {@link #shares}). */
    double[] rawShares()
    {
        return rawShares;
    }

    /** A name per bin: the category, or the numeric interval. */
    List<String> binLabels()
    {
        return binLabels;
    }

    double[] sortedSample()
    {
        return sortedSample;
    }
}
