package io.scoring.bench;

import io.scoring.monitoring.MonitoredFeature;
import io.scoring.monitoring.Monitoring;
import io.scoring.monitoring.PairedScores;
import io.scoring.monitoring.SampleQueue;
import io.scoring.monitoring.Segment;
import io.scoring.monitoring.VersionMeters;
import io.scoring.monitoring.VersionSpec;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What does monitoring cost a request on the hot path, and does it allocate?
 *
 * <ul>
 * <li>{@code recordRequest}: the outcome counter, the request-duration histogram, the four stage
 * histograms (Micrometer) and the HdrHistogram latency recorder, through one {@link VersionMeters}.</li>
 * <li>{@code offerSample}: the sampling decision and, for the sampled, a 20-feature record with one
 * shadow score into the sample ring (the monitoring thread drains it meanwhile; a full ring drops, and
 * the aux counters say how many were offered and dropped).</li>
 * <li>{@code rememberPrediction}: the prediction journal ground truth joins against, with the row's segment groups.</li>
 * <li>{@code recordSegments}: one row counted in its group of two segments (requests, positive decision,
 * score bin).</li>
 * </ul>
 * Request ids and latencies are pre-built and cycled, so {@code gc.alloc.rate.norm} is monitoring's own.
 *
 * <pre>
 *   mvn -B -pl bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar MonitoringRecordBenchmark -prof gc -f 1 -wi 3 -i 5
 *   java -jar bench/target/benchmarks.jar MonitoringRecordBenchmark -prof gc -f 1 -wi 3 -i 5 -t 2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED" })
@State(Scope.Benchmark)
public class MonitoringRecordBenchmark
{
    private static final int FEATURES = 20;
    /** Ids and latencies cycled through: a power of two for a mask. */
    private static final int VALUES = 1 << 14;
    /** The features the two segments read (the demo's personal_status and age). */
    private static final int SEX = 8;
    private static final int AGE = 12;

    private Monitoring monitoring;
    private VersionMeters champion;
    private VersionMeters shadow;
    private final String[] requestIds = new String[VALUES];
    private final long[] latencies = new long[VALUES];

    @Setup
    public void setUp()
    {
        final List<MonitoredFeature> features = new ArrayList<>();
        for (int i = 0; i < FEATURES; i++)
        {
            features.add(i == SEX ? MonitoredFeature.categorical("f" + i, List.of("a", "b", "c", "d", "e")) :
                MonitoredFeature.numeric("f" + i));
        }
        // the demo's two segments: a categorical feature in two groups, a numeric one in four bands
        final List<Segment> segments = List.of(
            new Segment("f" + SEX, List.of(Segment.Group.of("male", List.of("a", "c", "d")),
                Segment.Group.of("female", List.of("b", "e")))),
            new Segment("f" + AGE, List.of(Segment.Group.range("under 25", Double.NEGATIVE_INFINITY, 25),
                Segment.Group.range("25-34", 25, 35), Segment.Group.range("35-49", 35, 50),
                Segment.Group.range("50 and over", 50, Double.POSITIVE_INFINITY))));
        monitoring = Monitoring.start(new Monitoring.Context().defaultSamplingPercent(100.0));
        champion = monitoring.versionMeters(
            new VersionSpec("credit-risk", "v1", features, 1 / 6.0, null, segments), "champion");
        shadow = monitoring.versionMeters(new VersionSpec("credit-risk", "v2", features, 1 / 6.0, null), "shadow");
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < VALUES; i++)
        {
            requestIds[i] = "0b9f6c1e-5d2a-4f4e-9a7b-" + String.format("%012d", i);
            latencies[i] = 20_000 + (long)(-80_000 * Math.log(1 - random.nextDouble())); // 20 µs + exp(80 µs)
        }
    }

    @TearDown
    public void tearDown()
    {
        monitoring.close();
    }

    /** One request thread's reusable state, as the gateway keeps per event loop. */
    @State(Scope.Thread)
    public static class RequestThread
    {
        final float[] features = new float[FEATURES];
        final float[] score = {0.2f};
        final float[] shadowScore = {0.25f};
        final PairedScores paired = new PairedScores();
        int next;

        @Setup
        public void setUp()
        {
            for (int i = 0; i < FEATURES; i++)
            {
                features[i] = i * 1.5f;
            }
            features[SEX] = 2;
        }
    }

    /** How many offers the ring took and how many it dropped, per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class OfferOutcomes
    {
        public long offered;
        public long dropped;

        @Setup(Level.Iteration)
        public void reset()
        {
            offered = 0;
            dropped = 0;
        }
    }

    @Benchmark
    public void recordRequest(final RequestThread thread)
    {
        final long total = latencies[thread.next++ & (VALUES - 1)];
        champion.record(0, 2_000, total / 4, total / 2, 3_000, total);
    }

    @Benchmark
    public int offerSample(final RequestThread thread, final OfferOutcomes outcomes)
    {
        final int i = thread.next++ & (VALUES - 1);
        final String requestId = requestIds[i];
        if (!champion.sampled(requestId))
        {
            return 1;
        }
        shadow.pairInto(thread.paired.clear(), thread.shadowScore, 40_000);
        final int result = champion.offerSample(requestId, 1_732_700_000_000L + i, thread.features, thread.score, 1,
            latencies[i], thread.paired);
        if (result == SampleQueue.OFFERED)
        {
            outcomes.offered++;
        }
        else
        {
            outcomes.dropped++;
        }
        return result;
    }

    @Benchmark
    public void rememberPrediction(final RequestThread thread)
    {
        final int i = thread.next++ & (VALUES - 1);
        champion.rememberPrediction(requestIds[i], thread.features, thread.score[0], 1_732_700_000_000L + i);
    }

    @Benchmark
    public void recordSegments(final RequestThread thread)
    {
        final int i = thread.next++ & (VALUES - 1);
        thread.features[AGE] = 19 + (i & 63); // every age band in turn
        champion.recordSegments(thread.features, thread.score, 1);
    }
}
