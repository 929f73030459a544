package io.scoring.monitoring.sampling;

import io.scoring.monitoring.VersionSpec;

/**
 * A (model version, role) that offers samples, and the small integer that stands for it in the sample
 * queue's binary records so producers never encode names.
 */
public record SampleSource(int id, VersionSpec spec, String role)
{
    public String model()
    {
        return spec.model();
    }

    public String version()
    {
        return spec.version();
    }
}
