package io.scoring.monitoring;

/**
 * The scores other versions gave the same request (shadows, or the champion when a canary served it),
 * attached to a sample so comparison can pair them. Holds references to the caller's arrays; copies
 * nothing until {@link SampleQueue#offer} encodes them.
 *
 * <p>Threading: one per thread, reused: {@link #clear()}, {@link #add} per other version, offer.
 */
public final class PairedScores
{
    /** Most other versions one request is scored by; a model rarely runs more than a few shadows. */
    public static final int MAX_PAIRED = 8;

    final int[] sourceIds = new int[MAX_PAIRED];
    final long[] scoreNanos = new long[MAX_PAIRED];
    final float[][] scores = new float[MAX_PAIRED][];
    int count;

    public PairedScores clear()
    {
        count = 0;
        return this;
    }

    /**
     * Adds one version's scores (one per row, same row count as the sample's). Returns false, adding
     * nothing, when {@link #MAX_PAIRED} are already held.
     */
    public boolean add(final int sourceId, final float[] scores, final long scoreNanos)
    {
        if (count == MAX_PAIRED)
        {
            return false;
        }
        sourceIds[count] = sourceId;
        this.scores[count] = scores;
        this.scoreNanos[count] = scoreNanos;
        count++;
        return true;
    }

    public int count()
    {
        return count;
    }
}
