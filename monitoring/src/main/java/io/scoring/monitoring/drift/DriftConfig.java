package io.scoring.monitoring.drift;

/**
 * How drift is judged.
 *
 * @param windowRows     the sliding window: the last this many sampled rows of a version.
 * @param minRows        no verdict before the window holds this many rows.
 * @param alpha          family-wise significance: a feature alarms when p < alpha / features (Bonferroni).
 * @param psiThreshold   a feature also alarms when its PSI exceeds this.
 * @param evaluateMillis how often the monitoring thread re-evaluates a window that changed.
 */
public record DriftConfig(int windowRows, int minRows, double alpha, double psiThreshold, long evaluateMillis)
{
    /** 1,000 rows: KS detects a 0.06 shift in the CDF at this size, PSI noise stays near 0.02. */
    public static final int WINDOW_ROWS_DEFAULT = 1_000;
    /** 100 rows: below that, chi-squared cells and PSI bins are too thin to read. */
    public static final int MIN_ROWS_DEFAULT = 100;
    public static final double ALPHA_DEFAULT = 0.05;
    public static final double PSI_THRESHOLD_DEFAULT = 0.2;
    /** Five seconds: sorting 20 features of 1,000 rows costs about a millisecond of the monitoring thread. */
    public static final long EVALUATE_MILLIS_DEFAULT = 5_000L;

    public DriftConfig
    {
        if (windowRows < 1 || minRows < 1 || minRows > windowRows || !(alpha > 0.0 && alpha < 1.0) ||
            !(psiThreshold > 0.0) || evaluateMillis < 1)
        {
            throw new IllegalArgumentException("invalid drift config: " + this);
        }
    }

    public static DriftConfig defaults()
    {
        return new DriftConfig(WINDOW_ROWS_DEFAULT, MIN_ROWS_DEFAULT, ALPHA_DEFAULT, PSI_THRESHOLD_DEFAULT, EVALUATE_MILLIS_DEFAULT);
    }
}
