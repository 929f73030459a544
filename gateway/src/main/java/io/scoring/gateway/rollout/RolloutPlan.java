package io.scoring.gateway.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Set;

/**
 * What a rollout was asked to do, from {@code POST /admin/models/{m}/rollout}:
 *
 * <pre>
 * {"version": "2", "steps": [10, 50], "step_seconds": 5, "min_requests": 200,
 *  "confirm": false, "gate": "wait", "on_inconclusive": "pause", "max_wait_seconds": 600,
 *  "thresholds": {"alpha": 0.01, ...}}
 * </pre>
 *
 * The first four are required; the rest default to the gateway's settings. Immutable.
 *
 * @param stepBasisPoints the canary's share at each step, hundredths of a percent, increasing
 * @param confirm         after the last step, wait for {@code /confirm} rather than promote
 * @param gate            without enough sampled rows for the replay gate: wait for them, or skip it
 * @param onInconclusive  a step still wanting data after {@code maxWaitMillis}: fail (roll back) or pause
 */
record RolloutPlan(
    String version,
    int[] stepBasisPoints,
    long stepMillis,
    long minRequests,
    boolean confirm,
    Gate gate,
    Inconclusive onInconclusive,
    long maxWaitMillis,
    Thresholds thresholds)
{
    private static final Set<String> FIELDS = Set.of("version", "steps", "step_seconds", "min_requests", "confirm",
        "gate", "on_inconclusive", "max_wait_seconds", "thresholds");

    enum Gate
    {
        WAIT, SKIP
    }

    enum Inconclusive
    {
        FAIL, PAUSE
    }

    /** @throws IllegalArgumentException naming the field that is wrong */
    static RolloutPlan parse(final JsonNode body, final Rollouts.Context defaults)
    {
        if (null == body || !body.isObject())
        {
            throw new IllegalArgumentException("the rollout must be a JSON object with version, steps, step_seconds, min_requests");
        }
        for (final var names = body.fieldNames(); names.hasNext(); )
        {
            final String name = names.next();
            if (!FIELDS.contains(name))
            {
                throw new IllegalArgumentException("unknown field '" + name + "'; known: " + new java.util.TreeSet<>(FIELDS));
            }
        }
        final JsonNode version = body.get("version");
        if (null == version || !version.isTextual() || version.asText().isEmpty())
        {
            throw new IllegalArgumentException("version: required, the candidate version (already loaded)");
        }
        final int[] steps = steps(body.get("steps"));
        final JsonNode stepSeconds = body.get("step_seconds");
        if (null == stepSeconds || !stepSeconds.isNumber() || stepSeconds.asDouble() <= 0)
        {
            throw new IllegalArgumentException("step_seconds: required, a number above 0 (how long each step is held at least)");
        }
        final JsonNode minRequests = body.get("min_requests");
        if (null == minRequests || !minRequests.canConvertToLong() || !minRequests.isIntegralNumber() || minRequests.asLong() < 1)
        {
            throw new IllegalArgumentException("min_requests: required, a whole number of at least 1 (canary requests per step)");
        }
        final JsonNode confirm = body.get("confirm");
        if (null != confirm && !confirm.isBoolean())
        {
            throw new IllegalArgumentException("confirm: must be true or false");
        }
        final JsonNode maxWait = body.get("max_wait_seconds");
        if (null != maxWait && (!maxWait.isNumber() || maxWait.asDouble() <= 0))
        {
            throw new IllegalArgumentException("max_wait_seconds: must be a number above 0");
        }
        final long stepMillis = Math.round(stepSeconds.asDouble() * 1000);
        final long maxWaitMillis = null == maxWait ? defaults.maxWaitMillis() : Math.round(maxWait.asDouble() * 1000);
        return new RolloutPlan(
            version.asText(),
            steps,
            stepMillis,
            minRequests.asLong(),
            null != confirm && confirm.asBoolean(),
            choice(body.get("gate"), "gate", Gate.class, Gate.WAIT),
            choice(body.get("on_inconclusive"), "on_inconclusive", Inconclusive.class, defaults.onInconclusive()),
            Math.max(maxWaitMillis, stepMillis),
            defaults.thresholds().overriddenBy(body.get("thresholds")));
    }

    private static int[] steps(final JsonNode steps)
    {
        if (null == steps || !steps.isArray() || steps.isEmpty())
        {
            throw new IllegalArgumentException("steps: required, the canary's percent at each step, e.g. [10, 50]");
        }
        final int[] basisPoints = new int[steps.size()];
        for (int i = 0; i < steps.size(); i++)
        {
            final JsonNode step = steps.get(i);
            if (!step.isNumber())
            {
                throw new IllegalArgumentException("steps[" + i + "]: must be a number in (0, 100]");
            }
            final BigDecimal percent = step.decimalValue();
            if (percent.signum() <= 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0)
            {
                throw new IllegalArgumentException("steps[" + i + "]: " + percent.toPlainString() + " is outside (0, 100]");
            }
            final BigDecimal hundredths = percent.movePointRight(2);
            if (hundredths.stripTrailingZeros().scale() > 0)
            {
                throw new IllegalArgumentException("steps[" + i + "]: " + percent.toPlainString() + " has more than two decimals");
            }
            basisPoints[i] = hundredths.intValueExact();
            if (i > 0 && basisPoints[i] <= basisPoints[i - 1])
            {
                throw new IllegalArgumentException("steps: must increase, but steps[" + i + "] = " + percent.toPlainString() +
                    " follows " + basisPoints[i - 1] / 100.0);
            }
        }
        return basisPoints;
    }

    private static <E extends Enum<E>> E choice(final JsonNode node, final String field, final Class<E> type, final E fallback)
    {
        if (null == node || node.isNull())
        {
            return fallback;
        }
        for (final E constant : type.getEnumConstants())
        {
            if (node.isTextual() && constant.name().equalsIgnoreCase(node.asText()))
            {
                return constant;
            }
        }
        throw new IllegalArgumentException(field + ": must be one of " +
            java.util.Arrays.stream(type.getEnumConstants()).map((e) -> e.name().toLowerCase(Locale.ROOT)).toList());
    }

    ObjectNode toJson()
    {
        final ObjectNode json = Check.JSON.createObjectNode().put("version", version);
        final ArrayNode steps = json.putArray("steps");
        for (final int step : stepBasisPoints)
        {
            steps.add(step / 100.0);
        }
        json.put("step_seconds", stepMillis / 1000.0)
            .put("min_requests", minRequests)
            .put("confirm", confirm)
            .put("gate", gate.name().toLowerCase(Locale.ROOT))
            .put("on_inconclusive", onInconclusive.name().toLowerCase(Locale.ROOT))
            .put("max_wait_seconds", maxWaitMillis / 1000.0);
        json.set("thresholds", thresholds.toJson());
        return json;
    }
}
