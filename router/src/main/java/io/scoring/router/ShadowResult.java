package io.scoring.router;

/**
 * One request as a shadow scored it, beside what the champion answered. A flyweight owned by the
 * shadow's thread: valid only during {@link ShadowListener#onShadowScored}.
 */
public final class ShadowResult
{
    String model;
    String shadowVersion;
    String championVersion;
    String requestId;
    int rows;
    int featureCount;
    int outputCount;
    float[] features;
    float[] championScores;
    float[] shadowScores;
    long shadowNanos;
    long championNanos;

    public String model()
    {
        return model;
    }

    public String shadowVersion()
    {
        return shadowVersion;
    }

    public String championVersion()
    {
        return championVersion;
    }

    public String requestId()
    {
        return requestId;
    }

    public int rows()
    {
        return rows;
    }

    public int featureCount()
    {
        return featureCount;
    }

    public int outputCount()
    {
        return outputCount;
    }

    /** The assembled inputs, {@code featureCount} floats per row. */
    public float[] features()
    {
        return features;
    }

    /** What the answering version scored, {@code outputCount} floats per row. */
    public float[] championScores()
    {
        return championScores;
    }

    public float[] shadowScores()
    {
        return shadowScores;
    }

    /** How long the answering version took to score the same request. */
    public long championNanos()
    {
        return championNanos;
    }

    /** How long the shadow took to score. */
    public long shadowNanos()
    {
        return shadowNanos;
    }
}
