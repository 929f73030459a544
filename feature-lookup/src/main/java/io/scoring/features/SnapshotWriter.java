package io.scoring.features;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * Writes a feature snapshot, one entity at a time, in the format {@link SnapshotReader} documents, for
 * {@link EmbeddedFeatureStore#load} to read.
 *
 * <p>Streaming: records pass through a 64 KiB buffer to the file, so the entities are never all on the heap.
 * What stays is the duplicate check ({@link WrittenKeys}): 11 to 21 bytes of heap an entity, keys not included.
 * {@link #close} writes the entity count into the header; until then the file says 0 entities, and
 * {@link EmbeddedFeatureStore#load} refuses it.
 *
 * <p>Every key is unique: a second {@link #append} of a key throws and writes nothing (last write wins would
 * hide a bug in the job that builds the snapshot). The store's limits apply here, so a file this class
 * completes always loads.
 *
 * <p>Not thread-safe: one writer, one thread.
 */
public final class SnapshotWriter implements Closeable
{
    private static final int BUFFER_BYTES = 1 << 16;
    /** Where the int64 entity count sits: after magic, version and feature count. */
    private static final long ENTITY_COUNT_POSITION = 3 * Integer.BYTES;

    private final FileChannel channel;
    private final int featureCount;
    private final long recordsPosition;
    private final ByteBuffer buffer;
    private final ByteBuffer storedKey =
        ByteBuffer.allocate(Records.KEY_LENGTH_BYTES + SnapshotReader.MAX_KEY_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder();
    private final WrittenKeys writtenKeys = new WrittenKeys();
    private long recordsBytes;
    private int entityCount;
    private boolean closed;

    private SnapshotWriter(final FileChannel channel, final int featureCount, final long recordsPosition)
    {
        this.channel = channel;
        this.featureCount = featureCount;
        this.recordsPosition = recordsPosition;
        this.buffer = ByteBuffer.allocate(Math.max(BUFFER_BYTES, maxRecordBytes(featureCount)))
            .order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Creates (or truncates) {@code file} and writes the header.
     *
     * @param featureNames the columns, in order: unique, each at most 65,535 UTF-8 bytes.
     */
    public static SnapshotWriter create(final Path file, final List<String> featureNames) throws IOException
    {
        final ByteBuffer header = header(featureNames);
        final FileChannel channel = FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        try
        {
            writeFully(channel, header, 0);
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }

        return new SnapshotWriter(channel, featureNames.size(), header.capacity());
    }

    /**
     * Appends one entity.
     *
     * @param values one per feature, in column order; NaN where the entity has no value.
     * @throws IllegalArgumentException if the key was appended before, is not valid Unicode (an unpaired
     *                                  surrogate), exceeds 65,535 UTF-8 bytes, or the values are not one per feature.
     * @throws IOException              on a write failure, or when the snapshot would outgrow what a store loads.
     */
    public void append(final String entityKey, final float[] values) throws IOException
    {
        if (closed)
        {
            throw new IllegalStateException("snapshot writer is closed");
        }
        if (values.length != featureCount)
        {
            throw new IllegalArgumentException("entity '" + entityKey + "' has " + values.length +
                " values, the snapshot has " + featureCount + " features");
        }

        final ByteBuffer key = encode(entityKey, "entity key");
        final int keyLength = key.remaining();
        final int recordBytes = Records.KEY_LENGTH_BYTES + keyLength + Float.BYTES * featureCount;
        if (entityCount == KeyIndex.MAX_ENTITIES || recordsBytes + recordBytes > KeyIndex.MAX_RECORDS_BYTES)
        {
            throw new IOException("snapshot full at " + entityCount + " entities, " + recordsBytes +
                " bytes of records: one embedded store holds at most " + KeyIndex.MAX_ENTITIES + " entities and " +
                KeyIndex.MAX_RECORDS_BYTES + " bytes");
        }

        final int hash = Utf8Keys.hash(key.array(), keyLength);
        int slot = writtenKeys.firstSlot(hash);
        while (writtenKeys.isOccupied(slot))
        {
            if (writtenKeys.hashAt(slot) == hash && isStoredKey(writtenKeys.recordAt(slot), key.array(), keyLength))
            {
                throw new IllegalArgumentException("duplicate entity key '" + entityKey + "'");
            }
            slot = writtenKeys.nextSlot(slot);
        }
        writtenKeys.put(slot, hash, recordsBytes);

        if (buffer.remaining() < recordBytes)
        {
            flush();
        }
        buffer.putShort((short)keyLength).put(key);
        for (final float value : values)
        {
            buffer.putFloat(value);
        }
        recordsBytes += recordBytes;
        entityCount++;
    }

    /** Writes the buffered records and the entity count, and closes the file; idempotent. */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;

        try
        {
            flush();
            final ByteBuffer count = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            writeFully(channel, count.putLong(0, entityCount), ENTITY_COUNT_POSITION);
        }
        finally
        {
            channel.close();
        }
    }

    private static ByteBuffer header(final List<String> featureNames)
    {
        if (featureNames.size() > SnapshotReader.MAX_FEATURES)
        {
            throw new IllegalArgumentException(
                featureNames.size() + " features, at most " + SnapshotReader.MAX_FEATURES + " allowed");
        }
        if (new HashSet<>(featureNames).size() != featureNames.size())
        {
            throw new IllegalArgumentException("feature names repeat: " + featureNames);
        }

        final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder();
        final ByteBuffer[] names = new ByteBuffer[featureNames.size()];
        int length = SnapshotReader.FIXED_HEADER_BYTES;
        for (int i = 0; i < names.length; i++)
        {
            names[i] = encode(utf8, featureNames.get(i), "feature name");
            length += SnapshotReader.NAME_LENGTH_BYTES + names[i].remaining();
        }

        final ByteBuffer header = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(SnapshotReader.MAGIC)
            .putInt(SnapshotReader.FORMAT_VERSION)
            .putInt(names.length)
            .putLong(0);
        for (final ByteBuffer name : names)
        {
            header.putShort((short)name.remaining()).put(name);
        }

        return header.flip();
    }

    private ByteBuffer encode(final String text, final String what)
    {
        return encode(utf8, text, what);
    }

    private static ByteBuffer encode(final CharsetEncoder utf8, final String text, final String what)
    {
        final ByteBuffer bytes;
        try
        {
            bytes = utf8.encode(CharBuffer.wrap(text));
        }
        catch (final CharacterCodingException ex)
        {
            throw new IllegalArgumentException(what + " '" + text + "' is not valid Unicode", ex);
        }

        if (bytes.remaining() > SnapshotReader.MAX_KEY_BYTES)
        {
            throw new IllegalArgumentException(what + " of " + bytes.remaining() + " UTF-8 bytes, at most " +
                SnapshotReader.MAX_KEY_BYTES + " allowed");
        }

        return bytes;
    }

    /** Reads the key of an earlier record back from the file: rare, only when two 32-bit hashes match. */
    private boolean isStoredKey(final long record, final byte[] key, final int keyLength) throws IOException
    {
        flush();
        final long position = recordsPosition + record;
        readFully(storedKey.clear().limit(Records.KEY_LENGTH_BYTES), position);
        if ((storedKey.getShort(0) & 0xFFFF) != keyLength)
        {
            return false;
        }
        readFully(storedKey.clear().limit(keyLength), position + Records.KEY_LENGTH_BYTES);

        return Arrays.equals(storedKey.array(), 0, keyLength, key, 0, keyLength);
    }

    private void flush() throws IOException
    {
        buffer.flip();
        writeFully(channel, buffer, recordsPosition + recordsBytes - buffer.remaining());
        buffer.clear();
    }

    private void readFully(final ByteBuffer target, final long position) throws IOException
    {
        long at = position;
        while (target.hasRemaining())
        {
            final int read = channel.read(target, at);
            if (read < 0)
            {
                throw new IOException("snapshot file ended at " + at + " while reading back a key");
            }
            at += read;
        }
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer source, final long position)
        throws IOException
    {
        long at = position;
        while (source.hasRemaining())
        {
            at += channel.write(source, at);
        }
    }

    private static int maxRecordBytes(final int featureCount)
    {
        return Records.KEY_LENGTH_BYTES + SnapshotReader.MAX_KEY_BYTES + Float.BYTES * featureCount;
    }
}
