package io.scoring.bench;

import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.SnapshotWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * How long does the embedded store take to find an entity and copy its 16 features, when it holds millions of
 * entities and so misses the CPU caches, and does it allocate?
 *
 * <p>Setup writes a snapshot of {@code entities} keys {@code entity-<n>} to a temporary file, loads it, and prints
 * the load time and the off-heap / raw bytes ratio. {@code lookupHit} asks for random stored keys,
 * {@code lookupMiss} for keys of the same shape that are not stored; both cycle through pre-built Strings so the
 * benchmark allocates nothing itself and {@code gc.alloc.rate.norm} is the store's own.
 *
 * <pre>
 *   mvn -B -pl bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar EmbeddedStoreLookupBenchmark -prof gc -f 1 -wi 3 -i 5
 *   java -jar bench/target/benchmarks.jar EmbeddedStoreLookupBenchmark -prof gc -f 1 -wi 3 -i 5 -p entities=10000000
 * </pre>
 * 10 million entities need about 0.9 GB of native memory and 0.5 GB of heap while the snapshot is written.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx2g" })
@State(Scope.Benchmark)
public class EmbeddedStoreLookupBenchmark
{
    private static final int FEATURES = 16;
    /** Lookup keys cycled through: a power of two for a mask, and many more than the caches hold. */
    private static final int KEYS = 1 << 20;

    @Param({ "1000000" })
    int entities;

    private EmbeddedFeatureStore store;
    private final String[] hitKeys = new String[KEYS];
    private final String[] missKeys = new String[KEYS];
    private final int[] columns = new int[FEATURES];
    private final int[] positions = new int[FEATURES];
    private final float[] target = new float[FEATURES];
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        final SplittableRandom random = new SplittableRandom(7);
        final Path snapshot = Files.createTempFile("features", ".snapshot");
        try
        {
            final long writeStart = System.nanoTime();
            writeSnapshot(snapshot, random);
            final long loadStart = System.nanoTime();
            store = EmbeddedFeatureStore.load(snapshot);
            final long loaded = System.nanoTime();

            System.out.printf(
                "%n%,d entities: wrote %,d MB in %,d ms, loaded in %,d ms, off-heap %,d B / raw %,d B = %.3f%n",
                entities, Files.size(snapshot) >> 20, (loadStart - writeStart) / 1_000_000,
                (loaded - loadStart) / 1_000_000, store.offHeapBytes(), store.rawBytes(),
                (double)store.offHeapBytes() / store.rawBytes());
        }
        finally
        {
            Files.delete(snapshot);
        }

        for (int i = 0; i < KEYS; i++)
        {
            hitKeys[i] = key(random.nextInt(entities));
            missKeys[i] = key(entities + random.nextInt(entities));
        }
        for (int i = 0; i < FEATURES; i++)
        {
            columns[i] = store.columnIndex("f" + i);
            positions[i] = i;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        store.close();
    }

    @Benchmark
    public int lookupHit()
    {
        return store.lookup(hitKeys[next++ & (KEYS - 1)], columns, positions, target, 0);
    }

    @Benchmark
    public int lookupMiss()
    {
        return store.lookup(missKeys[next++ & (KEYS - 1)], columns, positions, target, 0);
    }

    private void writeSnapshot(final Path snapshot, final SplittableRandom random) throws IOException
    {
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < FEATURES; i++)
        {
            names.add("f" + i);
        }

        final float[] values = new float[FEATURES];
        try (SnapshotWriter writer = SnapshotWriter.create(snapshot, names))
        {
            for (int n = 0; n < entities; n++)
            {
                for (int i = 0; i < FEATURES; i++)
                {
                    values[i] = (float)random.nextDouble();
                }
                writer.append(key(n), values);
            }
        }
    }

    private static String key(final int n)
    {
        return "entity-" + n;
    }
}
