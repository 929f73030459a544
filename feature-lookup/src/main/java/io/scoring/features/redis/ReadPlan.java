package io.scoring.features.redis;

import io.scoring.features.FeatureStore;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What to ask Redis for one set of columns (a model's stored features), worked out once and reused by every
 * request for them: the HMGET fields, already encoded as the command's arguments, and how each field's reply
 * becomes a value.
 *
 * <p>The fields, in order: one per requested column that the store holds (its value), then one {@code _ts:<view>}
 * per feature view among them that has a {@code max_age} (its event time). Views without a {@code max_age} send
 * no {@code _ts}: nothing reads it.
 *
 * <p>A row's result, wherever it was read (a reply or the near cache), is {@code valueCount} values with their
 * statuses, {@code timedViewCount} timestamps and whether the entity was found at all; {@link #copyRow} turns it
 * into the caller's values and statuses, deciding staleness against the clock then.
 *
 * <p>Immutable; shared between threads.
 */
final class ReadPlan
{
    /** A timestamp the reply did not hold. */
    static final long NO_TIMESTAMP = Long.MIN_VALUE + 1;

    private static final byte[] CRLF = { '\r', '\n' };

    /** A store column: a model feature bound to its hash field. */
    record Column(String name, View view, byte[] field, CategoryCodes categories)
    {
    }

    /** A feature view: its {@code _ts} field and the age past which its values are stale (0: any age). */
    record View(String name, byte[] timestampField, long maxAgeMs)
    {
    }

    /** The requested columns this plan is for: a copy, compared by content to find the plan again. */
    final int[] columns;
    /** Requested columns the store holds: the value fields of every HMGET. */
    final int valueCount;
    /** Feature views among them with a max_age: the {@code _ts} fields of every HMGET. */
    final int timedViewCount;
    /** For each requested column i: its value's index in a row's result, or -1 if the store does not hold it. */
    private final int[] valueOf;
    /** For each value: its column's category codes, or null. */
    private final CategoryCodes[] categories;
    /** For each value: its view's index among the timed views, or -1 if its view has no max_age. */
    private final int[] timedViewOf;
    private final long[] maxAgeMs;
    /** {@code *<2 + fields>\r\n$5\r\nHMGET\r\n}: what every HMGET of this plan starts with. */
    private final byte[] commandHeader;
    /** {@code $<length>\r\n<field>\r\n} for every field: what every HMGET of this plan ends with. */
    private final byte[] fieldArguments;

    ReadPlan(final int[] columns, final Column[] table)
    {
        this.columns = columns;
        valueOf = new int[columns.length];
        final List<Column> values = new ArrayList<>();
        final List<View> timedViews = new ArrayList<>();
        for (int i = 0; i < columns.length; i++)
        {
            final int column = columns[i];
            if (column < 0 || column >= table.length)
            {
                valueOf[i] = -1;
                continue;
            }
            valueOf[i] = values.size();
            values.add(table[column]);
            final View view = table[column].view();
            if (view.maxAgeMs() > 0 && !timedViews.contains(view))
            {
                timedViews.add(view);
            }
        }

        valueCount = values.size();
        timedViewCount = timedViews.size();
        categories = new CategoryCodes[valueCount];
        timedViewOf = new int[valueCount];
        for (int v = 0; v < valueCount; v++)
        {
            categories[v] = values.get(v).categories();
            timedViewOf[v] = timedViews.indexOf(values.get(v).view());
        }
        maxAgeMs = new long[timedViewCount];
        for (int w = 0; w < timedViewCount; w++)
        {
            maxAgeMs[w] = timedViews.get(w).maxAgeMs();
        }

        commandHeader = ("*" + (2 + valueCount + timedViewCount) + "\r\n$5\r\nHMGET\r\n").getBytes(StandardCharsets.US_ASCII);
        final ByteArrayOutputStream arguments = new ByteArrayOutputStream();
        values.forEach((column) -> writeBulkString(arguments, column.field()));
        timedViews.forEach((view) -> writeBulkString(arguments, view.timestampField()));
        fieldArguments = arguments.toByteArray();
    }

    /** Fields in every HMGET: values, then timestamps. */
    int fieldCount()
    {
        return valueCount + timedViewCount;
    }

    CategoryCodes categories(final int value)
    {
        return categories[value];
    }

    byte[] commandHeader()
    {
        return commandHeader;
    }

    byte[] fieldArguments()
    {
        return fieldArguments;
    }

    /**
     * Writes one row's result into the caller's arrays at {@code values[base + positions[i]]} and the same index
     * of {@code statuses}, for every requested column i. A value of a timed view is {@link FeatureStore#STATUS_STALE}
     * when its view's timestamp is missing or older than the view's max_age at {@code nowMs}, and
     * {@link FeatureStore#STATUS_INVALID_VALUE} when the timestamp is not one; either way its value is NaN.
     */
    void copyRow(
        final boolean found,
        final float[] rowValues,
        final byte[] rowStatuses,
        final int valueOffset,
        final long[] rowTimestamps,
        final int timestampOffset,
        final int[] positions,
        final float[] values,
        final byte[] statuses,
        final int base,
        final long nowMs)
    {
        for (int i = 0; i < positions.length; i++)
        {
            final int target = base + positions[i];
            final int v = valueOf[i];
            byte status = !found ? FeatureStore.STATUS_ENTITY_NOT_FOUND :
                v < 0 ? FeatureStore.STATUS_FEATURE_MISSING : rowStatuses[valueOffset + v];
            if (status == FeatureStore.STATUS_FOUND && timedViewOf[v] >= 0)
            {
                final int w = timedViewOf[v];
                status = ageStatus(rowTimestamps[timestampOffset + w], maxAgeMs[w], nowMs);
            }
            statuses[target] = status;
            values[target] = status == FeatureStore.STATUS_FOUND ? rowValues[valueOffset + v] : Float.NaN;
        }
    }

    /** Every requested value of a row marked {@code status}, NaN. */
    static void markRow(final int[] positions, final float[] values, final byte[] statuses, final int base, final byte status)
    {
        for (final int position : positions)
        {
            values[base + position] = Float.NaN;
            statuses[base + position] = status;
        }
    }

    private static byte ageStatus(final long timestampMs, final long maxAgeMs, final long nowMs)
    {
        if (timestampMs == FeastValues.INVALID_TIMESTAMP)
        {
            return FeatureStore.STATUS_INVALID_VALUE;
        }

        return timestampMs == NO_TIMESTAMP || nowMs - timestampMs > maxAgeMs ?
            FeatureStore.STATUS_STALE : FeatureStore.STATUS_FOUND;
    }

    private static void writeBulkString(final ByteArrayOutputStream out, final byte[] bytes)
    {
        out.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
        out.writeBytes(CRLF);
    }
}
