package io.scoring.monitoring.feedback;

/**
 * Ground-truth joining and scoring.
 *
 * @param journalCapacity   predictions remembered (a power of two); the oldest of a full set is evicted.
 * @param ttlMillis         a prediction older than this no longer joins.
 * @param windowLabels      per version, metrics cover the last this many joined labels.
 * @param falseNegativeCost cost of a positive (credit: a bad applicant) decided negative (good).
 * @param falsePositiveCost cost of a negative (good) decided positive (bad).
 */
public record FeedbackConfig(
    int journalCapacity, long ttlMillis, int windowLabels, double falseNegativeCost, double falsePositiveCost)
{
    /** 2^18 predictions, ~10 MB: 1 hour of 70 requests a second, or 4 minutes of 1,000. */
    public static final int JOURNAL_CAPACITY_DEFAULT = 1 << 18;
    /** One hour: labels that arrive later than that are a batch job's business, not a live metric's. */
    public static final long TTL_MILLIS_DEFAULT = 3_600_000L;
    /** 10,000 labels: AUC to about ±0.01. */
    public static final int WINDOW_LABELS_DEFAULT = 10_000;
    /** The German Credit cost matrix: classing a bad applicant as good costs 5 ... */
    public static final double FALSE_NEGATIVE_COST_DEFAULT = 5.0;
    /** ... and a good applicant as bad costs 1. */
    public static final double FALSE_POSITIVE_COST_DEFAULT = 1.0;

    public FeedbackConfig
    {
        if (journalCapacity < PredictionJournal.WAYS || Integer.bitCount(journalCapacity) != 1 || ttlMillis < 1 ||
            windowLabels < 1 || falseNegativeCost < 0 || falsePositiveCost < 0)
        {
            throw new IllegalArgumentException("invalid feedback config: " + this);
        }
    }

    public static FeedbackConfig defaults()
    {
        return new FeedbackConfig(JOURNAL_CAPACITY_DEFAULT, TTL_MILLIS_DEFAULT, WINDOW_LABELS_DEFAULT,
            FALSE_NEGATIVE_COST_DEFAULT, FALSE_POSITIVE_COST_DEFAULT);
    }
}
