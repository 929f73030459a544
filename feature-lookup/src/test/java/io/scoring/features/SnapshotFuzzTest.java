package io.scoring.features;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The snapshot reader ({@link SnapshotReader}, as {@link EmbeddedFeatureStore#load(Path)} runs it)
 * under Jazzer: any file loads or is refused with an {@link IOException} that names the problem; nothing else is
 * thrown (no index or allocation error from a length in the file), a store that loads is closed, no native memory
 * is left held (loaded and closed, or refused), and a good snapshot then loads as it does the first time. Seeds and
 * kept findings: {@code SnapshotFuzzTestInputs/}.
 */
class SnapshotFuzzTest
{
    private static final byte[] GOOD = goodSnapshot();

    @FuzzTest(maxDuration = "5s")
    void anyFileLoadsOrIsRefusedWithAnIOException(final byte[] file)
    {
        final long heldBefore = NativeMemory.heldBytes();
        // with the length known, as load(Path) reads a file: memory sized exactly, not a 16 MiB first guess
        try (EmbeddedFeatureStore store = SnapshotReader.read(new ByteArrayInputStream(file), file.length))
        {
            store.size(); // loaded: its native memory goes back at close
        }
        catch (final IOException refused)
        {
            // the reader's answer to a bad file
        }
        assertEquals(heldBefore, NativeMemory.heldBytes(), "native memory left held after " + file.length + " fuzzed bytes");
        try (EmbeddedFeatureStore store = EmbeddedFeatureStore.load(new ByteArrayInputStream(GOOD)))
        {
            assertEquals(List.of("age", "income"), store.featureNames());
            assertEquals(2, store.size());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("the good snapshot after " + file.length + " fuzzed bytes", ex);
        }
    }

    /** Two entities, two features, one value missing: written by the project's own writer. */
    private static byte[] goodSnapshot()
    {
        try
        {
            final Path file = Files.createTempFile("good", ".snapshot");
            try (SnapshotWriter writer = SnapshotWriter.create(file, List.of("age", "income")))
            {
                writer.append("A0001", new float[]{31, 2500});
                writer.append("A0002", new float[]{45, Float.NaN});
            }
            final byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            return bytes;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
