package io.scoring.features;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.scoring.features.FeatureStore.ENTITY_NOT_FOUND;
import static io.scoring.features.FeatureStore.FOUND;
import static io.scoring.features.FeatureStore.MISSING_COLUMN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedFeatureStoreTest
{
    private static final List<String> FEATURES = List.of("age", "income", "tenure");
    private static final int[] ALL_COLUMNS = { 0, 1, 2 };
    private static final int[] SAME_POSITIONS = { 0, 1, 2 };

    @TempDir
    Path dir;

    @Test
    void shouldReadBackEveryValueTheWriterWrote() throws IOException
    {
        final String[] prefixes = { "entity-", "café-", "東京-", "\uD83D\uDE80-", "" };
        final Random random = new Random(42);
        final Map<String, float[]> written = new HashMap<>();
        for (int i = 0; i < 20_000; i++)
        {
            final float[] values = new float[FEATURES.size()];
            for (int column = 0; column < values.length; column++)
            {
                values[column] = random.nextInt(5) == 0 ? Float.NaN : random.nextFloat() * 1000 - 500;
            }
            written.put(prefixes[i % prefixes.length] + i, values);
        }

        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(write(written)))
        {
            assertEquals(written.size(), store.size());
            final float[] target = new float[FEATURES.size()];
            for (final Map.Entry<String, float[]> entity : written.entrySet())
            {
                assertEquals(FOUND, store.lookup(entity.getKey(), ALL_COLUMNS, SAME_POSITIONS, target, 0));
                assertArrayEquals(entity.getValue(), target, entity.getKey());
            }
        }
    }

    @Test
    void shouldHandEveryEntityToAVisitorOnceWithItsValues() throws IOException
    {
        final Map<String, float[]> written = Map.of(
            "a", new float[]{ 1, Float.NaN, 3 }, "zürich", new float[]{ 4, 5, 6 }, "", new float[]{ 7, 8, 9 });
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(write(written)))
        {
            final Map<String, float[]> visited = new HashMap<>();
            store.forEachEntity((key, values) -> assertEquals(null, visited.put(key, values.clone()), key));
            assertEquals(written.keySet(), visited.keySet());
            written.forEach((key, values) -> assertArrayEquals(values, visited.get(key), key));
        }
    }

    @Test
    void shouldFindAKeyGivenAsAnyCharSequence() throws IOException
    {
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(write(Map.of("zürich-7", new float[]{ 1, 2, 3 }))))
        {
            final float[] target = new float[3];
            final CharSequence key = new StringBuilder("zürich-").append(7);
            assertEquals(FOUND, store.lookup(key, ALL_COLUMNS, SAME_POSITIONS, target, 0));
            assertArrayEquals(new float[]{ 1, 2, 3 }, target);
        }
    }

    @Test
    void shouldAnswerEntityNotFoundAndLeaveTheTargetUntouched() throws IOException
    {
        final Path file = write(Map.of("a", new float[]{ 1, 2, 3 }, "ab", new float[]{ 4, 5, 6 }));
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(file))
        {
            final float[] target = { 7, 8, 9 };
            for (final String unknown : List.of("b", "abc", "", "A", "a\u0000"))
            {
                assertEquals(ENTITY_NOT_FOUND, store.lookup(unknown, ALL_COLUMNS, SAME_POSITIONS, target, 0), unknown);
            }
            assertArrayEquals(new float[]{ 7, 8, 9 }, target);
        }
    }

    @Test
    void shouldNotMatchAKeyHoldingAnUnpairedSurrogate() throws IOException
    {
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(write(Map.of("k?", new float[]{ 1, 2, 3 }))))
        {
            assertEquals(ENTITY_NOT_FOUND, store.lookup("k\uD800", ALL_COLUMNS, SAME_POSITIONS, new float[3], 0));
        }
    }

    @Test
    void shouldAnswerMissingColumnForAFeatureItDoesNotHold() throws IOException
    {
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(write(Map.of("a", new float[]{ 1, 2, 3 }))))
        {
            assertEquals(MISSING_COLUMN, store.columnIndex("credit_score"));
            assertEquals(0, store.columnIndex("age"));
            assertEquals(2, store.columnIndex("tenure"));
            assertEquals(FEATURES, store.featureNames());
        }
    }

    @Test
    void shouldScatterColumnsIntoTheirPositionsAfterTheTargetOffset() throws IOException
    {
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(write(Map.of("a", new float[]{ 10, 20, 30 }))))
        {
            final float[] target = new float[8];
            final int[] columns = { 2, 0 };
            final int[] positions = { 0, 3 };
            assertEquals(FOUND, store.lookup("a", columns, positions, target, 4));
            assertArrayEquals(new float[]{ 0, 0, 0, 0, 30, 0, 0, 10 }, target);
        }
    }

    @Test
    void shouldWriteNanForAColumnOutsideTheStore() throws IOException
    {
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(write(Map.of("a", new float[]{ 10, 20, 30 }))))
        {
            final float[] target = new float[3];
            final int[] columns = { MISSING_COLUMN, 1, 3 };
            assertEquals(FOUND, store.lookup("a", columns, SAME_POSITIONS, target, 0));
            assertArrayEquals(new float[]{ Float.NaN, 20, Float.NaN }, target);
        }
    }

    @Test
    void shouldResolveEveryKeyWhenWholeHashesCollide() throws IOException
    {
        // among 400,000 keys the birthday bound expects ~19 pairs with equal 32-bit hashes: equal tags, equal homes
        final Map<Integer, String> firstByHash = new HashMap<>();
        final List<String> colliding = new ArrayList<>();
        final Map<String, float[]> written = new HashMap<>();
        for (int i = 0; i < 400_000; i++)
        {
            final String key = "user:" + i;
            final String earlier = firstByHash.putIfAbsent(Utf8Keys.hash(key), key);
            if (earlier != null)
            {
                colliding.add(earlier);
                colliding.add(key);
            }
            written.put(key, new float[]{ i, -i, i % 7 });
        }
        assertTrue(colliding.size() >= 2, "no colliding hashes to test with");

        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(write(written)))
        {
            final float[] target = new float[3];
            for (final Map.Entry<String, float[]> entity : written.entrySet())
            {
                assertEquals(FOUND, store.lookup(entity.getKey(), ALL_COLUMNS, SAME_POSITIONS, target, 0));
                assertArrayEquals(entity.getValue(), target, entity.getKey());
            }
        }
    }

    @Test
    void shouldLoadFromAStreamWhatItLoadsFromAFile() throws IOException
    {
        final Path file = write(Map.of("a", new float[]{ 1, 2, 3 }, "b", new float[]{ 4, 5, 6 }));
        try (EmbeddedFeatureStore fromFile = EmbeddedFeatureStore.load(file);
            EmbeddedFeatureStore fromStream =
                EmbeddedFeatureStore.load(new ByteArrayInputStream(Files.readAllBytes(file))))
        {
            final float[] target = new float[3];
            assertEquals(FOUND, fromStream.lookup("b", ALL_COLUMNS, SAME_POSITIONS, target, 0));
            assertArrayEquals(new float[]{ 4, 5, 6 }, target);
            assertEquals(fromFile.offHeapBytes(), fromStream.offHeapBytes());
            assertEquals("embedded", fromStream.name());
        }
    }

    @Test
    void shouldHoldSixteenFeaturesWithinOnePointOneTimesTheirRawBytes() throws IOException
    {
        final List<String> features = new ArrayList<>();
        for (int i = 0; i < 16; i++)
        {
            features.add("f" + i);
        }
        final Path file = dir.resolve("wide.snapshot");
        final int entities = 100_000;
        try (SnapshotWriter writer = SnapshotWriter.create(file, features))
        {
            for (int i = 0; i < entities; i++)
            {
                writer.append("entity-" + (1_000_000 + i), new float[16]);
            }
        }

        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(file))
        {
            assertEquals(entities * (14L + 64), store.rawBytes());
            final double ratio = (double)store.offHeapBytes() / store.rawBytes();
            assertTrue(ratio <= 1.1, "off-heap / raw = " + ratio);
        }
    }

    @Test
    void shouldAnswerEntityNotFoundOnceClosedAndCloseTwiceSafely() throws IOException
    {
        final EmbeddedFeatureStore store = EmbeddedFeatureStore.load(write(Map.of("a", new float[]{ 1, 2, 3 })));
        store.close();
        store.close();

        assertEquals(ENTITY_NOT_FOUND, store.lookup("a", ALL_COLUMNS, SAME_POSITIONS, new float[3], 0));
        assertEquals(0, store.offHeapBytes());
    }

    @Test
    void shouldLoadASnapshotWithoutEntities() throws IOException
    {
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(write(Map.of())))
        {
            assertEquals(0, store.size());
            assertEquals(ENTITY_NOT_FOUND, store.lookup("a", ALL_COLUMNS, SAME_POSITIONS, new float[3], 0));
        }
    }

    private Path write(final Map<String, float[]> entities) throws IOException
    {
        final Path file = dir.resolve("features.snapshot");
        try (SnapshotWriter writer = SnapshotWriter.create(file, FEATURES))
        {
            for (final Map.Entry<String, float[]> entity : entities.entrySet())
            {
                writer.append(entity.getKey(), entity.getValue());
            }
        }

        return file;
    }
}
