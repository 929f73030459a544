package io.scoring.monitoring;

import io.scoring.monitoring.drift.DomainDrift;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What one domain-classifier drift run costs (the question "is it bounded?"): building the classifier over
 * the reference sample and the window, five folds of 30 depth-3 trees, and reading the AUC. The data has
 * the German Credit demo's shape: 20 features, 7 numeric and 13 categorical, 1,000 reference rows (the
 * profile's cap) against a window of {@code windowRows} (the default drift window is 1,000). Time is the
 * drift thread's, per run; {@code gc.alloc.rate.norm} is everything one run allocates, which bounds its
 * memory. In package {@code io.scoring.monitoring} because the classifier is package-private there.
 *
 * <pre>
 *   mvn -B -pl bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar DomainDriftBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class DomainDriftBenchmark
{
    private static final int FEATURES = 20;
    private static final int NUMERIC = 7;
    private static final int REFERENCE_ROWS = ReferenceProfile.MAX_JOINT_ROWS;

    @Param({"300", "1000"})
    public int windowRows;

    private List<MonitoredFeature> features;
    private float[] reference;
    private float[] window;
    private long seed;

    @Setup
    public void setUp()
    {
        features = new ArrayList<>();
        for (int f = 0; f < FEATURES; f++)
        {
            features.add(f < NUMERIC ? MonitoredFeature.numeric("n" + f) :
                MonitoredFeature.categorical("c" + f, List.of("a", "b", "c", "d", "e")));
        }
        final SplittableRandom random = new SplittableRandom(7);
        reference = rows(REFERENCE_ROWS, random);
        window = rows(windowRows, random);
    }

    private static float[] rows(final int count, final SplittableRandom random)
    {
        final float[] rows = new float[count * FEATURES];
        for (int r = 0; r < count; r++)
        {
            for (int f = 0; f < FEATURES; f++)
            {
                rows[r * FEATURES + f] = f < NUMERIC ? (float)(1_000 * Math.exp(random.nextGaussian())) : random.nextInt(5);
            }
        }
        return rows;
    }

    @Benchmark
    public DomainDrift run()
    {
        return new DomainClassifier(features, reference, REFERENCE_ROWS, window, windowRows)
            .run(seed++, Monitoring.Context.DRIFT_ALPHA_DEFAULT, Monitoring.Context.DOMAIN_DRIFT_MIN_AUC_DEFAULT, 0);
    }
}
