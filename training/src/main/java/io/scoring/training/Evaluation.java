package io.scoring.training;

import java.util.Arrays;

/**
 * How a version scores on held-out applicants.
 *
 * <p>Cost is the data set's own matrix: a bad applicant classed as good costs
 * {@value #COST_BAD_AS_GOOD}, a good applicant classed as bad costs {@value #COST_GOOD_AS_BAD}. It is
 * taken at the threshold that minimizes expected cost for a calibrated P(bad),
 * {@code 1 / (1 + 5) = 1/6}: predict bad when {@code P(bad) >= 1/6}.
 */
public record Evaluation(
    int applicants,
    int bad,
    double auc,
    double accuracy,
    int badClassedGood,
    int goodClassedBad,
    long cost)
{
    public static final int COST_BAD_AS_GOOD = 5;
    public static final int COST_GOOD_AS_BAD = 1;
    public static final double COST_THRESHOLD = (double)COST_GOOD_AS_BAD / (COST_GOOD_AS_BAD + COST_BAD_AS_GOOD);
    public static final double ACCURACY_THRESHOLD = 0.5;

    /** Scores {@code probabilities} (P(bad)) against {@code labels} (1 = bad). */
    public static Evaluation of(final float[] probabilities, final float[] labels)
    {
        int bad = 0;
        int correct = 0;
        int badClassedGood = 0;
        int goodClassedBad = 0;
        for (int i = 0; i < labels.length; i++)
        {
            final boolean isBad = labels[i] == 1f;
            bad += isBad ? 1 : 0;
            correct += (probabilities[i] >= ACCURACY_THRESHOLD) == isBad ? 1 : 0;
            final boolean classedBad = probabilities[i] >= COST_THRESHOLD;
            badClassedGood += isBad && !classedBad ? 1 : 0;
            goodClassedBad += !isBad && classedBad ? 1 : 0;
        }
        return new Evaluation(
            labels.length,
            bad,
            auc(probabilities, labels),
            (double)correct / labels.length,
            badClassedGood,
            goodClassedBad,
            (long)COST_BAD_AS_GOOD * badClassedGood + (long)COST_GOOD_AS_BAD * goodClassedBad);
    }

    public double costPerApplicant()
    {
        return (double)cost / applicants;
    }

    /**
     * The area under the ROC curve: the chance a random bad applicant scores above a random good one,
     * ties counting half (Mann-Whitney U with mid-ranks).
     */
    static double auc(final float[] probabilities, final float[] labels)
    {
        final Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++)
        {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(probabilities[a], probabilities[b]));

        double positiveRankSum = 0;
        long positives = 0;
        for (int start = 0; start < order.length; )
        {
            int end = start;
            while (end + 1 < order.length && probabilities[order[end + 1]] == probabilities[order[start]])
            {
                end++;
            }
            final double midRank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++)
            {
                if (labels[order[k]] == 1f)
                {
                    positiveRankSum += midRank;
                    positives++;
                }
            }
            start = end + 1;
        }
        final long negatives = probabilities.length - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new IllegalArgumentException("AUC needs both classes");
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
