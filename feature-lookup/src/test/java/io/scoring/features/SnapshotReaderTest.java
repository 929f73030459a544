package io.scoring.features;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotReaderTest
{
    @TempDir
    Path dir;

    @Test
    void shouldNameAWrongMagic() throws IOException
    {
        final byte[] bytes = validSnapshot();
        bytes[0] = 'P';

        assertLoadFails(bytes, "not a feature snapshot: magic is 0x504E5350");
    }

    @Test
    void shouldNameAnUnsupportedVersion() throws IOException
    {
        final byte[] bytes = validSnapshot();
        bytes[4] = 2;

        assertLoadFails(bytes, "unsupported snapshot format version 2");
    }

    @Test
    void shouldNameATruncatedHeader() throws IOException
    {
        assertLoadFails(Arrays.copyOf(validSnapshot(), 10), "snapshot truncated in the header");
        assertLoadFails(Arrays.copyOf(validSnapshot(), 22), "snapshot truncated in feature names");
    }

    @Test
    void shouldNameTruncatedRecords() throws IOException
    {
        final byte[] bytes = validSnapshot();

        assertLoadFails(Arrays.copyOf(bytes, bytes.length - 1), "snapshot truncated: the header promises 3 entities");
    }

    @Test
    void shouldNameBytesBeyondTheLastEntity() throws IOException
    {
        final byte[] bytes = validSnapshot();

        assertLoadFails(Arrays.copyOf(bytes, bytes.length + 5), "snapshot has 5 bytes after its 3 entities");
    }

    @Test
    void shouldNameASnapshotWhoseWriterWasNotClosed() throws IOException
    {
        final Path file = dir.resolve("unfinished.snapshot");
        try (SnapshotWriter writer = SnapshotWriter.create(file, List.of("x")))
        {
            for (int i = 0; i < 20_000; i++)
            {
                writer.append("entity-" + i, new float[]{ i });
            }

            final IOException ex = assertThrows(IOException.class, () -> EmbeddedFeatureStore.load(file));
            assertTrue(ex.getMessage().contains("was its SnapshotWriter closed?"), ex.getMessage());
        }
    }

    @Test
    void shouldNameAKeyAFileFromElsewhereHoldsTwice() throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(SnapshotReader.MAGIC).putInt(1).putInt(1).putLong(2)
            .putShort((short)1).put((byte)'x')
            .putShort((short)3).put("abc".getBytes()).putFloat(1)
            .putShort((short)3).put("abc".getBytes()).putFloat(2);

        assertLoadFails(Arrays.copyOf(bytes.array(), bytes.position()), "snapshot holds entity key 'abc' twice");
    }

    @Test
    void shouldNameAFeatureAFileFromElsewhereNamesTwice() throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(26).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(SnapshotReader.MAGIC).putInt(1).putInt(2).putLong(0)
            .putShort((short)1).put((byte)'x')
            .putShort((short)1).put((byte)'x');

        assertLoadFails(bytes.array(), "snapshot names feature 'x' twice");
    }

    private byte[] validSnapshot() throws IOException
    {
        final Path file = dir.resolve("valid.snapshot");
        try (SnapshotWriter writer = SnapshotWriter.create(file, List.of("age", "income")))
        {
            writer.append("a", new float[]{ 1, 2 });
            writer.append("b", new float[]{ 3, 4 });
            writer.append("c", new float[]{ 5, 6 });
        }

        return Files.readAllBytes(file);
    }

    private void assertLoadFails(final byte[] snapshot, final String expectedMessage) throws IOException
    {
        final Path file = Files.write(dir.resolve("broken.snapshot"), snapshot);
        final IOException ex = assertThrows(IOException.class, () -> EmbeddedFeatureStore.load(file));
        assertTrue(ex.getMessage().startsWith(expectedMessage), ex.getMessage());
    }
}
