package io.scoring.bench;

import io.scoring.gateway.rollout.RolloutSamples;
import io.scoring.router.ModelVersion;
import io.scoring.router.Role;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What does the rollout judge add to a request on the request path, and does it allocate? The judge
 * itself never runs there; the request only leaves its sample:
 * <ul>
 *   <li>{@code recordRequest}: find the version's samples (an attachment scan), hash the entity key,
 *   claim and publish a slot of the role's window (latency, score, entity): every request;</li>
 *   <li>{@code recordRequestAndRow}: the same plus the replay gate's copy of the row: a sampled request.</li>
 * </ul>
 * Two threads, as two event loops record into the same champion window.
 *
 * <pre>
 *   mvn -o -q -pl gateway,bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar RolloutRecordBenchmark -prof gc -f 1 -wi 3 -i 3 -w 2s -r 2s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Threads(2)
@State(Scope.Benchmark)
public class RolloutRecordBenchmark
{
    private MonitoredDemo demo;
    private ModelVersion champion;

    /** Each event loop's own request: its latency, key and row (shared, they would contend in the benchmark itself). */
    @State(Scope.Thread)
    public static class Caller
    {
        private final float[] row = new float[20];
        private final StringBuilder key = new StringBuilder("A0042");
        private long nanos = 1;
    }

    @Setup
    public void setUp() throws Exception
    {
        demo = new MonitoredDemo("auto");
        champion = demo.models.model("credit-risk").champion();
    }

    @TearDown
    public void tearDown()
    {
        demo.close();
    }

    @Benchmark
    public long recordRequest(final Caller caller)
    {
        RolloutSamples.of(champion).record(Role.CHAMPION, false, caller.nanos++, 0.25f, caller.key);
        return caller.nanos;
    }

    @Benchmark
    public long recordRequestAndRow(final Caller caller)
    {
        final RolloutSamples samples = RolloutSamples.of(champion);
        samples.record(Role.CHAMPION, false, caller.nanos++, 0.25f, caller.key);
        samples.rememberRow(caller.row);
        return caller.nanos;
    }
}
