package io.scoring.router;

import io.scoring.features.FeatureStore;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.OnnxRuntimes;
import io.scoring.router.runtime.Scorer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads models from a repository on disk laid out as {@code <repo>/<model>/model.json} plus
 * {@code <repo>/<model>/<version>/model.onnx} (docs/MODEL_REPOSITORY.md). The path may be inside a
 * jar's file system, which is how the bundled demo loads.
 */
public final class ModelRepository
{
    static final String CONFIG_FILE = "model.json";
    static final String MODEL_FILE = "model.onnx";

    private final Path root;
    private final FeatureStore store;
    private final int maxRows;

    public ModelRepository(final Path root, final FeatureStore store, final int maxRows)
    {
        this.root = root;
        this.store = store;
        this.maxRows = maxRows;
    }

    /** Loads every model and every version; the first one that fails stops the load and is named. */
    public ModelRegistry loadAll() throws IOException
    {
        final List<Model> models = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root))
        {
            for (final Path dir : dirs.sorted().toList())
            {
                if (Files.isRegularFile(dir.resolve(CONFIG_FILE)))
                {
                    models.add(loadModel(dir));
                }
            }
        }
        if (models.isEmpty())
        {
            throw new IOException("no models under " + root + " (expected <model>/" + CONFIG_FILE + ")");
        }
        return new ModelRegistry(models);
    }

    private Model loadModel(final Path dir) throws IOException
    {
        final ModelConfig config;
        try (InputStream in = Files.newInputStream(dir.resolve(CONFIG_FILE)))
        {
            config = ModelConfig.parse(in, dir.resolve(CONFIG_FILE).toString());
        }
        final List<ModelVersion> versions = new ArrayList<>();
        try (Stream<Path> versionDirs = Files.list(dir))
        {
            for (final Path versionDir : versionDirs.sorted().toList())
            {
                if (Files.isRegularFile(versionDir.resolve(MODEL_FILE)))
                {
                    versions.add(loadVersion(config, versionDir));
                }
            }
        }
        try
        {
            return new Model(config, versions, store);
        }
        catch (final IllegalArgumentException ex)
        {
            versions.forEach((v) -> v.scorer().close());
            throw new IOException(ex.getMessage(), ex);
        }
    }

    private ModelVersion loadVersion(final ModelConfig config, final Path versionDir) throws IOException
    {
        final String version = versionDir.getFileName().toString().replace("/", "");
        try
        {
            final Scorer scorer = OnnxRuntimes.load(Files.readAllBytes(versionDir.resolve(MODEL_FILE)), config, maxRows);
            return new ModelVersion(config.name(), version, scorer);
        }
        catch (final Exception ex)
        {
            throw new IOException("model '" + config.name() + "' version '" + version + "' failed to load: " +
                ex.getMessage(), ex);
        }
    }
}
