package io.scoring.gateway.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.scoring.gateway.health.ProbeResult;
import io.scoring.monitoring.Monitoring;
import io.scoring.monitoring.comparison.ChallengerComparison;
import io.scoring.monitoring.feedback.VersionAccuracy;
import io.scoring.monitoring.metrics.ScoringMetrics;
import io.scoring.router.Model;
import io.scoring.router.ModelListener;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelVersion;
import io.scoring.router.Role;
import io.scoring.router.RouterException;
import io.scoring.router.traffic.TrafficPolicy;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.DoubleConsumer;

/**
 * Rollouts that decide for themselves: per model at most one, started by the admin API, driven by one
 * thread that looks at each running rollout every {@link Context#tickMillis()}.
 *
 * <pre>
 *   start --> replay gate (candidate a 0 % canary) --fail--> rolled_back
 *                 |  pass (or skipped, or waited for rows)
 *                 v
 *   step i: canary at steps[i] % for >= step_seconds and >= min_requests canary requests, then judged
 *                 |  FAIL --> rolled_back (traffic to the champion at once; candidate stays loaded)
 *                 |  INCONCLUSIVE past max_wait --> rolled_back or paused (on_inconclusive)
 *                 v  PASS
 *   after the last step: promoted, or waiting_confirm --confirm--> promoted
 *   pause / resume / abort at any time (abort: traffic to the champion)
 *   the candidate's health probe failed: its last one at the gate, or a run before the end --> rolled_back
 * </pre>
 *
 * Every step and decision goes to the audit log (caller {@code rollout:<id>}) with the checks' figures,
 * and to the rollout's timeline; traffic changes go through the registry like any admin change
 * (saved, audited). While a rollout runs or waits for a confirm, manual traffic changes are refused
 * ({@link #refuseManualSteering}).
 *
 * <p>Threading: every public method is synchronized with the driver; nothing here runs on the request
 * path (requests only record into {@link RolloutSamples}).
 */
public final class Rollouts implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Rollouts.class.getName());

    private final Context ctx;
    private final RolloutSamples.Attacher attacher;
    private final Map<String, Rollout> current = new TreeMap<>();
    private final Map<String, Deque<ObjectNode>> history = new HashMap<>();
    private final ScheduledExecutorService driver = Executors.newSingleThreadScheduledExecutor((task) ->
    {
        final Thread thread = new Thread(task, "rollout-driver");
        thread.setDaemon(true);
        return thread;
    });
    private ModelRegistry models;
    private Monitoring monitoring;
    /** (model, version) to its last health probe, or to null when it has none. */
    private BiFunction<String, String, ProbeResult> lastProbe;

    /** Before the models load: {@link #listener()} must see every version load. */
    public Rollouts(final Context ctx)
    {
        this.ctx = ctx.conclude();
        this.attacher = new RolloutSamples.Attacher(ctx.windowRequests(), ctx.replayRows());
    }

    /** Attaches each version's {@link RolloutSamples} as it loads. */
    public ModelListener listener()
    {
        return attacher;
    }

    /**
     * Once the models are loaded: starts the driver.
     *
     * @param lastProbe (model, version) to its last health probe, or to null: a candidate whose last probe
     *                  failed is rolled back at the replay gate, before any live traffic
     */
    public synchronized void start(
        final ModelRegistry models, final Monitoring monitoring, final BiFunction<String, String, ProbeResult> lastProbe)
    {
        this.models = models;
        this.monitoring = monitoring;
        this.lastProbe = lastProbe;
        for (final Model model : models.models())
        {
            metrics(model.name()).state.accept(0);
        }
        driver.scheduleWithFixedDelay(this::tick, ctx.tickMillis(), ctx.tickMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------------------------------------
    // the admin API

    /** {@code POST /admin/models/{m}/rollout}. */
    public synchronized JsonNode start(final String modelName, final JsonNode body, final String caller)
        throws RouterException, IOException
    {
        final Model model = model(modelName);
        final RolloutPlan plan;
        try
        {
            plan = RolloutPlan.parse(body, ctx);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new RouterException(RouterException.Kind.INVALID, ex.getMessage());
        }
        final Rollout running = current.get(modelName);
        if (null != running && !running.state.ended())
        {
            throw new RouterException(RouterException.Kind.CONFLICT, "model '" + modelName + "' already has a rollout of version '" +
                running.plan.version() + "' (" + running.state.wireName() + "); abort it first");
        }
        final TrafficPolicy policy = model.policy();
        if (plan.version().equals(policy.champion()))
        {
            throw new RouterException(RouterException.Kind.INVALID, "version: '" + plan.version() + "' is already the champion");
        }
        if (null == model.version(plan.version()))
        {
            throw new RouterException(RouterException.Kind.INVALID, "version: '" + plan.version() +
                "' is not loaded; load it first (ready: " + new TreeMap<>(model.versions()).keySet() + ")");
        }
        final long now = System.currentTimeMillis();
        final Rollout rollout = new Rollout(modelName, policy.champion(), plan, caller, now);
        current.put(modelName, rollout);
        setCanary(rollout, 0); // holds the candidate: it cannot be unloaded while its gate runs
        final ObjectNode started = rollout.event(now, "started", "replay gate first, then steps " +
            plan.toJson().get("steps") + (plan.confirm() ? ", then a confirm" : ", then promotion"), plan.toJson());
        audit(rollout, "rollout started", started);
        publish(rollout);
        return state(modelName);
    }

    /** {@code GET /admin/models/{m}/rollout}: the current or last rollout, and the ones before it. */
    public synchronized JsonNode state(final String modelName) throws RouterException
    {
        model(modelName);
        final Rollout rollout = current.get(modelName);
        if (null == rollout)
        {
            throw new RouterException(RouterException.Kind.NOT_FOUND, "model '" + modelName + "' has had no rollout");
        }
        final ObjectNode json = rollout.toJson();
        final ArrayNode past = json.putArray("history");
        history.getOrDefault(modelName, new ArrayDeque<>()).forEach(past::add);
        return json;
    }

    public synchronized JsonNode pause(final String modelName, final String caller) throws RouterException, IOException
    {
        final Rollout rollout = active(modelName, "pause");
        if (rollout.state != Rollout.State.RUNNING)
        {
            throw conflict(rollout, "pause");
        }
        rollout.state = Rollout.State.PAUSED;
        rollout.reason = "paused by " + caller;
        audit(rollout, "rollout paused", rollout.event(now(), "paused", rollout.reason, null));
        publish(rollout);
        return state(modelName);
    }

    /** The step being held restarts: its clock and its window begin again. */
    public synchronized JsonNode resume(final String modelName, final String caller) throws RouterException, IOException
    {
        final Rollout rollout = active(modelName, "resume");
        if (rollout.state != Rollout.State.PAUSED)
        {
            throw conflict(rollout, "resume");
        }
        final Model model = model(modelName);
        if (!model.policy().champion().equals(rollout.champion) || null == model.version(rollout.plan.version()))
        {
            end(rollout, Rollout.State.ABORTED, "while paused, the champion became '" + model.policy().champion() +
                "' or version '" + rollout.plan.version() + "' was unloaded: nothing left to resume", null, caller);
            return state(modelName);
        }
        rollout.state = Rollout.State.RUNNING;
        rollout.reason = "";
        setCanary(rollout, rollout.step == Rollout.GATE ? 0 : rollout.plan.stepBasisPoints()[rollout.step]);
        restartStep(rollout, now());
        audit(rollout, "rollout resumed", rollout.event(now(), "resumed", "resumed by " + caller + "; the step starts over", null));
        publish(rollout);
        return state(modelName);
    }

    public synchronized JsonNode abort(final String modelName, final String caller) throws RouterException, IOException
    {
        final Rollout rollout = active(modelName, "abort");
        end(rollout, Rollout.State.ABORTED, "aborted by " + caller, null, caller);
        return state(modelName);
    }

    public synchronized JsonNode confirm(final String modelName, final String caller) throws RouterException, IOException
    {
        final Rollout rollout = active(modelName, "confirm");
        if (rollout.state != Rollout.State.WAITING_CONFIRM)
        {
            throw conflict(rollout, "confirm");
        }
        promote(rollout, "confirmed by " + caller);
        return state(modelName);
    }

    /** @throws RouterException CONFLICT while a rollout of the model runs or waits for a confirm */
    public synchronized void refuseManualSteering(final String modelName) throws RouterException
    {
        final Rollout rollout = current.get(modelName);
        if (null != rollout && rollout.state.steering())
        {
            throw new RouterException(RouterException.Kind.CONFLICT, "model '" + modelName + "' has a rollout of version '" +
                rollout.plan.version() + "' " + rollout.state.wireName() + " (at " + rollout.basisPoints / 100.0 +
                " %); pause or abort it before steering the traffic by hand");
        }
    }

    /** The check a failed health probe of the candidate fails (README "Health probes"). */
    static final String HEALTH_PROBE = "health_probe";

    /**
     * A health probe failed ({@link io.scoring.gateway.health.HealthProbes}, on its thread): when the version is
     * the candidate of its model's rollout in progress (running, paused or waiting for a confirm), the rollout
     * rolls back on check {@value #HEALTH_PROBE}, its statistic the probe's largest |Δscore|, its threshold the
     * tolerance, its figures the probe's.
     */
    public synchronized void onProbeFailed(final ProbeResult probe)
    {
        final Rollout rollout = current.get(probe.model());
        if (null != rollout && !rollout.state.ended() && rollout.plan.version().equals(probe.version()))
        {
            try
            {
                failOnProbe(rollout, probe);
            }
            catch (final IOException | RouterException | RuntimeException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "rollout " + rollout.id + ": could not roll back on its failed health probe: " +
                    ex.getMessage());
            }
        }
    }

    /** Rolls back on check {@value #HEALTH_PROBE}, listed with the checks of where the rollout is. */
    private void failOnProbe(final Rollout rollout, final ProbeResult probe) throws IOException, RouterException
    {
        final Check failed = new Check(HEALTH_PROBE, Check.Verdict.FAIL, true, probe.maxAbsDelta(), probe.tolerance(), Double.NaN,
            probe.rows(), 0, "the candidate's health probe failed: " + probe.reason(), probe.toJson());
        final boolean atGate = rollout.step == Rollout.GATE;
        final List<Check> checks = new java.util.ArrayList<>(atGate ? rollout.gateChecks : rollout.checks);
        checks.add(failed);
        if (atGate)
        {
            rollout.gateChecks = List.copyOf(checks);
        }
        else
        {
            rollout.checks = List.copyOf(checks);
        }
        rollBack(rollout, List.of(failed), atGate ? "the replay gate" : "step " + (rollout.step + 1));
    }

    // ---------------------------------------------------------------------------------------------
    // the driver

    private synchronized void tick()
    {
        for (final Rollout rollout : List.copyOf(current.values()))
        {
            if (rollout.state != Rollout.State.RUNNING)
            {
                continue;
            }
            try
            {
                advance(rollout, now());
            }
            catch (final IOException | RouterException | RuntimeException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "rollout " + rollout.id + ": " + ex.getMessage(), ex);
                try
                {
                    end(rollout, Rollout.State.ABORTED, "the rollout failed: " + ex.getMessage(), null, "rollout:" + rollout.id);
                }
                catch (final IOException | RouterException again)
                {
                    LOG.log(System.Logger.Level.ERROR, "rollout " + rollout.id + ": could not abort: " + again.getMessage());
                }
            }
        }
    }

    private void advance(final Rollout rollout, final long now) throws IOException, RouterException
    {
        final Model model = models.model(rollout.model);
        final ModelVersion champion = model.version(rollout.champion);
        final ModelVersion candidate = model.version(rollout.plan.version());
        if (null == champion || null == candidate || !model.policy().champion().equals(rollout.champion))
        {
            end(rollout, Rollout.State.ABORTED, "the champion or the candidate changed under the rollout", null, "rollout:" + rollout.id);
            return;
        }
        if (rollout.step == Rollout.GATE)
        {
            gate(rollout, model, champion, candidate, now);
            return;
        }
        final RolloutSamples canarySamples = RolloutSamples.of(candidate);
        final RolloutSamples championSamples = RolloutSamples.of(champion);
        final RequestWindow.Slice canary = canarySamples.window(Role.CANARY).since(rollout.canaryMark);
        final long waited = now - rollout.stepStartMillis;
        if (waited < rollout.plan.stepMillis() || canary.requests() < rollout.plan.minRequests())
        {
            rollout.waitingFor = String.format("%d of %d canary requests, %.1f of %.1f s", canary.requests(),
                rollout.plan.minRequests(), waited / 1000.0, rollout.plan.stepMillis() / 1000.0);
            inconclusiveAfterMaxWait(rollout, now, null);
            return;
        }
        final RequestWindow.Slice championSlice = championSamples.window(Role.CHAMPION).since(rollout.championMark);
        rollout.checks = Judge.judge(canary, championSlice, rollout.plan.thresholds(),
            shadowComparison(rollout), accuracy(rollout.model, rollout.plan.version()), accuracy(rollout.model, rollout.champion));
        publish(rollout);
        switch (Judge.decide(rollout.checks))
        {
            case FAIL -> rollBack(rollout, rollout.checks, "step " + (rollout.step + 1));
            case WAIT ->
            {
                rollout.waitingFor = "more data for " + rollout.checks.stream().filter(Check::blocks).map(Check::name).toList();
                inconclusiveAfterMaxWait(rollout, now, rollout.checks);
            }
            case PASS -> passStep(rollout, now);
        }
    }

    private void gate(
        final Rollout rollout, final Model model, final ModelVersion champion, final ModelVersion candidate, final long now)
        throws IOException, RouterException
    {
        final ProbeResult probe = lastProbe.apply(rollout.model, rollout.plan.version());
        if (null != probe && probe.failed())
        {
            failOnProbe(rollout, probe); // known broken: no replay, no live traffic
            return;
        }
        final ReplayRows replay = RolloutSamples.of(champion).replay();
        final List<float[]> rows = replay.lastRows();
        final int needed = (int)rollout.plan.thresholds().get(Threshold.REPLAY_MIN_ROWS);
        if (rows.size() < needed)
        {
            if (rollout.plan.gate() == RolloutPlan.Gate.SKIP)
            {
                final ObjectNode skipped = rollout.event(now, "gate_skipped",
                    "replay gate skipped: " + rows.size() + " of " + needed + " sampled rows", null);
                audit(rollout, "rollout replay gate skipped", skipped);
                nextStep(rollout, now);
                return;
            }
            rollout.waitingFor = rows.size() + " of " + needed + " sampled rows for the replay gate";
            inconclusiveAfterMaxWait(rollout, now, null);
            return;
        }
        final var output = model.config().outputs().get(0);
        final double threshold = Double.isNaN(output.decisionThreshold()) ? 0.5 : output.decisionThreshold();
        rollout.gateChecks = ReplayGate.run(champion, candidate, rows, model.config().outputCount(), threshold,
            rollout.plan.thresholds());
        publish(rollout);
        if (Judge.decide(rollout.gateChecks) == Judge.Decision.FAIL)
        {
            rollBack(rollout, rollout.gateChecks, "the replay gate");
            return;
        }
        final ObjectNode passed = rollout.event(now, "gate_passed", "replay gate passed on " + rows.size() + " rows",
            Rollout.json(rollout.gateChecks));
        audit(rollout, "rollout replay gate passed", passed);
        nextStep(rollout, now);
    }

    private void passStep(final Rollout rollout, final long now) throws IOException, RouterException
    {
        final ObjectNode passed = rollout.event(now, "step_passed", "step " + (rollout.step + 1) + " at " +
            rollout.basisPoints / 100.0 + " % passed", Rollout.json(rollout.checks));
        rollout.steps.addObject()
            .put("step", rollout.step + 1)
            .put("percent", rollout.basisPoints / 100.0)
            .put("started", java.time.Instant.ofEpochMilli(rollout.stepStartMillis).toString())
            .put("decided", java.time.Instant.ofEpochMilli(now).toString())
            .put("verdict", "PASS")
            .set("checks", Rollout.json(rollout.checks));
        audit(rollout, "rollout step " + (rollout.step + 1) + " passed", passed);
        if (rollout.step + 1 < rollout.plan.stepBasisPoints().length)
        {
            nextStep(rollout, now);
        }
        else if (rollout.plan.confirm())
        {
            rollout.state = Rollout.State.WAITING_CONFIRM;
            rollout.waitingFor = "a confirm";
            audit(rollout, "rollout waiting for confirm", rollout.event(now, "waiting_confirm",
                "every step passed; POST .../rollout/confirm promotes", null));
            publish(rollout);
        }
        else
        {
            promote(rollout, "every step passed");
        }
    }

    private void nextStep(final Rollout rollout, final long now) throws IOException, RouterException
    {
        rollout.step++;
        setCanary(rollout, rollout.plan.stepBasisPoints()[rollout.step]);
        restartStep(rollout, now);
        rollout.checks = List.of();
        final ObjectNode entered = rollout.event(now, "step_started", "step " + (rollout.step + 1) + ": canary at " +
            rollout.basisPoints / 100.0 + " %", null);
        audit(rollout, "rollout step " + (rollout.step + 1) + " started", entered);
        publish(rollout);
    }

    private void restartStep(final Rollout rollout, final long now)
    {
        final Model model = models.model(rollout.model);
        rollout.stepStartMillis = now;
        rollout.canaryMark = RolloutSamples.of(model.version(rollout.plan.version())).window(Role.CANARY).mark();
        rollout.championMark = RolloutSamples.of(model.version(rollout.champion)).window(Role.CHAMPION).mark();
        rollout.waitingFor = "";
    }

    /** Past the plan's max wait with a step still wanting data: roll back or pause, as the plan says. */
    private void inconclusiveAfterMaxWait(final Rollout rollout, final long now, final List<Check> checks)
        throws IOException, RouterException
    {
        if (now - rollout.stepStartMillis < rollout.plan.maxWaitMillis())
        {
            return;
        }
        final String why = (rollout.step == Rollout.GATE ? "the replay gate" : "step " + (rollout.step + 1)) +
            " was still waiting for " + rollout.waitingFor + " after " + rollout.plan.maxWaitMillis() / 1000.0 + " s";
        if (rollout.plan.onInconclusive() == RolloutPlan.Inconclusive.PAUSE)
        {
            rollout.state = Rollout.State.PAUSED;
            rollout.reason = why;
            audit(rollout, "rollout paused", rollout.event(now, "paused", why, null == checks ? null : Rollout.json(checks)));
            publish(rollout);
        }
        else
        {
            end(rollout, Rollout.State.ROLLED_BACK, why, null == checks ? null : Rollout.json(checks), "rollout:" + rollout.id);
            metrics(rollout.model).rollbacks("inconclusive").increment();
        }
    }

    private void rollBack(final Rollout rollout, final List<Check> checks, final String where) throws IOException, RouterException
    {
        final Check failed = checks.stream().filter((c) -> c.verdict() == Check.Verdict.FAIL).findFirst().orElseThrow();
        final String reason = failed.name() + " failed at " + where + ": " + failed.detail() +
            " (statistic " + failed.statistic() + ", threshold " + failed.threshold() +
            (Double.isNaN(failed.pValue()) ? "" : ", p " + failed.pValue()) + ", n " + failed.canaryN() + "/" + failed.championN() + ")";
        metrics(rollout.model).rollbacks(failed.name()).increment();
        LOG.log(System.Logger.Level.WARNING, "rollout {0}: rolled back version {1} of {2}: {3}",
            rollout.id, rollout.plan.version(), rollout.model, reason);
        end(rollout, Rollout.State.ROLLED_BACK, reason, Rollout.json(checks), "rollout:" + rollout.id);
    }

    /** Ends a rollout that did not promote: traffic back to the champion at once, candidate still loaded. */
    private void end(final Rollout rollout, final Rollout.State state, final String reason, final JsonNode figures, final String caller)
        throws IOException, RouterException
    {
        final long now = now();
        rollout.state = state;
        rollout.reason = reason;
        rollout.endedMillis = now;
        rollout.waitingFor = "";
        final Model model = models.model(rollout.model);
        final TrafficPolicy policy = model.policy();
        if (null != policy.canary() && policy.canary().version().equals(rollout.plan.version()))
        {
            models.setPolicy(rollout.model, new TrafficPolicy(policy.champion(), null, policy.shadows()), caller);
        }
        rollout.basisPoints = 0;
        audit(rollout, "rollout " + state.wireName(), rollout.event(now, state.wireName(), reason, figures));
        archive(rollout);
    }

    private void promote(final Rollout rollout, final String why) throws IOException, RouterException
    {
        models.promote(rollout.model, "rollout:" + rollout.id);
        final long now = now();
        rollout.state = Rollout.State.PROMOTED;
        rollout.reason = why + ": version '" + rollout.plan.version() + "' is the champion";
        rollout.endedMillis = now;
        rollout.waitingFor = "";
        rollout.basisPoints = 10_000;
        audit(rollout, "rollout promoted", rollout.event(now, "promoted", rollout.reason, null));
        archive(rollout);
    }

    private void archive(final Rollout rollout)
    {
        final Deque<ObjectNode> past = history.computeIfAbsent(rollout.model, (m) -> new ArrayDeque<>());
        past.addFirst(rollout.summary());
        while (past.size() > ctx.historySize())
        {
            past.removeLast();
        }
        publish(rollout);
    }

    /** The canary at {@code basisPoints}, the champion and the shadows as they are (the candidate leaves the shadows). */
    private void setCanary(final Rollout rollout, final int basisPoints) throws IOException, RouterException
    {
        final TrafficPolicy policy = models.model(rollout.model).policy();
        final List<TrafficPolicy.Share> shadows = policy.shadows().stream()
            .filter((s) -> !s.version().equals(rollout.plan.version())).toList();
        models.setPolicy(rollout.model, new TrafficPolicy(policy.champion(),
            new TrafficPolicy.Share(rollout.plan.version(), basisPoints), shadows), "rollout:" + rollout.id);
        rollout.basisPoints = basisPoints;
    }

    private ChallengerComparison shadowComparison(final Rollout rollout)
    {
        for (final ChallengerComparison challenger : monitoring.comparison(rollout.model).challengers())
        {
            if (challenger.version().equals(rollout.plan.version()) && challenger.championVersion().equals(rollout.champion))
            {
                return challenger;
            }
        }
        return null;
    }

    private VersionAccuracy accuracy(final String model, final String version)
    {
        for (final VersionAccuracy accuracy : monitoring.accuracy(model).versions())
        {
            if (accuracy.version().equals(version))
            {
                return accuracy;
            }
        }
        return null;
    }

    private void audit(final Rollout rollout, final String action, final ObjectNode entry) throws IOException
    {
        final ObjectNode details = entry.deepCopy().put("rollout", rollout.id).put("version", rollout.plan.version());
        models.note("rollout:" + rollout.id, action, rollout.model, details);
    }

    // ---------------------------------------------------------------------------------------------
    // metrics

    /** A model's rollout meters. */
    private final class Meters
    {
        final DoubleConsumer state;
        final DoubleConsumer step;
        final DoubleConsumer percent;
        final String model;

        Meters(final String model)
        {
            this.model = model;
            final ScoringMetrics metrics = monitoring.metrics();
            state = metrics.gauge("scoring.rollout.state",
                "The model's rollout: 0 none, 1 running, 2 paused, 3 waiting_confirm, 4 promoted, 5 rolled_back, 6 aborted",
                "model", model);
            step = metrics.gauge("scoring.rollout.step", "The rollout's step, 1-based; 0 the replay gate", "model", model);
            percent = metrics.gauge("scoring.rollout.canary.percent", "The rollout candidate's share of live traffic, percent",
                "model", model);
        }

        void check(final Check check)
        {
            final ScoringMetrics metrics = monitoring.metrics();
            metrics.gauge("scoring.rollout.check.verdict", "A rollout check's last verdict: 1 pass, 0 inconclusive, -1 fail",
                "model", model, "check", check.name()).accept(check.verdict().gaugeValue());
            metrics.gauge("scoring.rollout.check.statistic", "A rollout check's last statistic",
                "model", model, "check", check.name()).accept(Double.isFinite(check.statistic()) ? check.statistic() : Double.NaN);
        }

        Counter rollbacks(final String check)
        {
            return monitoring.metrics().counter("scoring.rollout.rollbacks",
                "Automatic rollbacks, by the check that failed (inconclusive: a step ran out of time)", "model", model, "check", check);
        }
    }

    private final Map<String, Meters> meters = new HashMap<>();

    private Meters metrics(final String model)
    {
        return meters.computeIfAbsent(model, Meters::new);
    }

    private void publish(final Rollout rollout)
    {
        final Meters m = metrics(rollout.model);
        m.state.accept(rollout.state.code);
        m.step.accept(rollout.step + 1);
        m.percent.accept(rollout.basisPoints / 100.0);
        rollout.gateChecks.forEach(m::check);
        rollout.checks.forEach(m::check);
    }

    // ---------------------------------------------------------------------------------------------

    private Model model(final String name) throws RouterException
    {
        final Model model = models.model(name);
        if (null == model)
        {
            throw new RouterException(RouterException.Kind.NOT_FOUND, "model '" + name + "' is not served");
        }
        return model;
    }

    private Rollout active(final String modelName, final String action) throws RouterException
    {
        model(modelName);
        final Rollout rollout = current.get(modelName);
        if (null == rollout)
        {
            throw new RouterException(RouterException.Kind.NOT_FOUND, "model '" + modelName + "' has had no rollout");
        }
        if (rollout.state.ended())
        {
            throw conflict(rollout, action);
        }
        return rollout;
    }

    private static RouterException conflict(final Rollout rollout, final String action)
    {
        return new RouterException(RouterException.Kind.CONFLICT, "cannot " + action + " the rollout of version '" +
            rollout.plan.version() + "': it is " + rollout.state.wireName());
    }

    private static long now()
    {
        return System.currentTimeMillis();
    }

    @Override
    public void close()
    {
        driver.shutdownNow();
    }

    /**
     * The rollouts' settings, Aeron style: {@code X_PROP_NAME}, {@code X_DEFAULT} with how it was chosen,
     * fluent accessors, {@link #conclude()} validating with a message that names the setting. The judge's
     * and the gate's thresholds are {@link Threshold}s, one setting each.
     */
    public static final class Context
    {
        public static final String TICK_MILLIS_PROP_NAME = "rollout-tick-ms";
        /** 250 ms: a step's end is noticed within a quarter second; a tick of an idle gateway costs nothing. */
        public static final long TICK_MILLIS_DEFAULT = 250;

        public static final String WINDOW_REQUESTS_PROP_NAME = "rollout-window-requests";
        /** 8,192 requests per version and role (~110 KB): a step's last 8,192 requests are judged. */
        public static final int WINDOW_REQUESTS_DEFAULT = 8_192;

        public static final String REPLAY_ROWS_PROP_NAME = "rollout-replay-rows";
        /** The replay gate scores the last 1,000 sampled rows (disagreement known to about ±1.5 points). */
        public static final int REPLAY_ROWS_DEFAULT = 1_000;

        public static final String MAX_WAIT_SECONDS_PROP_NAME = "rollout-max-wait-s";
        /** Ten minutes: a step (or the gate) still wanting data then is decided by on_inconclusive. */
        public static final long MAX_WAIT_SECONDS_DEFAULT = 600;

        public static final String ON_INCONCLUSIVE_PROP_NAME = "rollout-on-inconclusive";
        /** Pause: too little traffic is no evidence against a candidate; a person decides. */
        public static final RolloutPlan.Inconclusive ON_INCONCLUSIVE_DEFAULT = RolloutPlan.Inconclusive.PAUSE;

        public static final String HISTORY_PROP_NAME = "rollout-history";
        /** The last 20 rollouts of each model stay readable. */
        public static final int HISTORY_DEFAULT = 20;

        private long tickMillis = TICK_MILLIS_DEFAULT;
        private int windowRequests = WINDOW_REQUESTS_DEFAULT;
        private int replayRows = REPLAY_ROWS_DEFAULT;
        private long maxWaitSeconds = MAX_WAIT_SECONDS_DEFAULT;
        private RolloutPlan.Inconclusive onInconclusive = ON_INCONCLUSIVE_DEFAULT;
        private int historySize = HISTORY_DEFAULT;
        private Thresholds thresholds = Thresholds.defaults();

        public Context conclude()
        {
            require(tickMillis >= 1, TICK_MILLIS_PROP_NAME, tickMillis, "at least 1");
            require(windowRequests >= 64 && Integer.bitCount(windowRequests) == 1, WINDOW_REQUESTS_PROP_NAME, windowRequests,
                "a power of two of at least 64");
            require(replayRows >= 1, REPLAY_ROWS_PROP_NAME, replayRows, "at least 1");
            require(maxWaitSeconds >= 1, MAX_WAIT_SECONDS_PROP_NAME, maxWaitSeconds, "at least 1");
            require(historySize >= 1, HISTORY_PROP_NAME, historySize, "at least 1");
            return this;
        }

        private static void require(final boolean valid, final String name, final Object value, final String rule)
        {
            if (!valid)
            {
                throw new IllegalArgumentException(name + " must be " + rule + ", got " + value);
            }
        }

        /** How often the driver looks at each running rollout. */
        public Context tickMillis(final long tickMillis)
        {
            this.tickMillis = tickMillis;
            return this;
        }

        public long tickMillis()
        {
            return tickMillis;
        }

        /** The requests each version keeps per role for the judge (a power of two). */
        public Context windowRequests(final int windowRequests)
        {
            this.windowRequests = windowRequests;
            return this;
        }

        public int windowRequests()
        {
            return windowRequests;
        }

        /** The sampled rows each model keeps for the replay gate. */
        public Context replayRows(final int replayRows)
        {
            this.replayRows = replayRows;
            return this;
        }

        public int replayRows()
        {
            return replayRows;
        }

        /** The default of a rollout's {@code max_wait_seconds}. */
        public Context maxWaitSeconds(final long maxWaitSeconds)
        {
            this.maxWaitSeconds = maxWaitSeconds;
            return this;
        }

        long maxWaitMillis()
        {
            return maxWaitSeconds * 1000;
        }

        /** The default of a rollout's {@code on_inconclusive}. */
        public Context onInconclusive(final String choice)
        {
            try
            {
                this.onInconclusive = RolloutPlan.Inconclusive.valueOf(choice.trim().toUpperCase(java.util.Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(ON_INCONCLUSIVE_PROP_NAME + " must be fail or pause, got '" + choice + "'", ex);
            }
            return this;
        }

        RolloutPlan.Inconclusive onInconclusive()
        {
            return onInconclusive;
        }

        /** Past rollouts each model keeps for GET .../rollout. */
        public Context historySize(final int historySize)
        {
            this.historySize = historySize;
            return this;
        }

        public int historySize()
        {
            return historySize;
        }

        /** The gateway's value of a threshold; checked at once, a message naming the setting. */
        public Context threshold(final Threshold threshold, final double value)
        {
            thresholds = thresholds.with(threshold, value, threshold.propName());
            return this;
        }

        public double threshold(final Threshold threshold)
        {
            return thresholds.get(threshold);
        }

        Thresholds thresholds()
        {
            return thresholds;
        }
    }
}
