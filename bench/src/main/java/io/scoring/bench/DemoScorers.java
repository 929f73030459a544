package io.scoring.bench;

import io.scoring.gateway.DemoBundle;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.OnnxRuntimes;
import io.scoring.router.runtime.Scorer;
import io.scoring.testsupport.StringLabelModels;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A version of a demo model loaded as the gateway loads it, for the scoring benchmarks. */
final class DemoScorers
{
    /** The model's config and the version's scorer (the caller closes it). */
    record Loaded(ModelConfig config, Scorer scorer)
    {
    }

    private static final String STRINGS = "-strings";

    private DemoScorers()
    {
    }

    /**
     * The version as the gateway loads it. A version named {@code <v>-strings} is version v exported as
     * if trained on string classes ("good", "bad": {@link StringLabelModels}), its ZipMap's class "bad".
     */
    static Loaded load(final String model, final String version, final OnnxRuntimes.Choice choice) throws Exception
    {
        final Path dir = DemoBundle.models().resolve(model);
        final boolean strings = version.endsWith(STRINGS);
        final ModelConfig config;
        try
        {
            String json = Files.readString(dir.resolve("model.json"));
            json = strings ? json.replace("\"class\": 1", "\"class\": \"bad\"") : json;
            config = ModelConfig.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), model);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("demo model " + model + ": " + ex.getMessage(), ex);
        }
        final String folder = strings ? version.substring(0, version.length() - STRINGS.length()) : version;
        byte[] onnx = Files.readAllBytes(dir.resolve(folder).resolve("model.onnx"));
        onnx = strings ? StringLabelModels.withStringLabels(onnx, List.of("good", "bad")) : onnx;
        return new Loaded(config, OnnxRuntimes.load(onnx, config, 64, choice));
    }
}
