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
    RequestWindow.Mark canaryMark;
    RequestWindow.Mark championMark;
    /** What the step is waiting for, while it waits; empty otherwise. */
    String waitingFor = "";
    List<Check> gateChecks = List.of();
    List<Check> checks = List.of();
    String reason = "";
    long endedMillis;
    final ArrayNode steps = Check.JSON.createArrayNode();
    final ArrayNode timeline = Check.JSON.createArrayNode();

    Rollout(final String model, final String champion, final RolloutPlan plan, final String startedBy, final long now)
    {
        this.id = model + "-" + now;
        this.model = model;
        this.champion = champion;
        this.plan = plan;
        this.startedBy = startedBy;
        this.startedMillis = now;
        this.stepStartMillis = now;
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
            .put("started", Instant.ofEpochMilli(startedMillis).toString())
            .put("started_by", startedBy);
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
