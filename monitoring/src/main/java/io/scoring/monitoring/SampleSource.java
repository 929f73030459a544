package io.scoring.monitoring;

/**
 * A (model version, role) that offers samples, and the small integer that stands for it in the sample
 * queue's binary records so producers never encode names.
 */
record SampleSource(int id, VersionSpec spec, String role)
{
    String model()
    {
        return spec.model();
    }

    String version()
    {
        return spec.version();
    }
}
