package io.scoring.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scoring.features.FeatureStore;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.OnnxRuntimes;
import io.scoring.router.runtime.Scorer;
import io.scoring.router.runtime.nativeeval.NativeEvaluators;
import io.scoring.router.state.AuditLog;
import io.scoring.router.state.StateStore;
import io.scoring.router.traffic.TrafficPolicy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads models from a repository on disk laid out as {@code <repo>/<model>/model.json} plus
 * {@code <repo>/<model>/<version>/model.onnx} (docs/MODEL_REPOSITORY.md). The path may be inside a
 * jar's file system, which is how the bundled demo loads.
 *
 * <p>At start, the saved router state (if any) says which versions to load and under which policy;
 * without one, every version on disk loads and the config's champion takes all the traffic.
 *
 * <p>A model that fails to load (its model.json, or any of its versions) is left out and reported as
 * FAILED with its reason ({@link ModelRegistry#failures()}), and the others are served, as Triton does;
 * with {@code strict-models} the first failure stops the start instead (Triton's {@code --exit-on-error}).
 */
public final class ModelRepository implements Model.VersionLoader
{
    static final String CONFIG_FILE = "model.json";
    static final String MODEL_FILE = "model.onnx";
    /** Version names are folder names: no separators, no dot-dot. */
    private static final Pattern VERSION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final System.Logger LOG = System.getLogger(ModelRepository.class.getName());

    private final Path root;
    private final FeatureStore store;
    private final Context ctx;

    public ModelRepository(final Path root, final FeatureStore store, final Context ctx)
    {
        this.root = root;
        this.store = store;
        this.ctx = ctx.conclude();
    }

    /** Every model and version on disk, champion-only policies, nothing persisted. */
    public ModelRegistry loadAll() throws IOException
    {
        return loadAll(StateStore.NONE, null, ShadowListener.NONE, ModelListener.NONE);
    }

    /**
     * Loads what the saved state names (or everything), under its policies. A model that fails is left out
     * and listed in the registry's failures, unless {@code strict-models} is set: then the first failure
     * stops the start. No model loaded at all stops it either way.
     */
    public ModelRegistry loadAll(
        final StateStore stateStore, final AuditLog audit, final ShadowListener shadows, final ModelListener listener)
        throws IOException
    {
        final Optional<ObjectNode> saved = stateStore.load();
        final List<Model> models = new ArrayList<>();
        final Map<String, String> failures = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(root))
        {
            for (final Path dir : dirs.sorted().toList())
            {
                if (!Files.isRegularFile(dir.resolve(CONFIG_FILE)))
                {
                    continue;
                }
                try
                {
                    models.add(loadModel(dir, saved, shadows, listener));
                }
                catch (final IOException ex)
                {
                    if (ctx.strictModels())
                    {
                        throw ex;
                    }
                    final String model = dir.getFileName().toString().replace("/", "");
                    LOG.log(System.Logger.Level.ERROR, "model {0} FAILED, not served: {1}", model, ex.getMessage());
                    failures.put(model, ex.getMessage());
                }
            }
        }
        if (models.isEmpty())
        {
            throw new IOException("no models under " + root + " (expected <model>/" + CONFIG_FILE + ")" +
                (failures.isEmpty() ? "" : " could be served: " + failures));
        }
        return new ModelRegistry(models, failures, this, stateStore, audit);
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
            return new Model(config, versions, policy, history, store, shadows, listener, ctx);
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
            final Scorer scorer = OnnxRuntimes.load(
                Files.readAllBytes(file), config, ctx.maxRows(), ctx.runtime(), ctx.treeLayout());
            return new ModelVersion(config.name(), version, scorer);
        }
        catch (final Exception ex)
        {
            throw new IOException("model '" + config.name() + "' version '" + version + "' failed to load: " +
                ex.getMessage(), ex);
        }
    }

    /**
     * The router's configuration, Aeron style: the Context is the configuration. How many rows a version
     * is built for, which runtime serves a version, and how shadows queue and wait. Fluent accessors;
     * {@link #conclude()} validates (an {@link IllegalArgumentException} naming the setting and the value).
     * Each setting has its name ({@code X_PROP_NAME}: the gateway's flag, environment variable and
     * config-file key) and its default ({@code X_DEFAULT}, with how it was chosen).
     *
     * <p>Not thread-safe: fill it on one thread, then hand it to the repository, which shares it, read
     * only, with every model and shadow it creates.
     */
    public static final class Context
    {
        public static final String MAX_ROWS_PROP_NAME = "max-rows";
        /** 1,024 rows: a generous batch; each transport thread and each version keeps tensors for this many. */
        public static final int MAX_ROWS_DEFAULT = 1024;

        public static final String RUNTIME_PROP_NAME = "runtime";
        /** The native evaluator where it agrees with ONNX Runtime (README "Native evaluators"): 6-53x faster. */
        public static final OnnxRuntimes.Choice RUNTIME_DEFAULT = OnnxRuntimes.Choice.AUTO;

        public static final String TREE_LAYOUT_PROP_NAME = "tree-layout";
        /** Each ensemble in the layout that suits its trees' shape; the others are for measurements. */
        public static final NativeEvaluators.TreeLayout TREE_LAYOUT_DEFAULT = NativeEvaluators.TreeLayout.AUTO;

        public static final String SHADOW_RING_BYTES_PROP_NAME = "shadow-ring-bytes";
        /** 1 MiB: about 8,000 single-row credit requests, a few ms of a full-rate burst on two cores. */
        public static final int SHADOW_RING_BYTES_DEFAULT = 1 << 20;
        /** 4 KiB: the smallest ring that still takes a single-row request of a few hundred features. */
        public static final int SHADOW_RING_BYTES_MIN = 4096;

        public static final String SHADOW_IDLE_SLEEP_MICROS_PROP_NAME = "shadow-idle-sleep-us";
        /**
         * 5 ms: a shadow's result is on no one's response path, so its thread can wait. A fixed sleep costs
         * at most 200 wake-ups a second, where spinning, yielding and short parks after every request cost
         * the event loops a share of two cores (docs/PERFORMANCE.md measures both: 1.43x the CPU per answer
         * at 4,000 requests/s), and 500 µs cost 1.18x the CPU per answer of 5 ms at 4,000 requests/s with the
         * same callers' latency (docs/PERFORMANCE.md, "The longer park"). At 60,000 requests/s a pause queues
         * about 300 of them, a twentieth of the default ring. While the ring stays empty the parks double, up
         * to 50 ms, so an idle shadow thread wakes 20 times a second (ShadowExecutor.MAX_IDLE_PARK_NANOS).
         * 0: Agrona's busy backoff (spin, yield, then parks of 10 µs to 1 ms).
         */
        public static final long SHADOW_IDLE_SLEEP_MICROS_DEFAULT = 5_000;

        public static final String STRICT_MODELS_PROP_NAME = "strict-models";
        /** Off: one bad model in a repository of many should not take the others down (Triton's default too). */
        public static final boolean STRICT_MODELS_DEFAULT = false;

        private int maxRows = MAX_ROWS_DEFAULT;
        private boolean strictModels = STRICT_MODELS_DEFAULT;
        private OnnxRuntimes.Choice runtime = RUNTIME_DEFAULT;
        private NativeEvaluators.TreeLayout treeLayout = TREE_LAYOUT_DEFAULT;
        private int shadowRingBytes = SHADOW_RING_BYTES_DEFAULT;
        private long shadowIdleSleepMicros = SHADOW_IDLE_SLEEP_MICROS_DEFAULT;

        /** Validates every setting; idempotent. */
        public Context conclude()
        {
            require(maxRows >= 1, MAX_ROWS_PROP_NAME, maxRows, "at least 1");
            require(null != runtime, RUNTIME_PROP_NAME, null, "auto or onnxruntime");
            require(null != treeLayout, TREE_LAYOUT_PROP_NAME, null, "auto, perfect or linked");
            require(Integer.bitCount(shadowRingBytes) == 1 && shadowRingBytes >= SHADOW_RING_BYTES_MIN,
                SHADOW_RING_BYTES_PROP_NAME, shadowRingBytes, "a power of two of at least " + SHADOW_RING_BYTES_MIN);
            require(shadowIdleSleepMicros >= 0 && shadowIdleSleepMicros <= 1_000_000,
                SHADOW_IDLE_SLEEP_MICROS_PROP_NAME, shadowIdleSleepMicros, "0 to 1000000");
            return this;
        }

        private static void require(final boolean valid, final String name, final Object value, final String rule)
        {
            if (!valid)
            {
                throw new IllegalArgumentException(name + " must be " + rule + ", got " + value);
            }
        }

        /** True: a model that fails to load at start stops the start; false: it is reported FAILED and skipped. */
        public Context strictModels(final boolean strictModels)
        {
            this.strictModels = strictModels;
            return this;
        }

        public boolean strictModels()
        {
            return strictModels;
        }

        /** Rows per request; every version is built and warmed up for batches of up to this many. */
        public Context maxRows(final int maxRows)
        {
            this.maxRows = maxRows;
            return this;
        }

        public int maxRows()
        {
            return maxRows;
        }

        /** Which runtime serves a version: a native evaluator where it agrees with ONNX Runtime, or ONNX Runtime always. */
        public Context runtime(final OnnxRuntimes.Choice runtime)
        {
            this.runtime = runtime;
            return this;
        }

        public OnnxRuntimes.Choice runtime()
        {
            return runtime;
        }

        /** How the native tree evaluator lays trees out; forcing one is for measurements. */
        public Context treeLayout(final NativeEvaluators.TreeLayout treeLayout)
        {
            this.treeLayout = treeLayout;
            return this;
        }

        public NativeEvaluators.TreeLayout treeLayout()
        {
            return treeLayout;
        }

        /** Each shadow's ring of copied requests (a power of two); a full ring drops the copy and counts it. */
        public Context shadowRingBytes(final int shadowRingBytes)
        {
            this.shadowRingBytes = shadowRingBytes;
            return this;
        }

        public int shadowRingBytes()
        {
            return shadowRingBytes;
        }

        /** How long a shadow's thread sleeps when its ring is empty; 0: spin, yield, then short parks. */
        public Context shadowIdleSleepMicros(final long shadowIdleSleepMicros)
        {
            this.shadowIdleSleepMicros = shadowIdleSleepMicros;
            return this;
        }

        public long shadowIdleSleepMicros()
        {
            return shadowIdleSleepMicros;
        }
    }
}
