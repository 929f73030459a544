package io.scoring.monitoring;

import io.scoring.monitoring.drift.DomainDrift;
import io.scoring.monitoring.drift.VersionDrift;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Domain-classifier drift on the real German Credit data, in seeded repeated runs: each run splits the
 * 1,000 applicants 70/30 at random (its seed), the 70 % is the reference sample, the 30 % the window.
 * Shifted: the window's credit_amount values are shuffled among its rows, which breaks their correlation
 * with duration (0.62 in the data) and installment_commitment while every marginal stays exactly what it
 * was. The rates are printed; monitoring/README.md quotes them.
 */
class DomainClassifierTest
{
    private static final int RUNS = 20;
    private static final double ALPHA = Monitoring.Context.DRIFT_ALPHA_DEFAULT;
    private static final double MIN_AUC = Monitoring.Context.DOMAIN_DRIFT_MIN_AUC_DEFAULT;

    private static CreditData data;

    @BeforeAll
    static void load() throws IOException
    {
        data = CreditData.load();
    }

    @Test
    void shouldCatchABrokenCorrelationThatTheUnivariateTestsMissAndNameTheFeaturesInvolved()
    {
        final int amount = data.index("credit_amount");
        int detected = 0;
        int namedBoth = 0;
        int univariateAlarms = 0;
        for (int seed = 0; seed < RUNS; seed++)
        {
            final List<float[]> shuffled = shuffled(seed);
            final List<float[]> reference = shuffled.subList(0, 700);
            final List<float[]> heldOut = shuffled.subList(700, 1_000);
            final List<float[]> broken = shuffleColumn(heldOut, amount, new Random(1_000 + seed));

            final VersionDrift univariate = univariate(reference, broken);
            assertEquals(statistics(univariate(reference, heldOut)), statistics(univariate),
                "the marginals are the held-out data's: every univariate statistic is the same as unshifted");
            univariateAlarms += univariate.alarm() ? 1 : 0;

            final DomainDrift drift = domain(reference, broken, seed);
            detected += drift.alarm() ? 1 : 0;
            final Set<String> topTwo = Set.of(drift.importances().get(0).feature(), drift.importances().get(1).feature());
            namedBoth += topTwo.equals(Set.of("credit_amount", "duration")) ? 1 : 0;
        }
        System.out.printf("broken correlation: domain classifier detected %d/%d, named credit_amount and duration " +
            "first %d/%d; univariate tests alarmed %d/%d%n", detected, RUNS, namedBoth, RUNS, univariateAlarms, RUNS);
        assertTrue(detected >= RUNS - 1, "detected in " + detected + " of " + RUNS + " runs");
        assertTrue(namedBoth >= RUNS - 2, "the two features named first in " + namedBoth + " of " + RUNS + " runs");
        assertTrue(univariateAlarms <= 2, "univariate tests alarmed in " + univariateAlarms + " of " + RUNS + " runs");
    }

    @Test
    void shouldStaySilentOnUnshiftedHeldOutData()
    {
        int alarms = 0;
        int significant = 0;
        double maxAuc = 0;
        for (int seed = 0; seed < RUNS; seed++)
        {
            final List<float[]> shuffled = shuffled(seed);
            final DomainDrift drift = domain(shuffled.subList(0, 700), shuffled.subList(700, 1_000), seed);
            alarms += drift.alarm() ? 1 : 0;
            significant += drift.pValue() < ALPHA ? 1 : 0;
            maxAuc = Math.max(maxAuc, drift.auc());
        }
        System.out.printf("unshifted: domain classifier alarmed %d/%d, p < %.2f in %d/%d, highest AUC %.3f%n",
            alarms, RUNS, ALPHA, significant, RUNS, maxAuc);
        assertEquals(0, alarms, "false alarms in " + RUNS + " runs");
        assertTrue(significant <= 3, "p < alpha in " + significant + " of " + RUNS + " runs: the null is miscalibrated");
    }

    private static List<float[]> shuffled(final long seed)
    {
        final List<float[]> rows = new ArrayList<>(data.rows);
        Collections.shuffle(rows, new Random(seed));
        return rows;
    }

    private static List<float[]> shuffleColumn(final List<float[]> rows, final int column, final Random random)
    {
        final List<Float> values = new ArrayList<>();
        rows.forEach((row) -> values.add(row[column]));
        Collections.shuffle(values, random);
        final List<float[]> copy = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++)
        {
            final float[] row = rows.get(i).clone();
            row[column] = values.get(i);
            copy.add(row);
        }
        return copy;
    }

    private static VersionDrift univariate(final List<float[]> reference, final List<float[]> window)
    {
        final DriftWindow drift = new DriftWindow("v1", ReferenceProfile.build(data.features,
            reference.toArray(new float[0][])), new Monitoring.Context().driftWindowRows(300).conclude());
        window.forEach(drift::add);
        return drift.evaluate(0);
    }

    private static DomainDrift domain(final List<float[]> reference, final List<float[]> window, final long seed)
    {
        return new DomainClassifier(data.features, flat(reference), reference.size(), flat(window), window.size())
            .run(seed, ALPHA, MIN_AUC, 0);
    }

    private static float[] flat(final List<float[]> rows)
    {
        final int features = rows.get(0).length;
        final float[] flat = new float[rows.size() * features];
        for (int i = 0; i < rows.size(); i++)
        {
            System.arraycopy(rows.get(i), 0, flat, i * features, features);
        }
        return flat;
    }

    /** Each feature's test, statistic, p-value and PSI (its distribution's arrays compare by identity). */
    private static List<String> statistics(final VersionDrift drift)
    {
        return drift.features().stream()
            .map((f) -> f.feature() + " " + f.method() + " " + f.statistic() + " " + f.pValue() + " " + f.psi())
            .toList();
    }
}
