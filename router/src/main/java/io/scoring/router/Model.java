package io.scoring.router;

import io.scoring.features.FeatureStore;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.ModelConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model: its config, its loaded versions, which one is the champion, and where its stored features
 * sit in the feature store (bound once, here, so a request copies them without looking anything up
 * by name).
 *
 * <p>Threading: immutable after construction; read concurrently by the transport threads.
 */
public final class Model
{
    private final ModelConfig config;
    private final Map<String, ModelVersion> versions;
    private final ModelVersion champion;
    private final FeatureStore store;
    private final int[] storeColumns;
    private final int[] storePositions;
    private final FeatureSpec[] storeFeatures;

    public Model(final ModelConfig config, final List<ModelVersion> versions, final FeatureStore store)
    {
        this.config = config;
        final Map<String, ModelVersion> byName = new TreeMap<>();
        versions.forEach((version) -> byName.put(version.version(), version));
        this.versions = Collections.unmodifiableMap(byName);
        this.champion = byName.get(config.champion());
        if (null == champion)
        {
            throw new IllegalArgumentException("model '" + config.name() + "': champion version '" +
                config.champion() + "' is not loaded; loaded: " + byName.keySet());
        }

        this.store = store;
        final List<FeatureSpec> stored = new ArrayList<>();
        for (final FeatureSpec feature : config.features())
        {
            if (feature.source() == FeatureSpec.Source.STORE)
            {
                stored.add(feature);
            }
        }
        storeFeatures = stored.toArray(new FeatureSpec[0]);
        storeColumns = new int[storeFeatures.length];
        storePositions = new int[storeFeatures.length];
        for (int i = 0; i < storeFeatures.length; i++)
        {
            storeColumns[i] = store.columnIndex(storeFeatures[i].name());
            storePositions[i] = storeFeatures[i].index();
            if (storeColumns[i] == FeatureStore.MISSING_COLUMN)
            {
                throw new IllegalArgumentException("model '" + config.name() + "': feature '" +
                    storeFeatures[i].name() + "' comes from the store, but the " + store.name() +
                    " store has no such feature");
            }
        }
    }

    public String name()
    {
        return config.name();
    }

    public ModelConfig config()
    {
        return config;
    }

    public Map<String, ModelVersion> versions()
    {
        return versions;
    }

    public ModelVersion champion()
    {
        return champion;
    }

    /** The loaded version with this name, or null. */
    public ModelVersion version(final String version)
    {
        return versions.get(version);
    }

    /** The role a version plays when a request names it. */
    public Role roleOf(final ModelVersion version)
    {
        return version == champion ? Role.CHAMPION : Role.PINNED;
    }

    /**
     * Copies the stored features of {@code rows} entities into their input vectors ({@code featureCount}
     * floats per row, model order) in one store call, with each value's status beside it (see
     * {@link FeatureStore#lookupAll}).
     */
    public void lookupStoredFeatures(
        final CharSequence[] entityKeys, final int rows, final float[] inputs, final byte[] statuses)
    {
        store.lookupAll(entityKeys, rows, storeColumns, storePositions, inputs, statuses, config.featureCount());
    }

    /** The features this model reads from the store, in model order. */
    public FeatureSpec[] storeFeatures()
    {
        return storeFeatures;
    }
}
