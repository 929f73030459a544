package io.scoring.monitoring;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The rows the gateway's health probes derive from a profile when a version ships no golden file. */
class ReferenceProfileTypicalRowsTest
{
    private static final List<MonitoredFeature> FEATURES = List.of(
        MonitoredFeature.numeric("amount"),
        MonitoredFeature.categorical("colour", List.of("red", "green", "blue")));

    @Test
    void shouldPutTheFirstRowAtTheMediansAndModesAndTheOthersAtQuantilesAndLessFrequentCategories() throws Exception
    {
        // amounts 0..100; colours: green 60, blue 30, red 11
        final float[][] training = new float[101][];
        for (int i = 0; i <= 100; i++)
        {
            training[i] = new float[] {i, i < 60 ? 1 : i < 90 ? 2 : 0};
        }
        final ReferenceProfile written = ReferenceProfile.build(FEATURES, training);
        final Path file = Files.createTempFile("profile", ".json");
        written.write(file);

        final float[][] rows = ReferenceProfile.read(file).typicalRows(); // as the gateway reads it at load
        assertEquals(ReferenceProfile.TYPICAL_QUANTILES.length, rows.length);
        assertArrayEquals(new float[] {50, 1}, rows[0], "the median and the mode");
        assertArrayEquals(new float[] {10, 2}, rows[1], "the 10th percentile and the second most frequent");
        assertArrayEquals(new float[] {25, 0}, rows[2]);
        assertArrayEquals(new float[] {75, 1}, rows[3], "categories wrap around");
        assertArrayEquals(new float[] {90, 2}, rows[4]);
    }
}
