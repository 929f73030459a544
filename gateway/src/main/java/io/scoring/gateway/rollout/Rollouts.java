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
import io.scoring.router.state.StateStore;
import io.scoring.router.traffic.TrafficPolicy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * <h2>Surviving the process, and the fleet</h2>
 * A rollout's state (plan, step, step start, checks and decisions so far, timeline) is saved in the
 * state store, document {@code rollout-<model>}, after every change, and read back at start: a
 * gateway killed mid-step resumes at that step, its clock kept, its requests counted anew (they were
 * in the dead process's memory). The replica that drives a model's rollout holds the store's lease on
 * {@code rollout-<model>} ({@link Context#leaseMillis()}, renewed every tick); every save carries the
 * lease's fence, so a driver that lost its lease cannot overwrite its successor. With a store shared
 * by replicas ({@code --state-store redis://}), the others follow the saved state every tick (GET
 * answers it, manual steering is refused on every replica), publish their part of the step's
 * windows ({@link WindowParts}), and take the lease, and the rollout at its saved step, when the
 * driver stops renewing it. The driver judges the fleet's windows: its own and every part. Pause,
 * resume, abort and confirm through another replica are handed to the driver through the store
 * (document {@code rollout-call-<model>}) and answered by it ({@code rollout-answer-<model>}).
 *
 * <p>Threading: every public method is synchronized with the driver; nothing here runs on the request
 * path (requests only record into {@link RolloutSamples}; the rollout thread reads and publishes them).
 */
public final class Rollouts implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Rollouts.class.getName());

    private final Context ctx;
    private final RolloutSamples.Attacher attacher;
    private final Map<String, Rollout> current = new TreeMap<>();
    private final Map<String, Deque<ObjectNode>> history = new HashMap<>();
    /** The models whose rollouts this replica drives. */
    private final Map<String, StateStore.Lease> leases = new HashMap<>();
    /** Each model's saved rollout as this replica last read it (followers re-read only what changed). */
    private final Map<String, ObjectNode> lastRead = new HashMap<>();
    /** This replica's window marks at each model's current step. */
    private final Map<String, StepMarks> stepMarks = new HashMap<>();
    /** The handed-over calls this replica looked at as driver (ran, or found answered or stale), per model, while in the store. */
    private final Map<String, Set<String>> handedOverSeen = new HashMap<>();
    /** When this replica last published its windows, per model. */
    private final Map<String, Long> publishedMillis = new HashMap<>();
    /** This replica in leases and window parts: host, process, and a nonce (a restarted pid 1 is another replica). */
    private final String replica = replicaName();
    private StateStore store = StateStore.NONE;
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
     * Once the models are loaded: resumes the rollouts saved in {@code store} (this replica drives each
     * one whose lease it gets), then starts the driver.
     *
     * @param lastProbe (model, version) to its last health probe, or to null: a candidate whose last probe
     *                  failed is rolled back at the replay gate, before any live traffic
     */
    public synchronized void start(final ModelRegistry models, final Monitoring monitoring, final StateStore store,
        final BiFunction<String, String, ProbeResult> lastProbe)
    {
        this.models = models;
        this.monitoring = monitoring;
        this.store = store;
        this.lastProbe = lastProbe;
        for (final Model model : models.models())
        {
            metrics(model.name()).state.accept(0);
            metrics(model.name()).driving.accept(0);
            try
            {
                follow(model.name());
            }
            catch (final IOException | RouterException | RuntimeException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "model " + model.name() + ": the saved rollout cannot be resumed: " +
                    ex.getMessage(), ex);
            }
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
        final Optional<StateStore.Lease> lease = store.tryLease(documentName(modelName), replica, ctx.lease());
        if (lease.isEmpty())
        {
            throw new RouterException(RouterException.Kind.CONFLICT, "model '" + modelName + "' has a rollout driven by " +
                "replica '" + store.leaseHolder(documentName(modelName)).orElse("?") + "'; abort it first");
        }
        drive(modelName, lease.get());
        final long now = System.currentTimeMillis();
        final Rollout rollout = new Rollout(modelName, policy.champion(), plan, caller, now);
        rollout.driver = replica;
        final Rollout previous = current.put(modelName, rollout);
        try
        {
            setCanary(rollout, 0); // holds the candidate: it cannot be unloaded while its gate runs
        }
        catch (final IOException | RouterException | RuntimeException ex)
        {
            if (null == previous)
            {
                current.remove(modelName);
            }
            else
            {
                current.put(modelName, previous);
            }
            letGo(modelName);
            throw ex;
        }
        markWindows(rollout);
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
        final ObjectNode document = document(rollout);
        final ObjectNode json = (ObjectNode)document.get("rollout");
        json.set("history", document.get("history"));
        json.put("driving", leases.containsKey(modelName));
        return json;
    }

    /** What the store keeps of a model's rollouts: the current or last one, and the ones before it. */
    private ObjectNode document(final Rollout rollout)
    {
        final ObjectNode document = Check.JSON.createObjectNode();
        document.set("rollout", rollout.toJson());
        final ArrayNode past = document.putArray("history");
        history.getOrDefault(rollout.model, new ArrayDeque<>()).forEach(past::add);
        return document;
    }

    public JsonNode pause(final String modelName, final String caller) throws RouterException, IOException
    {
        return act(modelName, Action.PAUSE, caller);
    }

    public JsonNode resume(final String modelName, final String caller) throws RouterException, IOException
    {
        return act(modelName, Action.RESUME, caller);
    }

    public JsonNode abort(final String modelName, final String caller) throws RouterException, IOException
    {
        return act(modelName, Action.ABORT, caller);
    }

    public JsonNode confirm(final String modelName, final String caller) throws RouterException, IOException
    {
        return act(modelName, Action.CONFIRM, caller);
    }

    /** The calls beneath {@code .../rollout}, each run by the replica that drives the rollout. */
    private enum Action
    {
        PAUSE, RESUME, ABORT, CONFIRM
    }

    /**
     * Runs the action here when this replica drives the rollout (or it has none to drive: the answer is
     * then its 404 or 409); otherwise hands it to the driver through the store and waits, without
     * holding this replica's rollouts, for the driver's answer, up to two leases (a driver that died
     * meanwhile is replaced within one, and its successor answers).
     */
    private JsonNode act(final String modelName, final Action action, final String caller) throws RouterException, IOException
    {
        final String id;
        synchronized (this)
        {
            final Rollout rollout = current.get(modelName);
            if (!store.sharedByReplicas() || leases.containsKey(modelName) || null == rollout || rollout.state.ended())
            {
                return actHere(modelName, action, caller);
            }
            id = replica + "-" + java.util.UUID.randomUUID();
            store.publishPart(callsName(modelName), id, Check.JSON.createObjectNode().put("action", action.name())
                .put("caller", caller).put("time", now()).toString(), handOverTtl());
        }
        final long waitMillis = handOverTtl().toMillis();
        final long deadline = now() + waitMillis;
        while (now() < deadline)
        {
            final String answer = store.parts(answersName(modelName)).get(id);
            if (null != answer)
            {
                final JsonNode json = Check.JSON.readTree(answer);
                if (json.has("state"))
                {
                    return json.get("state");
                }
                throw new RouterException(RouterException.Kind.valueOf(json.path("kind").asText()), json.path("error").asText());
            }
            try
            {
                Thread.sleep(ctx.tickMillis());
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the driving replica", ex);
            }
        }
        throw new IOException("the replica that drives the rollout of model '" + modelName + "' did not answer the " +
            action.name().toLowerCase(java.util.Locale.ROOT) + " within " + waitMillis + " ms");
    }

    /** How long a handed-over action waits for its answer: two leases, so a driver that dies meanwhile is replaced. */
    private Duration handOverTtl()
    {
        return Duration.ofMillis(2 * ctx.leaseMillis() + 1_000);
    }

    private synchronized JsonNode actHere(final String modelName, final Action action, final String caller)
        throws RouterException, IOException
    {
        return switch (action)
        {
            case PAUSE -> pauseHere(modelName, caller);
            case RESUME -> resumeHere(modelName, caller);
            case ABORT -> abortHere(modelName, caller);
            case CONFIRM -> confirmHere(modelName, caller);
        };
    }

    /**
     * On the driver, every tick: runs each action other replicas handed over, once, oldest first, and
     * saves its answer beside the others'. Each call has its own field in the hash, so two replicas
     * handing actions over at the same moment do not overwrite each other; a call a predecessor already
     * answered (it died after answering) is not run again.
     */
    private void serveHandedOver(final String model) throws IOException
    {
        final Map<String, String> calls = store.parts(callsName(model));
        final Set<String> seen = handedOverSeen.computeIfAbsent(model, (m) -> new HashSet<>());
        seen.retainAll(calls.keySet()); // bounded: a call leaves the hash with its TTL
        if (seen.containsAll(calls.keySet()))
        {
            return; // nothing new: the answers are not read
        }
        final Map<String, String> answered = store.parts(answersName(model));
        final List<Map.Entry<String, JsonNode>> pending = new ArrayList<>();
        final long oldest = now() - handOverTtl().toMillis();
        for (final Map.Entry<String, String> call : calls.entrySet())
        {
            if (!seen.add(call.getKey()) || answered.containsKey(call.getKey()))
            {
                continue; // looked at already, or answered by a predecessor
            }
            final JsonNode json = Check.JSON.readTree(call.getValue());
            if (json.path("time").asLong() >= oldest) // else its caller stopped waiting
            {
                pending.add(Map.entry(call.getKey(), json));
            }
        }
        pending.sort(java.util.Comparator.comparingLong((call) -> call.getValue().path("time").asLong()));
        for (final Map.Entry<String, JsonNode> call : pending)
        {
            final ObjectNode answer = Check.JSON.createObjectNode();
            try
            {
                answer.set("state", actHere(model, Action.valueOf(call.getValue().path("action").asText()),
                    call.getValue().path("caller").asText()));
            }
            catch (final RouterException ex)
            {
                answer.put("kind", ex.kind().name()).put("error", ex.getMessage());
            }
            store.publishPart(answersName(model), call.getKey(), answer.toString(), handOverTtl());
        }
    }

    private static String callsName(final String model)
    {
        return "rollout-calls-" + model;
    }

    private static String answersName(final String model)
    {
        return "rollout-answers-" + model;
    }

    private synchronized JsonNode pauseHere(final String modelName, final String caller) throws RouterException, IOException
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
    private synchronized JsonNode resumeHere(final String modelName, final String caller) throws RouterException, IOException
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

    private synchronized JsonNode abortHere(final String modelName, final String caller) throws RouterException, IOException
    {
        final Rollout rollout = active(modelName, "abort");
        end(rollout, Rollout.State.ABORTED, "aborted by " + caller, null, caller);
        return state(modelName);
    }

    private synchronized JsonNode confirmHere(final String modelName, final String caller) throws RouterException, IOException
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
        // across a fleet only the driver acts: every replica probes the candidate, and the driver's own probe decides
        if (null != rollout && !rollout.state.ended() && rollout.plan.version().equals(probe.version()) &&
            leases.containsKey(probe.model()))
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
        for (final Model model : models.models())
        {
            final String name = model.name();
            try
            {
                if (!holdLease(name))
                {
                    continue; // the store did not answer: nothing is changed without a lease known to be held
                }
                if (!leases.containsKey(name) && store.sharedByReplicas())
                {
                    follow(name);
                }
                if (leases.containsKey(name) && store.sharedByReplicas())
                {
                    serveHandedOver(name);
                }
                final Rollout rollout = current.get(name);
                if (null != rollout && rollout.state == Rollout.State.RUNNING)
                {
                    publishWindows(rollout);
                }
            }
            catch (final IOException | RouterException | RuntimeException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "model " + name + ": following the fleet's rollout: " + ex.getMessage());
            }
        }
        for (final Rollout rollout : List.copyOf(current.values()))
        {
            if (rollout.state != Rollout.State.RUNNING || !leases.containsKey(rollout.model))
            {
                continue;
            }
            try
            {
                advance(rollout, now());
            }
            catch (final FencedOut ex)
            {
                lost(rollout.model, ex.getMessage());
            }
            catch (final IOException | RouterException | RuntimeException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "rollout " + rollout.id + ": " + ex.getMessage(), ex);
                try
                {
                    end(rollout, Rollout.State.ABORTED, "the rollout failed: " + ex.getMessage(), null, "rollout:" + rollout.id);
                }
                catch (final IOException | RouterException | RuntimeException again) // escaping, it would stop the driver
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
        final long waited = now - rollout.stepStartMillis;
        if (waited < rollout.plan.stepMillis() && !store.sharedByReplicas())
        {
            // nothing is judged before the step's time is up: count the canary's requests, copy none of them
            waitForStep(rollout, now, RolloutSamples.of(candidate).window(Role.CANARY).requestsSince(markWindows(rollout).canary()));
            return;
        }
        final RequestWindow.Slice[] fleet;
        try
        {
            fleet = fleetWindows(rollout, candidate, champion);
        }
        catch (final IOException ex)
        {
            // judged on one replica's share it could pass a candidate the fleet's requests fail: wait instead
            rollout.waitingFor = "the fleet's windows: " + ex.getMessage();
            inconclusiveAfterMaxWait(rollout, now, null);
            return;
        }
        final RequestWindow.Slice canary = fleet[0];
        if (waited < rollout.plan.stepMillis() || canary.requests() < rollout.plan.minRequests())
        {
            waitForStep(rollout, now, canary.requests());
            return;
        }
        final RequestWindow.Slice championSlice = fleet[1];
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

    /** The step has not had its time or its canary requests yet. */
    private void waitForStep(final Rollout rollout, final long now, final long canaryRequests) throws IOException, RouterException
    {
        rollout.waitingFor = String.format("%d of %d canary requests, %.1f of %.1f s", canaryRequests,
            rollout.plan.minRequests(), (now - rollout.stepStartMillis) / 1000.0, rollout.plan.stepMillis() / 1000.0);
        inconclusiveAfterMaxWait(rollout, now, null);
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
        rollout.stepStartMillis = now;
        markWindows(rollout);
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
            steer(rollout, (lease) -> models.setPolicy(rollout.model, new TrafficPolicy(policy.champion(), null, policy.shadows()),
                caller, lease));
        }
        rollout.basisPoints = 0;
        audit(rollout, "rollout " + state.wireName(), rollout.event(now, state.wireName(), reason, figures));
        archive(rollout);
    }

    private void promote(final Rollout rollout, final String why) throws IOException, RouterException
    {
        steer(rollout, (lease) -> models.promote(rollout.model, "rollout:" + rollout.id, lease));
        final long now = now();
        rollout.state = Rollout.State.PROMOTED;
        rollout.reason = why + ": version '" + rollout.plan.version() + "' is the champion";
        rollout.endedMillis = now;
        rollout.waitingFor = "";
        rollout.basisPoints = 10_000;
        audit(rollout, "rollout promoted", rollout.event(now, "promoted", rollout.reason, null));
        archive(rollout);
    }

    private void archive(final Rollout rollout) throws IOException
    {
        final Deque<ObjectNode> past = history.computeIfAbsent(rollout.model, (m) -> new ArrayDeque<>());
        past.addFirst(rollout.summary());
        while (past.size() > ctx.historySize())
        {
            past.removeLast();
        }
        publish(rollout);
        letGo(rollout.model); // ended: no replica needs to drive it
    }

    /** The canary at {@code basisPoints}, the champion and the shadows as they are (the candidate leaves the shadows). */
    private void setCanary(final Rollout rollout, final int basisPoints) throws IOException, RouterException
    {
        final TrafficPolicy policy = models.model(rollout.model).policy();
        final List<TrafficPolicy.Share> shadows = policy.shadows().stream()
            .filter((s) -> !s.version().equals(rollout.plan.version())).toList();
        steer(rollout, (lease) -> models.setPolicy(rollout.model, new TrafficPolicy(policy.champion(),
            new TrafficPolicy.Share(rollout.plan.version(), basisPoints), shadows), "rollout:" + rollout.id, lease));
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
    // the saved state, the lease, the fleet

    /** The store's name of a model's rollout document and of its lease. */
    static String documentName(final String model)
    {
        return "rollout-" + model;
    }

    /** The store's name of a step's window parts: one figure per rollout, step and step start (a resume restarts the step). */
    private static String windowName(final Rollout rollout)
    {
        return "rollout-window-" + rollout.id + "-" + (rollout.step + 1) + "-" + rollout.stepStartMillis;
    }

    /**
     * Renews the lease of a model this replica drives; a lease that lapsed or was taken is let go.
     *
     * @return false when the store did not answer (this tick changes nothing of the model)
     */
    private boolean holdLease(final String model)
    {
        final StateStore.Lease lease = leases.get(model);
        if (null == lease)
        {
            return true;
        }
        try
        {
            if (!store.renew(lease, ctx.lease()))
            {
                lost(model, "its lease lapsed or was taken");
            }
            return true;
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "rollout of model " + model + ": could not renew the lease: " + ex.getMessage());
            return false;
        }
    }

    /**
     * Reads the model's saved rollout: shows it (GET, metrics, manual steering refused) and, when it is
     * still in progress and its lease is free (its driver stopped, or this process restarted), takes
     * the lease and drives it from its saved step.
     */
    private void follow(final String model) throws IOException, RouterException
    {
        final Optional<ObjectNode> saved = store.loadDocument(documentName(model));
        if (saved.isEmpty())
        {
            return;
        }
        if (!saved.get().equals(lastRead.get(model)))
        {
            lastRead.put(model, saved.get());
            adopt(model, saved.get());
        }
        final Rollout seen = current.get(model);
        if (seen.state.ended())
        {
            return;
        }
        final Optional<StateStore.Lease> lease = store.tryLease(documentName(model), replica, ctx.lease());
        if (lease.isEmpty())
        {
            return;
        }
        drive(model, lease.get());
        // read again under the lease: the last driver may have saved between the read above and its lapse
        adopt(model, store.loadDocument(documentName(model)).orElse(saved.get()));
        takeOver(current.get(model), seen.driver);
    }

    /** The saved document as this replica's view of the model's rollouts. */
    private void adopt(final String model, final ObjectNode saved)
    {
        final Rollout rollout = Rollout.restore(saved.path("rollout"), ctx);
        final Deque<ObjectNode> past = new ArrayDeque<>();
        saved.path("history").forEach((entry) -> past.add((ObjectNode)entry));
        current.put(model, rollout);
        history.put(model, past);
        show(rollout);
    }

    /** Drives a saved rollout from its step: the traffic as the step wants it, this replica's windows marked. */
    private void takeOver(final Rollout rollout, final String previous) throws IOException, RouterException
    {
        final long now = now();
        final Model model = models.model(rollout.model);
        final boolean restarted = !store.sharedByReplicas(); // a store of one process: its own earlier run
        rollout.driver = replica;
        if (model.policy().champion().equals(rollout.plan.version()) && rollout.state != Rollout.State.PAUSED)
        {
            // the last driver promoted the candidate and stopped before it saved so
            rollout.state = Rollout.State.PROMOTED;
            rollout.reason = "every step passed: version '" + rollout.plan.version() + "' is the champion";
            rollout.endedMillis = now;
            rollout.basisPoints = 10_000;
            audit(rollout, "rollout promoted", rollout.event(now, "promoted", rollout.reason, null));
            archive(rollout);
            return;
        }
        final String where = rollout.step == Rollout.GATE ? "the replay gate" : "step " + (rollout.step + 1);
        final String detail = (restarted ? "resumed after a restart" : "taken over from replica '" + previous + "'") +
            " by replica '" + replica + "' at " + where + " (fence " + leases.get(rollout.model).fence() +
            "); the step's clock kept" + (store.sharedByReplicas() ? "" : ", its requests counted anew");
        LOG.log(System.Logger.Level.WARNING, "rollout {0} of {1}: {2}", rollout.id, rollout.model, detail);
        if (rollout.state.steering())
        {
            final int share = rollout.step == Rollout.GATE ? 0 : rollout.plan.stepBasisPoints()[rollout.step];
            final TrafficPolicy.Share canary = model.policy().canary();
            if (null == canary || !canary.version().equals(rollout.plan.version()) || canary.basisPoints() != share)
            {
                setCanary(rollout, share); // the last driver stopped between saving the step and setting its share
            }
        }
        markWindows(rollout);
        audit(rollout, restarted ? "rollout resumed after restart" : "rollout taken over",
            rollout.event(now, restarted ? "resumed_after_restart" : "taken_over", detail, null));
        publish(rollout);
    }

    private void drive(final String model, final StateStore.Lease lease)
    {
        leases.put(model, lease);
        metrics(model).driving.accept(1);
    }

    /** Gives the lease up (the rollout ended, or the gateway stops). */
    private void letGo(final String model)
    {
        final StateStore.Lease lease = leases.remove(model);
        metrics(model).driving.accept(0);
        if (null != lease)
        {
            try
            {
                store.release(lease);
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "rollout of model " + model + ": the lease lapses by itself: " + ex.getMessage());
            }
        }
    }

    /** Another replica drives the model's rollout now: this one only follows it. */
    private void lost(final String model, final String why)
    {
        leases.remove(model);
        lastRead.remove(model); // read the successor's state afresh
        metrics(model).driving.accept(0);
        LOG.log(System.Logger.Level.WARNING, "rollout of model " + model + ": replica " + replica + " stops driving it: " + why);
    }

    /** A save refused by the store: the fence is stale, another replica drives the rollout. */
    private static final class FencedOut extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        FencedOut(final String message)
        {
            super(message, null, false, false);
        }
    }

    /**
     * Where this replica's windows stood when it first saw a rollout's step (or started it). A step is
     * named by its rollout, index and start, so a resumed step, which starts over, is marked anew.
     */
    private record StepMarks(String rolloutId, int step, long stepStartMillis, RequestWindow.Mark canary, RequestWindow.Mark champion)
    {
        boolean of(final Rollout rollout)
        {
            return rolloutId.equals(rollout.id) && step == rollout.step && stepStartMillis == rollout.stepStartMillis;
        }
    }

    /** This replica's marks of the rollout's step, taken now if it has none; null while a version is not loaded here. */
    private StepMarks markWindows(final Rollout rollout)
    {
        final StepMarks marks = stepMarks.get(rollout.model);
        if (null != marks && marks.of(rollout))
        {
            return marks;
        }
        final Model model = models.model(rollout.model);
        final ModelVersion candidate = model.version(rollout.plan.version());
        final ModelVersion champion = model.version(rollout.champion);
        if (null == candidate || null == champion)
        {
            return null;
        }
        final StepMarks fresh = new StepMarks(rollout.id, rollout.step, rollout.stepStartMillis,
            RolloutSamples.of(candidate).window(Role.CANARY).mark(), RolloutSamples.of(champion).window(Role.CHAMPION).mark());
        stepMarks.put(rollout.model, fresh);
        return fresh;
    }

    /** This replica's requests of the step, canary [0] and champion [1]. */
    private RequestWindow.Slice[] ownWindows(final Rollout rollout, final ModelVersion candidate, final ModelVersion champion)
    {
        final StepMarks marks = markWindows(rollout);
        return new RequestWindow.Slice[] {
            RolloutSamples.of(candidate).window(Role.CANARY).since(marks.canary()),
            RolloutSamples.of(champion).window(Role.CHAMPION).since(marks.champion())};
    }

    /** The fleet's requests of the step: this replica's own, fresh, and every other replica's last published part. */
    private RequestWindow.Slice[] fleetWindows(final Rollout rollout, final ModelVersion candidate, final ModelVersion champion)
        throws IOException
    {
        final RequestWindow.Slice[] own = ownWindows(rollout, candidate, champion);
        rollout.windowReplicas = 1;
        if (!store.sharedByReplicas())
        {
            return own;
        }
        final List<RequestWindow.Slice> canary = new ArrayList<>(List.of(own[0]));
        final List<RequestWindow.Slice> championSlices = new ArrayList<>(List.of(own[1]));
        for (final Map.Entry<String, String> part : store.parts(windowName(rollout)).entrySet())
        {
            if (!part.getKey().equals(replica))
            {
                final RequestWindow.Slice[] theirs = WindowParts.decode(part.getValue());
                canary.add(theirs[0]);
                championSlices.add(theirs[1]);
                rollout.windowReplicas++;
            }
        }
        return new RequestWindow.Slice[] {WindowParts.merge(canary), WindowParts.merge(championSlices)};
    }

    /** Every {@link Context#fleetPublishMillis()}, this replica's part of a running step, for whoever drives it. */
    private void publishWindows(final Rollout rollout) throws IOException
    {
        if (!store.sharedByReplicas() || rollout.step == Rollout.GATE)
        {
            return;
        }
        final long now = now();
        if (now - publishedMillis.getOrDefault(rollout.model, 0L) < ctx.fleetPublishMillis())
        {
            return;
        }
        final Model model = models.model(rollout.model);
        final ModelVersion candidate = model.version(rollout.plan.version());
        final ModelVersion champion = model.version(rollout.champion);
        if (null == candidate || null == champion)
        {
            return; // not loaded here yet: nothing of the step answered here
        }
        publishedMillis.put(rollout.model, now);
        final RequestWindow.Slice[] own = ownWindows(rollout, candidate, champion);
        store.publishPart(windowName(rollout), replica, WindowParts.encode(own[0], own[1], ctx.fleetSamples()),
            Duration.ofMillis(2 * Math.max(rollout.plan.maxWaitMillis(), rollout.plan.stepMillis()) + ctx.leaseMillis()));
    }

    private static String replicaName()
    {
        String host;
        try
        {
            host = java.net.InetAddress.getLocalHost().getHostName();
        }
        catch (final IOException ex)
        {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xffff_ffffL);
    }

    // ---------------------------------------------------------------------------------------------
    // metrics

    /** A model's rollout meters. */
    private final class Meters
    {
        final DoubleConsumer state;
        final DoubleConsumer step;
        final DoubleConsumer percent;
        final DoubleConsumer driving;
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
            driving = metrics.gauge("scoring.rollout.driving",
                "1 on the replica that drives the model's rollout (holds its lease), 0 on the others", "model", model);
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

    /** Saves a change of a rollout this replica drives (fenced), and shows it in the metrics. */
    private void publish(final Rollout rollout) throws IOException
    {
        final StateStore.Lease lease = leases.get(rollout.model);
        if (null != lease && !store.saveDocument(documentName(rollout.model), document(rollout), lease.fence()))
        {
            throw fencedOut(rollout, lease);
        }
        show(rollout);
    }

    private FencedOut fencedOut(final Rollout rollout, final StateStore.Lease lease)
    {
        return new FencedOut("replica '" + replica + "' was fenced out of the rollout of model '" + rollout.model +
            "' (fence " + (null == lease ? "none" : Long.toString(lease.fence())) + " is stale): another replica drives it");
    }

    /** A traffic change the registry saves only while the given lease is the newest (false: nothing changed). */
    @FunctionalInterface
    private interface Steering
    {
        boolean apply(StateStore.Lease lease) throws IOException, RouterException;
    }

    /**
     * A traffic change of the rollout: first a fenced save of the rollout as it stands (the intent, so a
     * replica that takes over knows what was being done), then the policy write, fenced by the same
     * lease in the shared router state, so a driver that lost its lease between the two cannot steer.
     */
    private void steer(final Rollout rollout, final Steering steering) throws IOException, RouterException
    {
        final StateStore.Lease lease = leases.get(rollout.model);
        if (null == lease)
        {
            throw fencedOut(rollout, null);
        }
        publish(rollout);
        if (!steering.apply(lease))
        {
            throw fencedOut(rollout, lease);
        }
    }

    private void show(final Rollout rollout)
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

    /**
     * Stops driving; a clean stop gives up its leases, so another replica takes the rollouts over at once
     * (a killed one's lapse after {@link Context#leaseMillis()}).
     */
    @Override
    public void close()
    {
        driver.shutdownNow();
        synchronized (this)
        {
            for (final String model : List.copyOf(leases.keySet()))
            {
                letGo(model);
            }
        }
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
        /** 8,192 requests per version, role and answering thread (~240 KB a thread): each thread's last 8,192 of a step are judged. */
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

        public static final String LEASE_MILLIS_PROP_NAME = "rollout-lease-ms";
        /**
         * 5 s: a driver that dies is replaced within 5 s plus a tick; a driver renews it every tick (250 ms),
         * so it survives a GC pause or a Redis hiccup of several seconds before a successor may take over.
         */
        public static final long LEASE_MILLIS_DEFAULT = 5_000;

        public static final String FLEET_PUBLISH_MILLIS_PROP_NAME = "rollout-fleet-publish-ms";
        /** 1 s: the driver judges the others' requests at most a second old, for one part a second per replica. */
        public static final long FLEET_PUBLISH_MILLIS_DEFAULT = 1_000;

        public static final String FLEET_SAMPLES_PROP_NAME = "rollout-fleet-samples";
        /** 2,048 per role: each replica's part is ~110 KB, and 3 replicas give the tests 6,000 values a side. */
        public static final int FLEET_SAMPLES_DEFAULT = 2_048;

        public static final String HISTORY_PROP_NAME = "rollout-history";
        /** The last 20 rollouts of each model stay readable. */
        public static final int HISTORY_DEFAULT = 20;

        private long tickMillis = TICK_MILLIS_DEFAULT;
        private int windowRequests = WINDOW_REQUESTS_DEFAULT;
        private int replayRows = REPLAY_ROWS_DEFAULT;
        private long maxWaitSeconds = MAX_WAIT_SECONDS_DEFAULT;
        private RolloutPlan.Inconclusive onInconclusive = ON_INCONCLUSIVE_DEFAULT;
        private int historySize = HISTORY_DEFAULT;
        private long leaseMillis = LEASE_MILLIS_DEFAULT;
        private long fleetPublishMillis = FLEET_PUBLISH_MILLIS_DEFAULT;
        private int fleetSamples = FLEET_SAMPLES_DEFAULT;
        private Thresholds thresholds = Thresholds.defaults();

        public Context conclude()
        {
            require(tickMillis >= 1, TICK_MILLIS_PROP_NAME, tickMillis, "at least 1");
            require(windowRequests >= 64 && Integer.bitCount(windowRequests) == 1, WINDOW_REQUESTS_PROP_NAME, windowRequests,
                "a power of two of at least 64");
            require(replayRows >= 1, REPLAY_ROWS_PROP_NAME, replayRows, "at least 1");
            require(maxWaitSeconds >= 1, MAX_WAIT_SECONDS_PROP_NAME, maxWaitSeconds, "at least 1");
            require(historySize >= 1, HISTORY_PROP_NAME, historySize, "at least 1");
            require(leaseMillis >= 3 * tickMillis, LEASE_MILLIS_PROP_NAME, leaseMillis,
                "at least three ticks (" + TICK_MILLIS_PROP_NAME + " " + tickMillis + "), so a renewal is not missed by one late tick");
            require(fleetPublishMillis >= 1, FLEET_PUBLISH_MILLIS_PROP_NAME, fleetPublishMillis, "at least 1");
            require(fleetSamples >= 1, FLEET_SAMPLES_PROP_NAME, fleetSamples, "at least 1");
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

        /** How long a driver's lease lasts unrenewed: how soon another replica takes over from a dead driver. */
        public Context leaseMillis(final long leaseMillis)
        {
            this.leaseMillis = leaseMillis;
            return this;
        }

        public long leaseMillis()
        {
            return leaseMillis;
        }

        Duration lease()
        {
            return Duration.ofMillis(leaseMillis);
        }

        /** How often each replica publishes its part of a running step's windows (shared store only). */
        public Context fleetPublishMillis(final long fleetPublishMillis)
        {
            this.fleetPublishMillis = fleetPublishMillis;
            return this;
        }

        public long fleetPublishMillis()
        {
            return fleetPublishMillis;
        }

        /** The latency and score samples per role a replica's part carries at most (counts are always exact). */
        public Context fleetSamples(final int fleetSamples)
        {
            this.fleetSamples = fleetSamples;
            return this;
        }

        public int fleetSamples()
        {
            return fleetSamples;
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
