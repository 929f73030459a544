package io.scoring.features;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotWriterTest
{
    @TempDir
    Path dir;

    @Test
    void shouldWriteTheLayoutTheReaderDocuments() throws IOException
    {
        final Path file = dir.resolve("tiny.snapshot");
        try (SnapshotWriter writer = SnapshotWriter.create(file, List.of("x", "yé")))
        {
            writer.append("k1", new float[]{ 1.5f, Float.NaN });
        }

        final ByteBuffer expected = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN)
            .put(new byte[]{ 'F', 'S', 'N', 'P' }).putInt(1).putInt(2).putLong(1)
            .putShort((short)1).put((byte)'x')
            .putShort((short)3).put((byte)'y').put((byte)0xC3).put((byte)0xA9)
            .putShort((short)2).put((byte)'k').put((byte)'1').putFloat(1.5f).putFloat(Float.NaN);
        assertArrayEquals(expected.array(), Files.readAllBytes(file));
    }

    @Test
    void shouldRejectADuplicateKeyWhetherStillBufferedOrWrittenOut() throws IOException
    {
        final Path file = dir.resolve("duplicates.snapshot");
        try (SnapshotWriter writer = SnapshotWriter.create(file, List.of("x")))
        {
            for (int i = 0; i < 50_000; i++)
            {
                writer.append("entity-" + i, new float[]{ i });
            }

            for (final String duplicate : List.of("entity-0", "entity-25000", "entity-49999"))
            {
                final IllegalArgumentException ex = assertThrows(
                    IllegalArgumentException.class, () -> writer.append(duplicate, new float[]{ -1 }));
                assertTrue(ex.getMessage().contains("duplicate entity key '" + duplicate + "'"), ex.getMessage());
            }
            writer.append("entity-50000", new float[]{ 50_000 });
        }

        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(file))
        {
            assertEquals(50_001, store.size());
            final float[] target = new float[1];
            store.lookup("entity-25000", new int[]{ 0 }, new int[]{ 0 }, target, 0);
            assertEquals(25_000, target[0]);
        }
    }

    @Test
    void shouldRejectValuesThatAreNotOnePerFeature() throws IOException
    {
        try (SnapshotWriter writer = SnapshotWriter.create(dir.resolve("s"), List.of("x", "y")))
        {
            assertThrows(IllegalArgumentException.class, () -> writer.append("a", new float[]{ 1 }));
        }
    }

    @Test
    void shouldRejectAKeyThatIsNotValidUnicode() throws IOException
    {
        try (SnapshotWriter writer = SnapshotWriter.create(dir.resolve("s"), List.of("x")))
        {
            final IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> writer.append("k\uD800", new float[]{ 1 }));
            assertTrue(ex.getMessage().contains("not valid Unicode"), ex.getMessage());
        }
    }

    @Test
    void shouldRejectAKeyLongerThanItsLengthFieldHolds() throws IOException
    {
        try (SnapshotWriter writer = SnapshotWriter.create(dir.resolve("s"), List.of("x")))
        {
            assertThrows(IllegalArgumentException.class, () -> writer.append("k".repeat(65_536), new float[]{ 1 }));
            writer.append("k".repeat(65_535), new float[]{ 1 });
        }
    }

    @Test
    void shouldRejectRepeatedFeatureNames()
    {
        assertThrows(IllegalArgumentException.class, () -> SnapshotWriter.create(dir.resolve("s"), List.of("x", "x")));
    }

    @Test
    void shouldRefuseToAppendOnceClosed() throws IOException
    {
        final SnapshotWriter writer = SnapshotWriter.create(dir.resolve("s"), List.of("x"));
        writer.close();
        writer.close();

        assertThrows(IllegalStateException.class, () -> writer.append("a", new float[]{ 1 }));
    }
}
