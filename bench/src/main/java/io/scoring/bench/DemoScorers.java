package io.scoring.bench;

import io.scoring.gateway.DemoBundle;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.OnnxRuntimes;
import io.scoring.router.runtime.Scorer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A version of a demo model loaded as the gateway loads it, for the scoring benchmarks. */
final class DemoScorers
{
    /** The model's config and the version's scorer (the caller closes it). */
    record Loaded(ModelConfig config, Scorer scorer)
    {
    }

    private DemoScorers()
    {
    }

    static Loaded load(final String model, final String version, final OnnxRuntimes.Choice choice) throws Exception
    {
        final Path dir = DemoBundle.models().resolve(model);
        final ModelConfig config;
        try (InputStream in = Files.newInputStream(dir.resolve("model.json")))
        {
            config = ModelConfig.parse(in, model);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("demo model " + model + ": " + ex.getMessage(), ex);
        }
        return new Loaded(config, OnnxRuntimes.load(Files.readAllBytes(dir.resolve(version).resolve("model.onnx")), config, 64, choice));
    }
}
