package io.scoring.monitoring;

/**
 * The population stability index, {@code PSI = sum (a_i - e_i) ln(a_i / e_i)} over bins, where e_i is
 * the reference share of bin i and a_i the observed share. An empty bin's share is floored at
 * {@link #SHARE_FLOOR} so one empty bin gives a large but finite term (the usual convention).
 * Rule of thumb: below 0.1 stable, 0.1 to 0.2 a moderate shift, above 0.2 a significant one.
 *
 * <p>Threading: stateless. Allocates nothing.
 *
 * <p>Public for one more caller: the gateway's rollout judge compares a canary's scores with the
 * champion's by the same statistic.
 */
public final class PopulationStability
{
    /** The share an empty bin counts as: 1 in 10,000, small next to any bin share worth reading. */
    static final double SHARE_FLOOR = 1e-4;

    private PopulationStability()
    {
    }

    public static double index(final double[] referenceShares, final long[] observedCounts, final int bins)
    {
        long total = 0;
        for (int i = 0; i < bins; i++)
        {
            total += observedCounts[i];
        }
        if (total == 0)
        {
            return 0.0;
        }
        double psi = 0.0;
        for (int i = 0; i < bins; i++)
        {
            final double expected = Math.max(referenceShares[i], SHARE_FLOOR);
            final double actual = Math.max(observedCounts[i] / (double)total, SHARE_FLOOR);
            psi += (actual - expected) * Math.log(actual / expected);
        }
        return psi;
    }
}
