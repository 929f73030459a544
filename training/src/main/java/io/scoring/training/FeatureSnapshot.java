package io.scoring.training;

import io.scoring.features.SnapshotWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the applicants' stored features, the ones model.json sources from the store, in model order,
 * keyed by applicant id: what the gateway's embedded feature store serves in the demo.
 */
final class FeatureSnapshot
{
    private FeatureSnapshot()
    {
    }

    static void write(final Path file, final CreditData data, final List<ModelFeature> features) throws IOException
    {
        final List<String> names = new ArrayList<>();
        final List<Integer> columns = new ArrayList<>();
        for (int f = 0; f < features.size(); f++)
        {
            if (features.get(f).source() == ModelFeature.Source.STORE)
            {
                names.add(features.get(f).name());
                columns.add(f);
            }
        }

        Files.createDirectories(file.toAbsolutePath().getParent());
        try (SnapshotWriter writer = SnapshotWriter.create(file, names))
        {
            final float[] values = new float[columns.size()];
            for (int row = 0; row < data.size(); row++)
            {
                for (int i = 0; i < values.length; i++)
                {
                    values[i] = data.rows()[row][columns.get(i)];
                }
                writer.append(data.applicantIds().get(row), values);
            }
        }
    }
}
