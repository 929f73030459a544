package io.scoring.gateway.health;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.scoring.gateway.monitoring.GatewayMonitoring;
import io.scoring.monitoring.VersionSpec;
import io.scoring.monitoring.metrics.ScoringMetrics;
import io.scoring.router.Model;
import io.scoring.router.ModelListener;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
import io.scoring.router.ModelVersion;
import io.scoring.router.Route;
import io.scoring.router.RouterException;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.traffic.TrafficPolicy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleConsumer;

/**
 * Health probes per version: every {@link Context#intervalSeconds()}, every loaded version of every model
 * scores its golden requests ({@link GoldenSet}: the version's {@value GoldenSet#FILE_NAME}, else rows
 * derived from its reference profile and checked against its own answers at load). Also once when a
 * version loads, and on demand ({@code POST /admin/models/{m}/health/run}).
 *
 * <p>Each run's verdict, duration and largest |Δscore| are exported per version
 * ({@code scoring_health_probe_passed}, {@code _duration_seconds}, {@code _score_delta_max},
 * {@code _runs_total{result}}), answered by {@code GET /admin/models/{m}/health} and shown in the
 * readiness details. A failing run logs one WARNING line (a version that passes again, one INFO line)
 * and is handed to the {@link FailureListener}: the rollouts fail a rollout whose candidate it is.
 *
 * <p>Threading: the probes run on their own daemon thread, never on the request path; a version is held
 * (as a pinned request holds it) while its rows are scored, so an unload waits for the run, and its
 * metrics are published before the hold is given back. Results are immutable and read from any thread.
 */
public final class HealthProbes implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(HealthProbes.class.getName());
    /** How long {@code .../health/run} waits for its run (behind a scheduled one at most). */
    private static final long RUN_NOW_TIMEOUT_SECONDS = 60;

    /** Hears every failed probe run, on the probe thread. */
    @FunctionalInterface
    public interface FailureListener
    {
        void onProbeFailed(ProbeResult result);
    }

    private final Context ctx;
    private final ModelRepository repository;
    private final ScoringMetrics metrics;
    private final FailureListener failures;
    /** model -> version -> its probe; a version's entry lives from its load to its unload. */
    private final Map<String, Map<String, VersionProbe>> probes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor((task) ->
    {
        final Thread probeThread = new Thread(task, "health-probes");
        probeThread.setDaemon(true);
        return probeThread;
    });
    private volatile ModelRegistry models;

    /** Before the models load: {@link #listener()} must see every version load. */
    public HealthProbes(
        final Context ctx, final ModelRepository repository, final ScoringMetrics metrics, final FailureListener failures)
    {
        this.ctx = ctx.conclude();
        this.repository = repository;
        this.metrics = metrics;
        this.failures = failures;
    }

    /** Builds each version's golden set as it loads (after monitoring's listener: it reads the profile) and probes it once. */
    public ModelListener listener()
    {
        return new ModelListener()
        {
            @Override
            public void onVersionLoaded(final ModelConfig config, final ModelVersion version)
            {
                final VersionProbe probe = new VersionProbe(config.name(), version.version(), golden(config, version));
                probes.computeIfAbsent(config.name(), (name) -> new ConcurrentHashMap<>()).put(version.version(), probe);
                // not yet published to requests, so nothing can retire it under this run
                record(probe, probe.golden.check(config.name(), version.version(), version.scorer(), System.currentTimeMillis()));
            }

            @Override
            public void onVersionUnloaded(final ModelConfig config, final String version)
            {
                final Map<String, VersionProbe> versions = probes.get(config.name());
                if (null != versions)
                {
                    versions.remove(version);
                }
            }
        };
    }

    /** Once the models are loaded: the first scheduled run one interval from now. */
    public void start(final ModelRegistry models)
    {
        this.models = models;
        thread.scheduleWithFixedDelay(this::runAll, ctx.intervalSeconds(), ctx.intervalSeconds(), TimeUnit.SECONDS);
    }

    private GoldenSet golden(final ModelConfig config, final ModelVersion version)
    {
        final Path file = repository.versionFile(config.name(), version.version(), GoldenSet.FILE_NAME);
        if (null != file)
        {
            return GoldenSet.read(file, config, ctx.tolerance());
        }
        final VersionSpec spec = GatewayMonitoring.spec(version);
        if (null != spec && null != spec.profile())
        {
            return GoldenSet.derive(spec.profile().typicalRows(), config, version.scorer(), ctx.tolerance());
        }
        return GoldenSet.none(config);
    }

    // ---------------------------------------------------------------------------------------------
    // on the probe thread

    private void runAll()
    {
        final ModelRegistry registry = models;
        for (final Model model : registry.models())
        {
            try
            {
                run(model);
            }
            catch (final RuntimeException ex) // an exception would end the schedule for good
            {
                LOG.log(System.Logger.Level.ERROR, "health probes of " + model.name() + " failed: " + ex);
            }
        }
    }

    private void run(final Model model)
    {
        final Map<String, VersionProbe> versions = probes.get(model.name());
        if (null == versions)
        {
            return;
        }
        for (final VersionProbe probe : new TreeMap<>(versions).values())
        {
            final Route route = new Route();
            if (!model.route("", probe.version, route))
            {
                continue; // unloaded since
            }
            try
            {
                record(probe, probe.golden.check(model.name(), probe.version, route.version().scorer(), System.currentTimeMillis()));
            }
            catch (final RuntimeException ex) // a probe must never end the probe thread
            {
                record(probe, new ProbeResult(model.name(), probe.version, ProbeResult.Verdict.FAIL, "the probe failed: " + ex,
                    probe.golden.source.wireName(), probe.golden.rows(), probe.golden.rows(), Double.NaN, Double.NaN, 0,
                    System.currentTimeMillis()));
            }
            finally
            {
                route.release(); // after its metrics: an unload waiting for it then removes them for good
            }
        }
    }

    private void record(final VersionProbe probe, final ProbeResult result)
    {
        final ProbeResult before = probe.last;
        probe.publish(result);
        if (result.failed())
        {
            LOG.log(System.Logger.Level.WARNING, () -> line(result, "FAILED: " + result.reason() + ";"));
            tell(result);
        }
        else if (null != before && before.failed())
        {
            LOG.log(System.Logger.Level.INFO, () -> line(result, "passes again:"));
        }
        else
        {
            LOG.log(System.Logger.Level.DEBUG, () -> line(result, result.verdict() + ":"));
        }
    }

    /** One log line per run: never a stack trace. */
    private String line(final ProbeResult result, final String verdict)
    {
        return String.format(java.util.Locale.ROOT, "health probe of %s version %s%s %s max |Δscore| %.6g, %d rows in %.3f ms",
            result.model(), result.version(), role(result.model(), result.version()), verdict, result.maxAbsDelta(), result.rows(),
            result.durationNanos() / 1e6);
    }

    /**
     * Hands a failure to the listener on the probe thread: a run at load happens inside a model change, and
     * the listener (the rollouts) takes its own lock and changes policies.
     */
    private void tell(final ProbeResult failed)
    {
        try
        {
            thread.execute(() -> failures.onProbeFailed(failed));
        }
        catch (final RejectedExecutionException ex)
        {
            // shutting down: no rollout is driven any more
        }
    }

    private String role(final String modelName, final String version)
    {
        final String role = roleOf(modelName, version);
        return role.isEmpty() ? "" : " (" + role + ")";
    }

    /** {@code champion}, {@code canary}, {@code shadow}, or empty: loaded, no traffic. */
    private String roleOf(final String modelName, final String version)
    {
        final ModelRegistry registry = models;
        final Model model = null == registry ? null : registry.model(modelName);
        if (null == model)
        {
            return "";
        }
        final TrafficPolicy policy = model.policy();
        if (policy.champion().equals(version))
        {
            return "champion";
        }
        if (null != policy.canary() && policy.canary().version().equals(version))
        {
            return "canary";
        }
        return policy.shadows().stream().anyMatch((s) -> s.version().equals(version)) ? "shadow" : "";
    }

    // ---------------------------------------------------------------------------------------------
    // the admin API and readiness

    /** The version's last probe, or null: not loaded, or loaded without this listener. */
    public ProbeResult last(final String modelName, final String version)
    {
        final Map<String, VersionProbe> versions = probes.get(modelName);
        final VersionProbe probe = null == versions ? null : versions.get(version);
        return null == probe ? null : probe.last;
    }

    /** {@code GET /admin/models/{m}/health}: each loaded version's last probe, its role, its runs. */
    public JsonNode report(final String modelName) throws RouterException
    {
        final Model model = model(modelName);
        final ObjectNode json = JsonNodeFactory.instance.objectNode()
            .put("model", model.name())
            .put("interval_seconds", ctx.intervalSeconds());
        final ArrayNode list = json.putArray("versions");
        for (final VersionProbe probe : new TreeMap<>(probes.getOrDefault(model.name(), Map.of())).values())
        {
            final ProbeResult last = probe.last;
            if (null == last)
            {
                continue;
            }
            final ObjectNode entry = last.toJson().put("role", roleOf(model.name(), probe.version));
            if (null != probe.passedRuns)
            {
                entry.put("runs", (long)(probe.passedRuns.count() + probe.failedRuns.count()))
                    .put("failed_runs", (long)probe.failedRuns.count());
            }
            list.add(entry);
        }
        return json;
    }

    /** {@code POST /admin/models/{m}/health/run}: probes the model's versions now, on the probe thread; answers as {@link #report}. */
    public JsonNode runNow(final String modelName) throws RouterException, IOException
    {
        final Model model = model(modelName);
        try
        {
            thread.submit(() -> run(model)).get(RUN_NOW_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final RejectedExecutionException ex)
        {
            throw new RejectedExecutionException("the health probes are stopped: the gateway is shutting down", ex);
        }
        catch (final TimeoutException ex)
        {
            throw new IOException("the probe run did not end within " + RUN_NOW_TIMEOUT_SECONDS + " s", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IOException("the probe run failed: " + ex.getCause(), ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the probe run", ex);
        }
        return report(modelName);
    }

    /**
     * The readiness details: {@code "health_probes": [{"model", "version", "role", "result", "reason"}...]}
     * for every version probed (of {@code modelName} only, when not null), failing ones first. A failing
     * probe does not make the gateway unready: every replica runs the same rows, so it would take the
     * whole fleet out; the alert pages instead.
     */
    public void writeReadiness(final JsonGenerator json, final String modelName) throws IOException
    {
        json.writeArrayFieldStart("health_probes");
        for (final boolean failing : new boolean[] {true, false})
        {
            for (final Map.Entry<String, Map<String, VersionProbe>> model : new TreeMap<>(probes).entrySet())
            {
                if (null != modelName && !modelName.equals(model.getKey()))
                {
                    continue;
                }
                for (final VersionProbe probe : new TreeMap<>(model.getValue()).values())
                {
                    final ProbeResult last = probe.last;
                    if (null == last || last.failed() != failing)
                    {
                        continue;
                    }
                    json.writeStartObject();
                    json.writeStringField("model", last.model());
                    json.writeStringField("version", last.version());
                    json.writeStringField("role", roleOf(last.model(), last.version()));
                    json.writeStringField("result", last.verdict().name());
                    json.writeStringField("reason", last.reason());
                    json.writeStringField("checked", java.time.Instant.ofEpochMilli(last.checkedMillis()).toString());
                    json.writeEndObject();
                }
            }
        }
        json.writeEndArray();
    }

    private Model model(final String name) throws RouterException
    {
        final ModelRegistry registry = models;
        final Model model = null == registry ? null : registry.model(name);
        if (null == model)
        {
            throw new RouterException(RouterException.Kind.NOT_FOUND, "model '" + name + "' is not served");
        }
        return model;
    }

    @Override
    public void close()
    {
        thread.shutdownNow();
        try
        {
            thread.awaitTermination(5, TimeUnit.SECONDS); // a run in progress holds a version the models' close retires
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** One loaded version: its golden set, its last result, its meters (none when there is nothing to probe). */
    private final class VersionProbe
    {
        final String version;
        final GoldenSet golden;
        final DoubleConsumer passed;
        final DoubleConsumer duration;
        final DoubleConsumer maxDelta;
        final Counter passedRuns;
        final Counter failedRuns;
        volatile ProbeResult last;

        VersionProbe(final String model, final String version, final GoldenSet golden)
        {
            this.version = version;
            this.golden = golden;
            if (golden.source == GoldenSet.Source.NONE)
            {
                passed = duration = maxDelta = null;
                passedRuns = failedRuns = null;
                return;
            }
            passed = metrics.gauge("scoring.health.probe.passed",
                "1 when the version's last health probe passed, 0 when it failed (README \"Health probes\")",
                "model", model, "version", version);
            duration = metrics.gauge("scoring.health.probe.duration.seconds",
                "How long the version's last health probe took to score its golden rows, one a call", "model", model, "version", version);
            maxDelta = metrics.gauge("scoring.health.probe.score.delta.max",
                "The largest |answer - expected| of the version's last health probe; NaN when it answered none",
                "model", model, "version", version);
            passedRuns = runs(model, version, "pass");
            failedRuns = runs(model, version, "fail");
        }

        private Counter runs(final String model, final String version, final String result)
        {
            return metrics.counter("scoring.health.probe.runs", "Health probe runs by result", "model", model, "version", version,
                "result", result);
        }

        void publish(final ProbeResult result)
        {
            last = result;
            if (null == passed)
            {
                return;
            }
            passed.accept(result.failed() ? 0 : 1);
            duration.accept(result.durationNanos() / 1e9);
            maxDelta.accept(result.maxAbsDelta());
            (result.failed() ? failedRuns : passedRuns).increment();
        }
    }

    /**
     * The probes' settings, Aeron style: {@code X_PROP_NAME}, {@code X_DEFAULT} with how it was chosen,
     * {@link #conclude()} validating with a message that names the setting.
     */
    public static final class Context
    {
        public static final String INTERVAL_SECONDS_PROP_NAME = "health-probe-interval-s";
        /** A minute: the seed's "fixed interval"; a broken runtime is seen within one, and a run costs microseconds. */
        public static final long INTERVAL_SECONDS_DEFAULT = 60;

        public static final String TOLERANCE_PROP_NAME = "health-probe-tolerance";
        /**
         * |answer - expected| allowed where a golden row names none: 1e-4, far above float32 rounding and
         * ONNX Runtime's thread-count noise (~1e-7 on the demo), far below a score that means anything else.
         */
        public static final double TOLERANCE_DEFAULT = 1e-4;

        private long intervalSeconds = INTERVAL_SECONDS_DEFAULT;
        private double tolerance = TOLERANCE_DEFAULT;

        public Context conclude()
        {
            if (intervalSeconds < 1)
            {
                throw new IllegalArgumentException(INTERVAL_SECONDS_PROP_NAME + " must be at least 1, got " + intervalSeconds);
            }
            if (!(tolerance >= 0) || !Double.isFinite(tolerance))
            {
                throw new IllegalArgumentException(TOLERANCE_PROP_NAME + " must be a finite number of 0 or more, got " + tolerance);
            }
            return this;
        }

        /** How often every loaded version is probed. */
        public Context intervalSeconds(final long intervalSeconds)
        {
            this.intervalSeconds = intervalSeconds;
            return this;
        }

        public long intervalSeconds()
        {
            return intervalSeconds;
        }

        /** The default tolerance of a golden row. */
        public Context tolerance(final double tolerance)
        {
            this.tolerance = tolerance;
            return this;
        }

        public double tolerance()
        {
            return tolerance;
        }
    }
}
