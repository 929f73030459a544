package io.scoring.gateway.rollout;

/**
 * The numbers the judge and the replay gate hold a candidate to. Each has a name (its JSON field in a
 * rollout's {@code thresholds}, and its setting {@code --rollout-<name with '-'>}), a default and the
 * range it must lie in. A rollout starts with the gateway's values and may override any of them.
 */
public enum Threshold
{
    /**
     * Each test's significance level. 1 %: four tests a step over two steps keep a clean candidate's
     * false rollbacks under 5 % (JudgeErrorRatesTest measures it).
     */
    ALPHA("alpha", 0.01, 1e-9, 0.5),
    /**
     * The canary's failure rate must exceed the champion's by more than this (absolute) as well as
     * significantly: half a point, so one stray failure in 200 requests is no regression.
     */
    ERROR_RATE_TOLERANCE("error_rate_tolerance", 0.005, 0.0, 1.0),
    /**
     * Latency is compared with the champion's stretched by this factor (Kayenta's tolerance): 25 %, so
     * noise on a shared host is no regression, and a model 1.5x slower is.
     */
    LATENCY_TOLERANCE("latency_tolerance", 0.25, 0.0, 100.0),
    /** The score distributions' KS D must exceed this as well as be significant: 0.15, a clear shift of the CDF. */
    KS_MAX_D("ks_max_d", 0.15, 0.0, 1.0),
    /** PSI of the canary's scores against the champion's deciles: 0.2, the drift monitor's "significant shift". */
    PSI_MAX("psi_max", 0.2, 0.0, 100.0),
    /**
     * Successful requests (for latency) and distinct entities (for the scores) each side needs before
     * those checks judge: 50, where the KS p-value's asymptotic form is still close to exact.
     */
    MIN_SAMPLES("min_samples", 50, 2, 1e9),
    /** Where a shadow scored both: the share of pairs that must agree at the decision threshold, 90 %. */
    SHADOW_MIN_AGREEMENT("shadow_min_agreement", 0.9, 0.0, 1.0),
    /** ... and the largest mean |score difference| of those pairs, 0.1. */
    SHADOW_MAX_MEAN_DELTA("shadow_max_mean_delta", 0.1, 0.0, 1.0),
    /** Where labels arrived: the canary's cost per decision may exceed the champion's by this share, 10 %. */
    COST_TOLERANCE("cost_tolerance", 0.1, 0.0, 100.0),
    /** Labels each version needs before accuracy judges: 200 (AUC known to about ±0.05). */
    MIN_LABELS("min_labels", 200, 1, 1e9),
    /** Replay gate: the share of replayed rows the candidate may fail, 0: any failure fails the gate. */
    REPLAY_MAX_ERROR_RATE("replay_max_error_rate", 0.0, 0.0, 1.0),
    /**
     * Replay gate: the share of rows decided differently at the model's decision threshold, 20 %: a
     * retrained model moves some applicants across it, a broken one moves most.
     */
    REPLAY_MAX_DISAGREEMENT("replay_max_disagreement", 0.2, 0.0, 1.0),
    /** Replay gate: the largest mean |candidate score - champion score|, 0.15. */
    REPLAY_MAX_MEAN_DELTA("replay_max_mean_delta", 0.15, 0.0, 1.0),
    /** Replay gate: the candidate's median scoring time over the champion's, at most 3x ... */
    REPLAY_MAX_LATENCY_RATIO("replay_max_latency_ratio", 3.0, 1.0, 1e6),
    /**
     * ... unless it adds no more than this many microseconds: 50 µs. A native linear model scores in
     * 0.2 µs and trees in 4 µs; 20x of nothing is nothing next to a request's ~100 µs.
     */
    REPLAY_MAX_ADDED_LATENCY_US("replay_max_added_latency_us", 50, 0.0, 1e9),
    /** Replay gate: sampled rows it needs: 200 (disagreement known to about ±3 points). */
    REPLAY_MIN_ROWS("replay_min_rows", 200, 1, 1e9);

    private final String jsonName;
    private final double defaultValue;
    private final double min;
    private final double max;

    Threshold(final String jsonName, final double defaultValue, final double min, final double max)
    {
        this.jsonName = jsonName;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
    }

    public String jsonName()
    {
        return jsonName;
    }

    /** The gateway's setting: {@code rollout-} and the JSON name with '-' for '_'. */
    public String propName()
    {
        return "rollout-" + jsonName.replace('_', '-');
    }

    public double defaultValue()
    {
        return defaultValue;
    }

    /** Null when {@code value} is in range, else the rule it breaks. */
    String problem(final double value)
    {
        return value >= min && value <= max ? null : "from " + format(min) + " to " + format(max);
    }

    static Threshold byJsonName(final String name)
    {
        for (final Threshold threshold : values())
        {
            if (threshold.jsonName.equals(name))
            {
                return threshold;
            }
        }
        return null;
    }

    private static String format(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : Double.toString(value);
    }
}
