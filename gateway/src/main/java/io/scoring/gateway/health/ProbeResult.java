package io.scoring.gateway.health;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * One health probe run of one version: its verdict, why it failed, and its figures. Immutable.
 *
 * @param golden        where the golden rows came from: {@code file}, {@code derived} or {@code none}
 * @param rows          golden rows scored
 * @param failedRows    rows the version failed, answered non-finite, or answered off by more than their tolerance
 * @param maxAbsDelta   the largest |answer - expected| over the compared outputs; NaN when none was answered
 * @param tolerance     the tolerance of the row with that largest |Δscore|
 * @param durationNanos how long scoring every row took, one row a call
 */
public record ProbeResult(
    String model,
    String version,
    Verdict verdict,
    String reason,
    String golden,
    int rows,
    int failedRows,
    double maxAbsDelta,
    double tolerance,
    long durationNanos,
    long checkedMillis)
{
    public enum Verdict
    {
        PASS,
        FAIL,
        /** Nothing to probe: no golden file and no reference profile. */
        NONE
    }

    public boolean failed()
    {
        return verdict == Verdict.FAIL;
    }

    /**
     * The fields the ops page (renderHealth), the readiness details and a failed rollout's record show;
     * no model: the caller groups by it.
     */
    public ObjectNode toJson()
    {
        final ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("version", version)
            .put("result", verdict.name())
            .put("reason", reason)
            .put("golden", golden)
            .put("rows", rows)
            .put("failed_rows", failedRows);
        number(json, "max_abs_delta", maxAbsDelta);
        number(json, "tolerance", tolerance);
        json.put("duration_ms", durationNanos / 1e6)
            .put("checked", Instant.ofEpochMilli(checkedMillis).toString());
        return json;
    }

    /** JSON has no NaN: a figure that does not apply is null. */
    private static void number(final ObjectNode json, final String field, final double value)
    {
        if (Double.isFinite(value))
        {
            json.put(field, value);
        }
        else
        {
            json.putNull(field);
        }
    }
}
