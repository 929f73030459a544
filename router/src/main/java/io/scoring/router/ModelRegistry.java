package io.scoring.router;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The models the gateway serves, by name. Immutable; read concurrently by the transport threads. */
public final class ModelRegistry implements AutoCloseable
{
    private final Map<String, Model> models;

    public ModelRegistry(final Collection<Model> models)
    {
        final Map<String, Model> byName = new TreeMap<>();
        models.forEach((model) -> byName.put(model.name(), model));
        this.models = Collections.unmodifiableMap(byName);
    }

    /** The model with this name, or null. Allocates nothing. */
    public Model model(final String name)
    {
        return models.get(name);
    }

    public Collection<Model> models()
    {
        return models.values();
    }

    /** Closes every version's runtime. Only once no thread is scoring. */
    @Override
    public void close()
    {
        models.values().forEach((model) -> model.versions().values().forEach((v) -> v.scorer().close()));
    }
}
