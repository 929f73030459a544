package io.scoring.monitoring;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per segment group of one version, since it loaded: scored rows, rows decided positive (score at or
 * above the decision threshold) and the score distribution in {@link #SCORE_BINS} equal bins of [0, 1].
 *
 * <p>Threading: {@link #record} from any number of request threads (atomic adds into one fixed array:
 * no allocation, no lock); reads from any thread see each count exactly, not a snapshot across them.
 */
final class SegmentTally
{
    /** Score bins of width 0.1: enough to see a group's scores bunch or spread; a score of 1 falls in the last. */
    static final int SCORE_BINS = 10;
    private static final int REQUESTS = 0;
    private static final int POSITIVES = 1;
    private static final int STRIDE = 2 + SCORE_BINS;

    private final SegmentIndex index;
    private final double threshold;
    private final int[] firstSlot;
    private final AtomicLongArray counts;

    SegmentTally(final SegmentIndex index, final double threshold)
    {
        this.index = index;
        this.threshold = threshold; // compared as the label window compares it: the float score widened
        firstSlot = new int[index.count()];
        int slots = 0;
        for (int s = 0; s < index.count(); s++)
        {
            firstSlot[s] = slots;
            slots += index.segments().get(s).groups().size();
        }
        counts = new AtomicLongArray(slots * STRIDE);
    }

    /** Counts each row's group in every segment. Hot path: allocation-free. */
    void record(final float[] features, final int featureCount, final float[] scores, final int rows)
    {
        for (int row = 0; row < rows; row++)
        {
            final float score = scores[row];
            final int bin = Math.min(SCORE_BINS - 1, Math.max(0, (int)(score * SCORE_BINS)));
            for (int s = 0; s < firstSlot.length; s++)
            {
                final int g = index.group(s, features, row * featureCount);
                if (g >= 0)
                {
                    final int at = (firstSlot[s] + g) * STRIDE;
                    counts.getAndIncrement(at + REQUESTS);
                    if (score >= threshold)
                    {
                        counts.getAndIncrement(at + POSITIVES);
                    }
                    counts.getAndIncrement(at + 2 + bin);
                }
            }
        }
    }

    long requests(final int s, final int g)
    {
        return counts.get((firstSlot[s] + g) * STRIDE + REQUESTS);
    }

    long positives(final int s, final int g)
    {
        return counts.get((firstSlot[s] + g) * STRIDE + POSITIVES);
    }

    long[] scoreBins(final int s, final int g)
    {
        final long[] bins = new long[SCORE_BINS];
        final int at = (firstSlot[s] + g) * STRIDE + 2;
        for (int b = 0; b < SCORE_BINS; b++)
        {
            bins[b] = counts.get(at + b);
        }
        return bins;
    }
}
