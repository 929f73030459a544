package io.scoring.gateway.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One rollout of a candidate version of one model: where it is (the replay gate, or a step), its state,
 * the checks that decided each step, and a timeline of every event with its figures.
 *
 * <p>Threading: guarded by {@link Rollouts}' monitor; never touched by the request path.
 */
final class Rollout
{
    /** The contract's states (BRIEF.md), lower case on the wire. */
    enum State
    {
        RUNNING(1), PAUSED(2), WAITING_CONFIRM(3), PROMOTED(4), ROLLED_BACK(5), ABORTED(6);

        /** The {@code scoring_rollout_state} gauge's value; 0 is "no rollout". */
        final int code;

        State(final int code)
        {
            this.code = code;
        }

        String wireName()
        {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean ended()
        {
            return this == PROMOTED || this == ROLLED_BACK || this == ABORTED;
        }

        /** Manual traffic changes are refused (409) in these. */
        boolean steering()
        {
            return this == RUNNING || this == WAITING_CONFIRM;
        }
    }

    /** Before step one: the replay gate. */
    static final int GATE = -1;

    final String id;
    final String model;
    final String champion;
    final RolloutPlan plan;
    final String startedBy;
    final long startedMillis;
    State state = State.RUNNING;
    /** {@link #GATE}, or the index of the step in {@link RolloutPlan#stepBasisPoints()}. */
    int step = GATE;
    /** The canary's share now, hundredths of a percent. */
    int basisPoints;
    long stepStartMillis;
    /** What the step is waiting for, while it waits; empty otherwise. */
    String waitingFor = "";
    List<Check> gateChecks = List.of();
    List<Check> checks = List.of();
    String reason = "";
    long endedMillis;
    final ArrayNode steps = Check.JSON.createArrayNode();
    final ArrayNode timeline = Check.JSON.createArrayNode();

    /** The replica that drives it (holds its lease), as last saved; empty when none is known. */
    String driver = "";
    /** How many replicas' requests the step's last judgment saw (the driver's and every published part). */
    int windowReplicas;

    Rollout(final String model, final String champion, final RolloutPlan plan, final String startedBy, final long now)
    {
        this(model + "-" + now, model, champion, plan, startedBy, now);
        this.stepStartMillis = now;
    }

    private Rollout(
        final String id, final String model, final String champion, final RolloutPlan plan, final String startedBy,
        final long startedMillis)
    {
        this.id = id;
        this.model = model;
        this.champion = champion;
        this.plan = plan;
        this.startedBy = startedBy;
        this.startedMillis = startedMillis;
    }

    /**
     * A rollout as {@link #toJson} saved it: where it was, what decided it so far, its timeline. The
     * window marks are not in it (they count one process's requests): whoever drives it next marks its
     * own windows.
     *
     * @throws IllegalArgumentException when the saved state is not a rollout's
     */
    static Rollout restore(final JsonNode json, final Rollouts.Context defaults)
    {
        try
        {
            final Rollout rollout = new Rollout(text(json, "id"), text(json, "model"), text(json, "champion"),
                RolloutPlan.parse(json.get("plan"), defaults), text(json, "started_by"), millis(json, "started"));
            rollout.state = State.valueOf(text(json, "state").toUpperCase(Locale.ROOT));
            rollout.step = json.path("step").asInt() - 1;
            rollout.basisPoints = (int)Math.round(json.path("percent").asDouble() * 100);
            rollout.stepStartMillis = millis(json, "step_started");
            rollout.waitingFor = json.path("waiting_for").asText();
            rollout.reason = json.path("reason").asText();
            rollout.driver = json.path("driver").asText();
            rollout.windowReplicas = json.path("window_replicas").asInt();
            rollout.endedMillis = json.hasNonNull("ended") ? millis(json, "ended") : 0;
            rollout.gateChecks = checks(json.path("replay_gate"));
            rollout.checks = rollout.step == GATE ? List.of() : checks(json.path("checks"));
            json.path("steps").forEach(rollout.steps::add);
            json.path("timeline").forEach(rollout.timeline::add);
            return rollout;
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("not a saved rollout: " + ex.getMessage(), ex);
        }
    }

    private static String text(final JsonNode json, final String field)
    {
        final JsonNode value = json.get(field);
        if (null == value || !value.isTextual())
        {
            throw new IllegalArgumentException(field + " missing");
        }
        return value.asText();
    }

    private static long millis(final JsonNode json, final String field)
    {
        return Instant.parse(text(json, field)).toEpochMilli();
    }

    private static List<Check> checks(final JsonNode array)
    {
        final List<Check> checks = new java.util.ArrayList<>();
        array.forEach((check) -> checks.add(Check.parse(check)));
        return List.copyOf(checks);
    }

    /** Appends an event to the timeline; returns it, so the audit log can carry the same entry. */
    ObjectNode event(final long now, final String event, final String detail, final JsonNode figures)
    {
        final ObjectNode entry = timeline.addObject()
            .put("time", Instant.ofEpochMilli(now).toString())
            .put("event", event)
            .put("state", state.wireName())
            .put("step", step + 1)
            .put("percent", basisPoints / 100.0)
            .put("detail", detail);
        if (null != figures)
        {
            entry.set("figures", figures);
        }
        return entry;
    }

    static ArrayNode json(final List<Check> checks)
    {
        final ArrayNode array = Check.JSON.createArrayNode();
        checks.forEach((check) -> array.add(check.toJson()));
        return array;
    }

    /** The state GET answers: the contract's fields first, then everything an ops page draws. */
    ObjectNode toJson()
    {
        final ObjectNode json = Check.JSON.createObjectNode()
            .put("id", id)
            .put("model", model)
            .put("state", state.wireName())
            .put("version", plan.version())
            .put("champion", champion)
            .put("percent", basisPoints / 100.0);
        json.set("checks", json(step == GATE ? gateChecks : checks));
        json.put("reason", reason)
            .put("phase", step == GATE ? "replay_gate" : "step")
            .put("step", step + 1)
            .put("step_count", plan.stepBasisPoints().length)
            .put("step_started", Instant.ofEpochMilli(stepStartMillis).toString())
            .put("waiting_for", waitingFor)
            .put("window_replicas", windowReplicas)
            .put("started", Instant.ofEpochMilli(startedMillis).toString())
            .put("started_by", startedBy)
            .put("driver", driver);
        if (state.ended())
        {
            json.put("ended", Instant.ofEpochMilli(endedMillis).toString());
        }
        json.set("replay_gate", json(gateChecks));
        json.set("steps", steps);
        json.set("plan", plan.toJson());
        json.set("timeline", timeline);
        return json;
    }

    /** A line of the model's rollout history. */
    ObjectNode summary()
    {
        return Check.JSON.createObjectNode()
            .put("id", id)
            .put("version", plan.version())
            .put("champion", champion)
            .put("state", state.wireName())
            .put("reason", reason)
            .put("started", Instant.ofEpochMilli(startedMillis).toString())
            .put("ended", state.ended() ? Instant.ofEpochMilli(endedMillis).toString() : "");
    }
}
