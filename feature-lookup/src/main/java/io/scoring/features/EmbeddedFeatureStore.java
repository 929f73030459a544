package io.scoring.features;

import org.agrona.collections.Object2IntHashMap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link FeatureStore} held in the gateway's own memory, loaded whole from a snapshot file
 * ({@link SnapshotWriter} writes one; {@link SnapshotReader} documents the format). For feature sets that fit
 * in RAM and change by replacing the snapshot: a lookup is a hash and one or two cache misses, no network.
 *
 * <p><b>Memory.</b> Off heap, in two blocks of native memory ({@link NativeMemory}, addressed by {@code long},
 * so the records may pass 2 GiB): the records exactly as the file holds them ({@link Records}), and a hash
 * index of int slots over them ({@link KeyIndex}). Per entity, with key bytes k and F features:
 * <pre>
 *   raw bytes       k + 4F
 *   records         2 + k + 4F           the uint16 key length
 *   index slots     4 / 0.75 = 5.33      int slot, load factor 0.75
 *   off heap        raw + 7.33 bytes
 * </pre>
 * so off-heap is within 1.1x of raw once raw reaches 73 bytes: 16 features and keys of 10 bytes or more
 * ({@code entity-1234567}: 85.3 / 78 = 1.094). Fewer features and short keys pay relatively more (4
 * features, 10-byte keys: 1.28x). 8-byte slots at a power-of-two capacity would cost 10.7 to 21 bytes instead.
 * Heap holds only the feature names. Records may span at most 4 GiB, as slots hold 32-bit offsets.
 *
 * <p><b>Lookups.</b> The key's UTF-8 bytes are hashed straight from its chars and compared against the stored
 * bytes without materialising them, so any {@code CharSequence} works and nothing is allocated. A hit
 * costs one slot read and, thanks to the hash tag in each slot, about one record read.
 *
 * <p><b>Threading.</b> Immutable once loaded: any number of threads may call {@link #lookup} concurrently.
 * {@link #close} frees the native memory, so call it only once no thread can still be in {@code lookup} (the
 * gateway swaps the store out, then drains, then closes); a lookup after close answers
 * {@link #ENTITY_NOT_FOUND}.
 *
 * <p><b>Never</b>, in {@code lookup}: allocates, blocks or throws (a column outside the store reads as NaN).
 */
public final class EmbeddedFeatureStore implements FeatureStore
{
    private final List<String> featureNames;
    private final Object2IntHashMap<String> columnByName;
    private final Records records;
    private final KeyIndex index;
    private final int size;
    private final long rawBytes;
    private volatile boolean closed;

    EmbeddedFeatureStore(
        final List<String> featureNames,
        final Object2IntHashMap<String> columnByName,
        final Records records,
        final KeyIndex index,
        final int size)
    {
        this.featureNames = List.copyOf(featureNames);
        this.columnByName = columnByName;
        this.records = records;
        this.index = index;
        this.size = size;
        this.rawBytes = records.length() - (long)Records.KEY_LENGTH_BYTES * size;
    }

    /** Loads a snapshot file, e.g. one that {@link SnapshotWriter} wrote. */
    public static EmbeddedFeatureStore load(final Path snapshot) throws IOException
    {
        try (InputStream in = Files.newInputStream(snapshot))
        {
            return SnapshotReader.read(in, Files.size(snapshot));
        }
    }

    /** Loads a snapshot from a stream, e.g. a classpath resource; reads it to its end but does not close it. */
    public static EmbeddedFeatureStore load(final InputStream in) throws IOException
    {
        return SnapshotReader.read(in, SnapshotReader.UNKNOWN_LENGTH);
    }

    @Override
    public String name()
    {
        return "embedded";
    }

    /**
     * Binds by the feature's name: a snapshot holds model inputs (a category as its code) under model feature
     * names, so the reference and the categories change nothing here.
     */
    @Override
    public int columnIndex(final StoredFeature feature)
    {
        return columnByName.getValue(feature.name());
    }

    @Override
    public int lookup(
        final CharSequence entityKey,
        final int[] columns,
        final int[] positions,
        final float[] target,
        final int targetOffset)
    {
        if (closed)
        {
            return ENTITY_NOT_FOUND;
        }

        final long record = index.find(entityKey);
        if (record == KeyIndex.NOT_FOUND)
        {
            return ENTITY_NOT_FOUND;
        }

        records.copyValues(record, columns, positions, target, targetOffset);

        return FOUND;
    }

    /** What {@link #forEachEntity} hands each entity to. */
    @FunctionalInterface
    public interface EntityVisitor
    {
        /** {@code values} in column order, NaN where the entity has no value; the array is reused for the next entity. */
        void visit(String entityKey, float[] values);
    }

    /**
     * Hands every entity to {@code visitor}, in snapshot order: for copying the store elsewhere (e.g. into Redis).
     * Allocates a String per key; not for the request path.
     */
    public void forEachEntity(final EntityVisitor visitor)
    {
        final int featureCount = featureNames.size();
        final int[] columns = new int[featureCount];
        Arrays.setAll(columns, (column) -> column);
        final float[] values = new float[featureCount];
        for (long record = 0, end = closed ? 0 : records.length(); record < end; record = records.end(record))
        {
            records.copyValues(record, columns, columns, values, 0);
            visitor.visit(records.key(record), values);
        }
    }

    /** The features' names in column order. */
    public List<String> featureNames()
    {
        return featureNames;
    }

    /** The number of entities. */
    public int size()
    {
        return size;
    }

    /** Native memory held: the records and the index; 0 once closed. */
    public long offHeapBytes()
    {
        return records.length() + index.lengthInBytes();
    }

    /** The bytes the data itself needs: every key's UTF-8 bytes and 4 bytes a value. */
    public long rawBytes()
    {
        return rawBytes;
    }

    /** Frees the native memory; idempotent. Not while a lookup may be running: see the class comment. */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            index.free();
            records.free();
        }
    }
}
