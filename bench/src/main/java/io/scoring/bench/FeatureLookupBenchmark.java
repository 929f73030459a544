package io.scoring.bench;

import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.features.redis.FeastRedisLoader;
import io.scoring.features.redis.RedisFeatureStore;
import io.scoring.testsupport.RedisServerProcess;
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
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What does a request's feature lookup cost with the embedded store, with Redis (Feast layout, one pipelined
 * round trip), and with Redis behind the near cache: its latency percentiles and what it allocates?
 *
 * <p>The stores hold the demo's 1,000 applicants (16 features) from the snapshot bundled in the gateway jar; Redis
 * is a real redis-server on a free loopback port, started here ({@code redis-server} from the PATH, else the one
 * embedded-redis ships). Each call is one {@code lookupAll}, as the pipeline makes per request, of {@code rows}
 * applicants taken in a fixed random order. The near cache holds every applicant with the default 1 s TTL, so it
 * mostly hits; the hit ratio is printed at the end.
 *
 * <pre>
 *   mvn -B -pl bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar FeatureLookupBenchmark -prof gc -f 1 -wi 3 -i 5
 * </pre>
 * SampleTime mode reports p0.50 and p0.99 per call; {@code -prof gc} adds {@code gc.alloc.rate.norm}, bytes
 * allocated per call. Redis shares the machine's cores with the benchmark, as a sidecar Redis would.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx1g" })
@State(Scope.Benchmark)
public class FeatureLookupBenchmark
{
    private static final String SNAPSHOT = "demo/features/applicants.snapshot";
    /** Lookups cycle through this many requests, a power of two for a mask. */
    private static final int REQUESTS = 1 << 12;

    @Param({ "embedded", "redis", "redis-near-cache" })
    String store;

    @Param({ "1", "10" })
    int rows;

    private RedisServerProcess redis;
    private FeatureStore featureStore;
    private int[] columns;
    private int[] positions;
    private int stride;
    private CharSequence[][] requests;
    private float[] values;
    private byte[] statuses;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        final EmbeddedFeatureStore embedded;
        try (InputStream in = snapshot())
        {
            embedded = EmbeddedFeatureStore.load(in);
        }
        final List<String> names = embedded.featureNames();
        final List<String> keys = new ArrayList<>();
        embedded.forEachEntity((key, values) -> keys.add(key));

        if (store.equals("embedded"))
        {
            featureStore = embedded;
        }
        else
        {
            embedded.close();
            redis = RedisServerProcess.startOnFreePort();
            final RedisFeatureStore.Context settings = new RedisFeatureStore.Context()
                .uri(redis.uri()).project("credit").joinKey("applicant_id").featureView("applicants")
                .nearCacheSize(store.equals("redis-near-cache") ? 10_000 : 0)
                .conclude();
            try (InputStream in = snapshot())
            {
                FeastRedisLoader.load(in, settings);
            }
            featureStore = RedisFeatureStore.connect(settings);
            System.out.printf("%nredis-server: %s%n", redis.binaryPath());
        }

        stride = names.size();
        columns = names.stream().mapToInt(featureStore::columnIndex).toArray();
        positions = new int[stride];
        for (int i = 0; i < stride; i++)
        {
            positions[i] = i;
        }
        values = new float[rows * stride];
        statuses = new byte[rows * stride];

        final Random random = new Random(11);
        requests = new CharSequence[REQUESTS][rows];
        for (final CharSequence[] request : requests)
        {
            Collections.shuffle(keys, random);
            for (int row = 0; row < rows; row++)
            {
                request[row] = keys.get(row);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        for (int i = 0; i < statuses.length; i++)
        {
            if (statuses[i] != FeatureStore.STATUS_FOUND)
            {
                System.out.printf("%nWARNING: value %d of the last lookup has status %d%n", i, statuses[i]);
            }
        }
        if (featureStore instanceof RedisFeatureStore)
        {
            final RedisFeatureStore redisStore = (RedisFeatureStore)featureStore;
            final long hits = redisStore.cacheHits();
            final long lookups = hits + redisStore.cacheMisses();
            System.out.printf("%nnear cache: %,d hits of %,d (%.1f%%); unavailable lookups: %,d%n",
                hits, lookups, lookups == 0 ? 0.0 : 100.0 * hits / lookups, redisStore.unavailableLookups());
        }
        featureStore.close();
        if (null != redis)
        {
            redis.close();
        }
    }

    @Benchmark
    public byte lookupAll()
    {
        featureStore.lookupAll(requests[next++ & (REQUESTS - 1)], rows, columns, positions, values, statuses, stride);
        return statuses[0];
    }

    private static InputStream snapshot() throws IOException
    {
        final InputStream in = FeatureLookupBenchmark.class.getClassLoader().getResourceAsStream(SNAPSHOT);
        if (null == in)
        {
            throw new IOException(SNAPSHOT + " is not on the classpath: it comes with the gateway jar");
        }
        return in;
    }
}
