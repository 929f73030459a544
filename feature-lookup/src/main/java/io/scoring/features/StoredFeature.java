package io.scoring.features;

import java.util.List;
import java.util.Objects;

/**
 * A model feature as a store binds it ({@link FeatureStore#columnIndex(StoredFeature)}): everything a store needs
 * to find the feature's values and turn them into the model's input, given once, when a model version loads.
 *
 * <ul>
 *   <li>{@code name}: the model's name for the feature;</li>
 *   <li>{@code reference}: where a store organised in Feast's feature views finds it, {@code "<view>:<feature>"}
 *       (Feast's feature reference), or null: the store's own default (the embedded store, keyed by model feature
 *       names, always binds by {@code name});</li>
 *   <li>{@code categories}: a categorical feature's category names in code order (the model sees a category's
 *       index as a float), empty for a numeric feature. A store that keeps category names (Feast's
 *       {@code string_val}) maps them to codes with it.</li>
 * </ul>
 *
 * <p>Immutable. Made at model load, never on the request path.
 */
public record StoredFeature(String name, String reference, List<String> categories)
{
    public StoredFeature
    {
        Objects.requireNonNull(name, "name");
        categories = List.copyOf(categories);
    }

    /** A numeric feature the store finds by its name alone. */
    public static StoredFeature numeric(final String name)
    {
        return new StoredFeature(name, null, List.of());
    }

    public boolean isCategorical()
    {
        return !categories.isEmpty();
    }

    /** Whether {@code reference} is a Feast feature reference: {@code "<view>:<feature>"}, both parts non-empty. */
    public static boolean isReference(final String reference)
    {
        final int colon = null == reference ? -1 : reference.indexOf(':');
        return colon > 0 && colon < reference.length() - 1;
    }
}
