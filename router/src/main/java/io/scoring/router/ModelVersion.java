package io.scoring.router;

import io.scoring.router.runtime.Scorer;

/** One loaded, validated and warmed-up version of a model, ready to score. Immutable. */
public final class ModelVersion
{
    private final String model;
    private final String version;
    private final Scorer scorer;

    public ModelVersion(final String model, final String version, final Scorer scorer)
    {
        this.model = model;
        this.version = version;
        this.scorer = scorer;
    }

    public String model()
    {
        return model;
    }

    public String version()
    {
        return version;
    }

    public Scorer scorer()
    {
        return scorer;
    }

    public String runtimeName()
    {
        return scorer.runtimeName();
    }
}
