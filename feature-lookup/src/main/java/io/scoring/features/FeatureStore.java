package io.scoring.features;

/**
 * Where the gateway finds an entity's stored features.
 *
 * <p>The store is a table: one row per entity key, one column per feature. A model version binds its
 * stored features to columns once, when it loads ({@link #columnIndex}); each request then copies the
 * entity's values straight into the model's input vector ({@link #lookup}).
 *
 * <p>Threading: {@code lookup} is called concurrently from the transport threads, on the response
 * path. Implementations never allocate, block on I/O without a deadline, or throw from it; an
 * outcome is a return code.
 */
public interface FeatureStore extends AutoCloseable
{
    /** {@link #lookup} found the entity and copied its values. */
    int FOUND = 0;

    /** {@link #lookup} did not find the entity; the target was not touched. */
    int ENTITY_NOT_FOUND = 1;

    /** What {@link #columnIndex} answers for a feature the store does not hold. */
    int MISSING_COLUMN = -1;

    /** Per-value statuses {@link #lookupAll} writes; numbered as the scoring API's FeatureStatus.Reason. */
    byte STATUS_FOUND = 0;
    /** The store has no such entity. */
    byte STATUS_ENTITY_NOT_FOUND = 1;
    /** The entity is stored, without this feature. */
    byte STATUS_FEATURE_MISSING = 2;
    /** The value is older than its feature view's maximum age. */
    byte STATUS_STALE = 4;
    /** The store did not answer in time, failed, or is cut off by its circuit breaker. */
    byte STATUS_STORE_UNAVAILABLE = 5;
    /** The stored bytes are not a valid value. */
    byte STATUS_INVALID_VALUE = 6;

    /** A short name for logs and metrics, e.g. {@code embedded}. */
    String name();

    /**
     * The column holding {@code feature}'s values as the model's input, or {@link #MISSING_COLUMN}. Called at model
     * load, not per request. Two models binding one feature differently (another reference or other categories) get
     * different columns.
     */
    int columnIndex(StoredFeature feature);

    /** {@link #columnIndex(StoredFeature)} of a numeric feature found by its name: tools and benchmarks. */
    default int columnIndex(final String featureName)
    {
        return columnIndex(StoredFeature.numeric(featureName));
    }

    /**
     * Copies the entity's value of column {@code columns[i]} into {@code target[targetOffset + positions[i]]},
     * for every i. A value the entity does not have is written as NaN, for the caller to default.
     *
     * @return {@link #FOUND} or {@link #ENTITY_NOT_FOUND}
     */
    int lookup(CharSequence entityKey, int[] columns, int[] positions, float[] target, int targetOffset);

    /**
     * Looks up {@code rows} entities at once (a networked store does it in one round trip): for row r
     * and every i, the value of column {@code columns[i]} goes to {@code values[r * stride + positions[i]]}
     * (NaN when absent) and why it is absent to {@code statuses} at the same index ({@link #STATUS_FOUND}
     * when present). Never throws; a store that cannot answer marks the values unavailable.
     *
     * <p>The default calls {@link #lookup} once per row, which suits an in-process store.
     */
    default void lookupAll(
        final CharSequence[] entityKeys,
        final int rows,
        final int[] columns,
        final int[] positions,
        final float[] values,
        final byte[] statuses,
        final int stride)
    {
        for (int row = 0; row < rows; row++)
        {
            final int base = row * stride;
            final boolean found = lookup(entityKeys[row], columns, positions, values, base) == FOUND;
            for (final int position : positions)
            {
                if (!found)
                {
                    values[base + position] = Float.NaN;
                    statuses[base + position] = STATUS_ENTITY_NOT_FOUND;
                }
                else
                {
                    statuses[base + position] = Float.isNaN(values[base + position]) ? STATUS_FEATURE_MISSING : STATUS_FOUND;
                }
            }
        }
    }

    /**
     * {@link #lookupAll} for a caller that stops waiting at {@code deadlineNanos} ({@link System#nanoTime()}):
     * a networked store waits no longer than that, nor than its own deadline, and marks what did not arrive
     * in time unavailable. The default, for an in-process store that never waits, ignores it.
     */
    default void lookupAll(
        final CharSequence[] entityKeys,
        final int rows,
        final int[] columns,
        final int[] positions,
        final float[] values,
        final byte[] statuses,
        final int stride,
        final long deadlineNanos)
    {
        lookupAll(entityKeys, rows, columns, positions, values, statuses, stride);
    }

    /** Lookups a near cache in front of the store answered, since start; 0 for a store without one. */
    default long cacheHits()
    {
        return 0;
    }

    /** Lookups a near cache passed on to the store, since start; 0 for a store without one. */
    default long cacheMisses()
    {
        return 0;
    }

    @Override
    void close();
}
