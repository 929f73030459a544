package io.scoring.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scoring.features.FeatureStore;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.OnnxRuntimes;
import io.scoring.router.runtime.Scorer;
import io.scoring.router.state.AuditLog;
import io.scoring.router.state.StateStore;
import io.scoring.router.traffic.TrafficPolicy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads models from a repository on disk laid out as {@code <repo>/<model>/model.json} plus
 * {@code <repo>/<model>/<version>/model.onnx} (docs/MODEL_REPOSITORY.md). The path may be inside a
 * jar's file system, which is how the bundled demo loads.
 *
 * <p>At start, the saved router state (if any) says which versions to load and under which policy;
 * without one, every version on disk loads and the config's champion takes all the traffic.
 */
public final class ModelRepository implements Model.VersionLoader
{
    static final String CONFIG_FILE = "model.json";
    static final String MODEL_FILE = "model.onnx";
    /** Version names are folder names: no separators, no dot-dot. */
    private static final Pattern VERSION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Path root;
    private final FeatureStore store;
    private final int maxRows;

    public ModelRepository(final Path root, final FeatureStore store, final int maxRows)
    {
        this.root = root;
        this.store = store;
        this.maxRows = maxRows;
    }

    /** Every model and version on disk, champion-only policies, nothing persisted. */
    public ModelRegistry loadAll() throws IOException
    {
        return loadAll(StateStore.NONE, null, ShadowListener.NONE, ModelListener.NONE);
    }

    /** Loads what the saved state names (or everything), under its policies; the first failure stops the start. */
    public ModelRegistry loadAll(
        final StateStore stateStore, final AuditLog audit, final ShadowListener shadows, final ModelListener listener)
        throws IOException
    {
        final Optional<ObjectNode> saved = stateStore.load();
        final List<Model> models = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root))
        {
            for (final Path dir : dirs.sorted().toList())
            {
                if (Files.isRegularFile(dir.resolve(CONFIG_FILE)))
                {
                    models.add(loadModel(dir, saved, shadows, listener));
                }
            }
        }
        if (models.isEmpty())
        {
            throw new IOException("no models under " + root + " (expected <model>/" + CONFIG_FILE + ")");
        }
        return new ModelRegistry(models, this, stateStore, audit);
    }

    private Model loadModel(
        final Path dir, final Optional<ObjectNode> saved, final ShadowListener shadows, final ModelListener listener)
        throws IOException
    {
        final ModelConfig config;
        try (InputStream in = Files.newInputStream(dir.resolve(CONFIG_FILE)))
        {
            config = ModelConfig.parse(in, dir.resolve(CONFIG_FILE).toString());
        }

        final JsonNode savedModel = saved.map((s) -> s.path("models").path(config.name())).orElse(null);
        final List<String> versionNames = new ArrayList<>();
        TrafficPolicy policy = TrafficPolicy.championOnly(config.champion());
        final List<String> history = new ArrayList<>();
        if (null != savedModel && savedModel.isObject())
        {
            savedModel.path("versions").forEach((v) -> versionNames.add(v.asText()));
            savedModel.path("champion_history").forEach((v) -> history.add(v.asText()));
            try
            {
                policy = TrafficPolicy.parse(savedModel.path("policy"));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IOException("saved state for model '" + config.name() + "': " + ex.getMessage(), ex);
            }
        }
        else
        {
            try (Stream<Path> versionDirs = Files.list(dir))
            {
                versionDirs.filter((v) -> Files.isRegularFile(v.resolve(MODEL_FILE)))
                    .map((v) -> v.getFileName().toString().replace("/", ""))
                    .sorted()
                    .forEach(versionNames::add);
            }
        }

        final List<ModelVersion> versions = new ArrayList<>();
        try
        {
            for (final String version : versionNames)
            {
                versions.add(load(config, version));
            }
            return new Model(config, versions, policy, history, store, shadows, listener);
        }
        catch (final Exception ex)
        {
            versions.forEach((v) -> v.scorer().close());
            throw new IOException("model '" + config.name() + "': " + (null == ex.getMessage() ? ex.toString() : ex.getMessage()), ex);
        }
    }

    /** A file a version ships beside its model (a reference profile, metrics), or null when it has none. */
    public Path versionFile(final String model, final String version, final String fileName)
    {
        final Path file = root.resolve(model).resolve(version).resolve(fileName);
        return VERSION_NAME.matcher(version).matches() && Files.isRegularFile(file) ? file : null;
    }

    /** Loads, validates and warms up one version. */
    @Override
    public ModelVersion load(final ModelConfig config, final String version) throws IOException
    {
        if (!VERSION_NAME.matcher(version).matches())
        {
            throw new IOException("'" + version + "' is not a valid version name (letters, digits, '.', '_', '-')");
        }
        final Path file = root.resolve(config.name()).resolve(version).resolve(MODEL_FILE);
        if (!Files.isRegularFile(file))
        {
            throw new IOException("model '" + config.name() + "' version '" + version + "': no " + file);
        }
        try
        {
            final Scorer scorer = OnnxRuntimes.load(Files.readAllBytes(file), config, maxRows);
            return new ModelVersion(config.name(), version, scorer);
        }
        catch (final Exception ex)
        {
            throw new IOException("model '" + config.name() + "' version '" + version + "' failed to load: " +
                ex.getMessage(), ex);
        }
    }
}
