package io.scoring.features;

import org.agrona.collections.Object2IntHashMap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a feature snapshot into native memory and indexes it: what {@link EmbeddedFeatureStore#load} does.
 *
 * <p>The snapshot file, little-endian throughout:
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           magic 0x504E5346: the bytes 'F' 'S' 'N' 'P'          |
 *   +---------------------------------------------------------------+
 *   |                      format version = 1                       |
 *   +---------------------------------------------------------------+
 *   |                    feature count F (int32)                    |
 *   +---------------------------------------------------------------+
 *   |                    entity count N (int64)                     |
 *   |                                                               |
 *   +-------------------------------+-------------------------------+
 *   |    name length (uint16)       |  name, UTF-8                 ...   F times: column 0 first
 *   +-------------------------------+-------------------------------+
 *   |    key length (uint16)        |  key, UTF-8                  ...   N times, keys unique
 *   +-------------------------------+-------------------------------+
 *   |    F x float32, column order; NaN = the entity has no value  ...
 *   +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The records are copied to memory verbatim ({@link Records}), then walked once to check they fill the file
 * exactly and to index each key ({@link KeyIndex}). Every problem is an {@link IOException} that names it.
 */
final class SnapshotReader
{
    /** 'F','S','N','P' read as a little-endian int32. */
    static final int MAGIC = 0x504E5346;
    static final int FORMAT_VERSION = 1;
    /** magic, version, feature count: int32 each; entity count: int64. */
    static final int FIXED_HEADER_BYTES = 3 * Integer.BYTES + Long.BYTES;
    static final int NAME_LENGTH_BYTES = 2;
    /** Key and name lengths are uint16. */
    static final int MAX_KEY_BYTES = 0xFFFF;
    /** A bound on a corrupt header's F before it sizes anything; 65,535 columns is far past any model. */
    static final int MAX_FEATURES = 0xFFFF;

    /** Reads the records a chunk at a time; 1 MiB makes the per-call cost negligible. */
    private static final int CHUNK_BYTES = 1 << 20;
    /** Without the stream's length, start at this many bytes (or the estimate, if smaller) and double. */
    private static final long FIRST_GUESS_BYTES = 1 << 24;
    /** The key bytes per entity assumed by the first guess. */
    private static final int GUESSED_KEY_BYTES = 16;

    static final long UNKNOWN_LENGTH = -1;

    private SnapshotReader()
    {
    }

    /**
     * @param streamLength the bytes {@code in} holds, to size memory exactly, or {@link #UNKNOWN_LENGTH}.
     */
    static EmbeddedFeatureStore read(final InputStream in, final long streamLength) throws IOException
    {
        final ByteBuffer fixed = readExactly(in, FIXED_HEADER_BYTES, "the header");
        final int magic = fixed.getInt();
        if (magic != MAGIC)
        {
            throw new IOException(String.format(
                "not a feature snapshot: magic is 0x%08X, expected 0x%08X ('FSNP')", magic, MAGIC));
        }

        final int version = fixed.getInt();
        if (version != FORMAT_VERSION)
        {
            throw new IOException(
                "unsupported snapshot format version " + version + ", this build reads version " + FORMAT_VERSION);
        }

        final int featureCount = fixed.getInt();
        if (featureCount < 0 || featureCount > MAX_FEATURES)
        {
            throw new IOException("corrupt snapshot header: feature count " + featureCount);
        }

        final long entityCount = fixed.getLong();
        if (entityCount < 0 || entityCount > KeyIndex.MAX_ENTITIES)
        {
            throw new IOException(
                "corrupt snapshot header: entity count " + entityCount + " (at most " + KeyIndex.MAX_ENTITIES + ")");
        }

        final List<String> featureNames = new ArrayList<>(featureCount);
        final Object2IntHashMap<String> columnByName = new Object2IntHashMap<>(FeatureStore.MISSING_COLUMN);
        long headerBytes = FIXED_HEADER_BYTES;
        for (int column = 0; column < featureCount; column++)
        {
            final int nameLength = readExactly(in, NAME_LENGTH_BYTES, "feature names").getShort() & 0xFFFF;
            final String name = StandardCharsets.UTF_8.decode(readExactly(in, nameLength, "feature names")).toString();
            if (columnByName.put(name, column) != FeatureStore.MISSING_COLUMN)
            {
                throw new IOException("snapshot names feature '" + name + "' twice");
            }
            featureNames.add(name);
            headerBytes += NAME_LENGTH_BYTES + nameLength;
        }

        final long recordBytesGuess = Records.KEY_LENGTH_BYTES + GUESSED_KEY_BYTES + (long)Float.BYTES * featureCount;
        final long recordsBytesGuess = streamLength != UNKNOWN_LENGTH ?
            streamLength - headerBytes : Math.min(FIRST_GUESS_BYTES, entityCount * recordBytesGuess);
        final Records records = new Records(readRecords(in, recordsBytesGuess), featureCount);
        try
        {
            final KeyIndex index = index(records, (int)entityCount);
            return new EmbeddedFeatureStore(featureNames, columnByName, records, index, (int)entityCount);
        }
        catch (final Throwable ex)
        {
            records.free();
            throw ex;
        }
    }

    private static NativeMemory readRecords(final InputStream in, final long lengthGuess) throws IOException
    {
        final NativeMemory memory = new NativeMemory(Math.max(0, Math.min(lengthGuess, KeyIndex.MAX_RECORDS_BYTES)));
        try
        {
            final byte[] chunk = new byte[CHUNK_BYTES];
            long length = 0;
            int read;
            while ((read = in.read(chunk)) != -1)
            {
                final long newLength = length + read;
                if (newLength > KeyIndex.MAX_RECORDS_BYTES)
                {
                    throw new IOException("snapshot records exceed " + KeyIndex.MAX_RECORDS_BYTES +
                        " bytes, the most one embedded store holds: split the entities over several stores");
                }
                if (newLength > memory.length())
                {
                    memory.resize(Math.min(KeyIndex.MAX_RECORDS_BYTES, Math.max(newLength, 2 * memory.length())));
                }
                memory.copyFrom(chunk, read, length);
                length = newLength;
            }
            memory.resize(length);

            return memory;
        }
        catch (final Throwable ex)
        {
            memory.free();
            throw ex;
        }
    }

    private static KeyIndex index(final Records records, final int entityCount) throws IOException
    {
        final KeyIndex index = new KeyIndex(records, entityCount);
        try
        {
            long record = 0;
            for (int i = 0; i < entityCount; i++)
            {
                if (record + Records.KEY_LENGTH_BYTES > records.length() || records.end(record) > records.length())
                {
                    throw new IOException("snapshot truncated: the header promises " + entityCount +
                        " entities, the data ends inside entity " + i + " (" + records.length() + " bytes of records)");
                }

                final long existing = index.putIfAbsent(record);
                if (existing != KeyIndex.NOT_FOUND)
                {
                    throw new IOException("snapshot holds entity key '" + records.key(record) +
                        "' twice: entities at byte " + existing + " and " + record + " of the records");
                }
                record = records.end(record);
            }

            if (record != records.length())
            {
                throw new IOException("snapshot has " + (records.length() - record) + " bytes after its " +
                    entityCount + " entities" + (entityCount == 0 ? ": was its SnapshotWriter closed?" : ""));
            }

            return index;
        }
        catch (final Throwable ex)
        {
            index.free();
            throw ex;
        }
    }

    private static ByteBuffer readExactly(final InputStream in, final int length, final String part)
        throws IOException
    {
        final byte[] bytes = in.readNBytes(length);
        if (bytes.length != length)
        {
            throw new IOException("snapshot truncated in " + part + ": " + bytes.length + " of " + length + " bytes");
        }

        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
