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

    /** A short name for logs and metrics, e.g. {@code embedded}. */
    String name();

    /** The column holding {@code featureName}, or {@link #MISSING_COLUMN}. Called at model load, not per request. */
    int columnIndex(String featureName);

    /**
     * Copies the entity's value of column {@code columns[i]} into {@code target[targetOffset + positions[i]]},
     * for every i. A value the entity does not have is written as NaN, for the caller to default.
     *
     * @return {@link #FOUND} or {@link #ENTITY_NOT_FOUND}
     */
    int lookup(CharSequence entityKey, int[] columns, int[] positions, float[] target, int targetOffset);

    @Override
    void close();
}
