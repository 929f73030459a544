package io.scoring.gateway.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One check's verdict with the figures that decided it: its statistic, the threshold it was held to,
 * its p-value where a test gives one, both sample sizes, and whatever else a reader needs to redo the
 * decision ({@code figures}). Whether a FAIL ends the rollout and an INCONCLUSIVE holds the step is
 * {@code required}'s business: an optional check (shadow pairs, labels) that has no data holds nothing.
 *
 * @param pValue NaN where the check is not a test
 */
record Check(
    String name,
    Verdict verdict,
    boolean required,
    double statistic,
    double threshold,
    double pValue,
    long canaryN,
    long championN,
    String detail,
    ObjectNode figures)
{
    static final ObjectMapper JSON = new ObjectMapper();

    enum Verdict
    {
        PASS, FAIL, INCONCLUSIVE;

        /** For the metric: 1 pass, 0 inconclusive, -1 fail. */
        int gaugeValue()
        {
            return this == PASS ? 1 : this == FAIL ? -1 : 0;
        }
    }

    /** An INCONCLUSIVE check for want of data. */
    static Check inconclusive(
        final String name, final boolean required, final double threshold, final long canaryN, final long championN,
        final String detail)
    {
        return new Check(name, Verdict.INCONCLUSIVE, required, Double.NaN, threshold, Double.NaN, canaryN, championN,
            detail, JSON.createObjectNode());
    }

    /** A check as {@link #toJson} wrote it (a rollout's saved state, read back after a restart or by another replica). */
    static Check parse(final com.fasterxml.jackson.databind.JsonNode json)
    {
        return new Check(json.path("name").asText(), Verdict.valueOf(json.path("verdict").asText()),
            json.path("required").asBoolean(), numberOrNaN(json.path("statistic")), numberOrNaN(json.path("threshold")),
            numberOrNaN(json.path("p_value")), json.path("canary_n").asLong(), json.path("champion_n").asLong(),
            json.path("detail").asText(), json.path("figures") instanceof ObjectNode figures ? figures : JSON.createObjectNode());
    }

    private static double numberOrNaN(final com.fasterxml.jackson.databind.JsonNode node)
    {
        return node.isNumber() ? node.asDouble() : Double.NaN;
    }

    /** Does this check stop the step from passing? */
    boolean blocks()
    {
        return required && verdict != Verdict.PASS;
    }

    ObjectNode toJson()
    {
        final ObjectNode json = JSON.createObjectNode()
            .put("name", name)
            .put("verdict", verdict.name())
            .put("required", required);
        number(json, "statistic", statistic);
        number(json, "threshold", threshold);
        number(json, "p_value", pValue);
        json.put("canary_n", canaryN).put("champion_n", championN).put("detail", detail);
        json.set("figures", figures);
        return json;
    }

    /** JSON has no NaN: a figure that does not apply is null. */
    static void number(final ObjectNode json, final String field, final double value)
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
