package io.scoring.router;

import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.features.SnapshotWriter;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.Scorer;
import io.scoring.router.traffic.TrafficPolicy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Models for router tests: a one-feature config, a real embedded store, and versions whose runtime
 * answers a constant (the version's number / 10), so a score tells which version served.
 */
final class TestModels
{
    static final String CONFIG = """
        {"name": "m", "entity_key": "id", "champion": "1", "input": {"name": "x"},
         "features": [{"name": "f", "source": "request", "type": "numeric", "default": 0}],
         "outputs": [{"name": "p"}]}""";

    private TestModels()
    {
    }

    static ModelConfig config() throws IOException
    {
        return ModelConfig.parse(new ByteArrayInputStream(CONFIG.getBytes(StandardCharsets.UTF_8)), "test");
    }

    static FeatureStore emptyStore() throws IOException
    {
        final Path file = Files.createTempFile("store", ".snapshot");
        try (SnapshotWriter writer = SnapshotWriter.create(file, List.of("unused")))
        {
            writer.append("nobody", new float[]{0});
        }
        return EmbeddedFeatureStore.load(file);
    }

    /** A runtime that answers {@code value} for every row; counts calls. */
    static class ConstantScorer implements Scorer
    {
        final float value;
        volatile boolean closed;

        ConstantScorer(final float value)
        {
            this.value = value;
        }

        @Override
        public int score(final float[] input, final int rows, final float[] output)
        {
            if (closed)
            {
                throw new IllegalStateException("scored after close");
            }
            java.util.Arrays.fill(output, 0, rows, value);
            return OK;
        }

        @Override
        public List<io.scoring.router.runtime.OutputForm> outputForms()
        {
            return List.of(io.scoring.router.runtime.OutputForm.floatColumn("score"));
        }

        @Override
        public String runtimeName()
        {
            return "constant";
        }

        @Override
        public int maxRows()
        {
            return 64;
        }

        @Override
        public void close()
        {
            closed = true;
        }
    }

    static ModelVersion version(final String name)
    {
        return new ModelVersion("m", name, new ConstantScorer(Float.parseFloat(name) / 10));
    }

    /** Versions "1".."n" loaded, under the policy. */
    static Model model(final int versions, final TrafficPolicy policy, final ShadowListener shadows) throws IOException
    {
        final List<ModelVersion> loaded = new ArrayList<>();
        for (int i = 1; i <= versions; i++)
        {
            loaded.add(version(Integer.toString(i)));
        }
        return new Model(config(), loaded, policy, List.of(), emptyStore(), shadows, ModelListener.NONE,
            new ModelRepository.Context());
    }

    static TrafficPolicy canary(final String champion, final String canary, final int basisPoints)
    {
        return new TrafficPolicy(champion, new TrafficPolicy.Share(canary, basisPoints), List.of());
    }
}
