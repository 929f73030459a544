package io.scoring.router.runtime;

import java.util.Arrays;

/**
 * What one configured output is in a version's graph, resolved at load, and how the gateway answers it:
 * always one number per row (the scorer's float), described to V2 clients by {@link #datatype} and
 * {@link #shape} ({@code -1} marks the batch dimension).
 *
 * <ul>
 *   <li>{@link Kind#SCORE}: a float or double tensor {@code [batch]}, {@code [batch, 1]}, or
 *   {@code [batch, C]} of which {@code class} picks {@link #column}; answered as FP32.</li>
 *   <li>{@link Kind#ZIPMAP}: a ZipMap's sequence of maps; {@code class} picks the key, whose position
 *   among the ZipMap's class labels is {@link #column} of the tensor the ZipMap reads ({@link #fetched}),
 *   which the runtime fetches instead. Answered as FP32 {@code [batch]}.</li>
 *   <li>{@link Kind#LABEL}: an int32 or int64 label tensor, answered as INT64 (exact up to 2^24, the
 *   float the scorer carries).</li>
 *   <li>{@link Kind#STRING_LABEL}: a string label tensor {@code [batch]} or {@code [batch, 1]} from a
 *   classifier with {@code classlabels_strings}: the scorer carries the label's index in {@link #labels},
 *   answers give the label itself (V2 BYTES).</li>
 * </ul>
 *
 * @param name     the configured output name
 * @param fetched  the graph value the runtime reads (the ZipMap's input for a ZipMap, else {@code name})
 * @param kind     what the output is
 * @param width    the fetched tensor's columns (1 for {@code [batch]})
 * @param column   the column answered
 * @param datatype the answer's V2 datatype
 * @param shape    the answer's shape, the batch as -1
 * @param labels   a string label's vocabulary; {@link LabelVocabulary#NONE} for other kinds
 */
public record OutputForm(String name, String fetched, Kind kind, int width, int column, String datatype, long[] shape,
    LabelVocabulary labels)
{
    /** What a configured output is in the graph. */
    public enum Kind { SCORE, ZIPMAP, LABEL, STRING_LABEL }

    public OutputForm(final String name, final String fetched, final Kind kind, final int width, final int column,
        final String datatype, final long[] shape)
    {
        this(name, fetched, kind, width, column, datatype, shape, LabelVocabulary.NONE);
    }

    /** A float {@code [batch, 1]} output, the form of every output before classes and labels. */
    public static OutputForm floatColumn(final String name)
    {
        return new OutputForm(name, name, Kind.SCORE, 1, 0, "FP32", new long[]{-1, 1});
    }

    /** A string label's form: the label's index carried, the label answered, as V2 BYTES. */
    static OutputForm stringLabel(final String name, final long[] shape, final LabelVocabulary labels)
    {
        return new OutputForm(name, name, Kind.STRING_LABEL, 1, 0, "BYTES", shape, labels);
    }

    public boolean isStringLabel()
    {
        return kind == Kind.STRING_LABEL;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof OutputForm form && name.equals(form.name) && fetched.equals(form.fetched) &&
            kind == form.kind && width == form.width && column == form.column && datatype.equals(form.datatype) &&
            Arrays.equals(shape, form.shape) && labels.equals(form.labels);
    }

    @Override
    public int hashCode()
    {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString()
    {
        return name + ": " + kind + " " + datatype + " " + Arrays.toString(shape) +
            (width > 1 ? " (column " + column + " of " + width + " of '" + fetched + "')" : "") +
            (labels.size() > 0 ? " labels " + labels : "");
    }
}
