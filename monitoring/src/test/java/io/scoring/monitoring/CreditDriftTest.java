package io.scoring.monitoring;

import io.scoring.monitoring.drift.FeatureDrift;
import io.scoring.monitoring.drift.VersionDrift;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drift on the real German Credit data: a reference profile from a 70 % split, then the held-out 30 %
 * as the live window, unchanged and shifted.
 */
class CreditDriftTest
{
    private static final String PURPOSE = "purpose";
    private static final String CREDIT_AMOUNT = "credit_amount";
    private static final String TRIPLED_PURPOSE = "used car";

    private static CreditData data;
    private static List<float[]> reference;
    private static List<float[]> heldOut;

    @BeforeAll
    static void split() throws IOException
    {
        data = CreditData.load();
        assertEquals(20, data.features.size());
        assertEquals(1_000, data.rows.size());
        final List<float[]> shuffled = new ArrayList<>(data.rows);
        Collections.shuffle(shuffled, new Random(42));
        reference = shuffled.subList(0, 700);
        heldOut = shuffled.subList(700, 1_000);
    }

    @Test
    void shouldRaiseNoAlarmOnHeldOutDataFromTheSameDistribution()
    {
        final VersionDrift drift = evaluate(heldOut);

        assertTrue(drift.evaluated());
        assertEquals(20, drift.features().size());
        assertEquals(Set.of(), alarmed(drift), () -> describe(drift));
    }

    @Test
    void shouldAlarmOnExactlyTheShiftedFeatures()
    {
        final int amount = data.index(CREDIT_AMOUNT);
        final int purpose = data.index(PURPOSE);
        final int usedCar = data.features.get(purpose).categories().indexOf(TRIPLED_PURPOSE);
        final List<float[]> shifted = new ArrayList<>();
        long usedCars = 0;
        for (final float[] row : heldOut)
        {
            final float[] copy = row.clone();
            copy[amount] *= 1.5f;
            shifted.add(copy);
            usedCars += copy[purpose] == usedCar ? 1 : 0;
        }
        long toMove = 2 * usedCars; // tripling the share: twice as many again, taken from other purposes
        for (final float[] row : shifted)
        {
            if (toMove > 0 && row[purpose] != usedCar)
            {
                row[purpose] = usedCar;
                toMove--;
            }
        }

        final VersionDrift drift = evaluate(shifted);

        assertEquals(Set.of(CREDIT_AMOUNT, PURPOSE), alarmed(drift), () -> describe(drift));
        final FeatureDrift amountDrift = feature(drift, CREDIT_AMOUNT);
        assertEquals("ks", amountDrift.method());
        assertTrue(amountDrift.testAlarm(), () -> describe(drift));
        final FeatureDrift purposeDrift = feature(drift, PURPOSE);
        assertEquals("chi2", purposeDrift.method());
        assertTrue(purposeDrift.testAlarm() && purposeDrift.psiAlarm(), () -> describe(drift));
    }

    @Test
    void shouldGiveNoVerdictBeforeTheWindowHoldsTheMinimumRows()
    {
        final DriftWindow window = window();
        heldOut.subList(0, 99).forEach(window::add);

        final VersionDrift drift = window.evaluate(0);

        assertTrue(!drift.evaluated() && drift.features().isEmpty() && !drift.alarm());
    }

    private static VersionDrift evaluate(final List<float[]> live)
    {
        final DriftWindow window = window();
        live.forEach(window::add);
        return window.evaluate(0);
    }

    private static DriftWindow window()
    {
        final ReferenceProfile profile = ReferenceProfile.build(data.features, reference.toArray(new float[0][]));
        return new DriftWindow("v1", profile, new Monitoring.Context().driftWindowRows(300).driftEvaluateMillis(1).conclude());
    }

    private static Set<String> alarmed(final VersionDrift drift)
    {
        final Set<String> names = new TreeSet<>();
        drift.features().stream().filter(FeatureDrift::alarm).forEach((feature) -> names.add(feature.feature()));
        return names;
    }

    private static FeatureDrift feature(final VersionDrift drift, final String name)
    {
        return drift.features().stream().filter((f) -> f.feature().equals(name)).findFirst().orElseThrow();
    }

    private static String describe(final VersionDrift drift)
    {
        final StringBuilder text = new StringBuilder("corrected alpha " + drift.correctedAlpha() + "\n");
        drift.features().forEach((f) -> text.append(String.format("%-24s %-4s stat=%.4f p=%.3g psi=%.4f%n",
            f.feature(), f.method(), f.statistic(), f.pValue(), f.psi())));
        return text.toString();
    }
}
