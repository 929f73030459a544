package io.scoring.monitoring.comparison;

/**
 * @param windowPairs    the sliding window: the last this many (champion, challenger) score pairs.
 * @param evaluateMillis how often the monitoring thread re-evaluates a window that changed.
 */
public record ComparisonConfig(int windowPairs, long evaluateMillis)
{
    /** 1,000 pairs: agreement known to about ±3 points at 90 %, KS sensitive to a 0.06 CDF shift. */
    public static final int WINDOW_PAIRS_DEFAULT = 1_000;
    public static final long EVALUATE_MILLIS_DEFAULT = 5_000L;

    public ComparisonConfig
    {
        if (windowPairs < 1 || evaluateMillis < 1)
        {
            throw new IllegalArgumentException("invalid comparison config: " + this);
        }
    }

    public static ComparisonConfig defaults()
    {
        return new ComparisonConfig(WINDOW_PAIRS_DEFAULT, EVALUATE_MILLIS_DEFAULT);
    }
}
