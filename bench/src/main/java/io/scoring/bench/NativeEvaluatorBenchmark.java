package io.scoring.bench;

import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.OnnxRuntimes;
import io.scoring.router.runtime.Scorer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * How much faster than ONNX Runtime is the native evaluator per row at batch size 1, and does it
 * allocate?
 *
 * <p>Both demo versions ({@code credit-risk} 1: MatMul + Add + Sigmoid over 20 features; 2: 200
 * boosted trees of depth 3 + Sigmoid), each loaded as the gateway loads it, once with the native
 * evaluator and once on ONNX Runtime (one intra-op thread, pinned tensors), in the same run. Each call
 * scores the next of 1024 assembled rows (valid category codes, numbers spread over several decades),
 * so the trees' paths vary as with real traffic instead of being learnt by the branch predictor.
 *
 * <pre>
 *   mvn -B -q -pl bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar NativeEvaluatorBenchmark -prof gc -f 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class NativeEvaluatorBenchmark
{
    /** Rows cycled through, a power of two. */
    static final int ROWS = 1024;

    @Param({"1", "2"})
    String version;

    @Param({"native", "onnxruntime"})
    String runtime;

    private Scorer scorer;
    private float[][] rows;
    private final float[] score = new float[1];
    private int next;

    @Setup
    public void load() throws Exception
    {
        final OnnxRuntimes.Choice choice =
            "native".equals(runtime) ? OnnxRuntimes.Choice.AUTO : OnnxRuntimes.Choice.ONNXRUNTIME;
        final DemoScorers.Loaded loaded = DemoScorers.load("credit-risk", version, choice);
        scorer = loaded.scorer();
        final ModelConfig config = loaded.config();
        if ("native".equals(runtime) != scorer.runtimeName().startsWith("native"))
        {
            throw new IllegalStateException("version " + version + " is served by " + scorer.runtimeName());
        }
        rows = rows(config);
    }

    @TearDown
    public void close()
    {
        scorer.close();
    }

    @Benchmark
    public float scoreOneRow()
    {
        scorer.score(rows[next++ & (ROWS - 1)], 1, score);
        return score[0];
    }

    /** Rows as the pipeline assembles them: category codes in range, numbers log-uniform in [1, 20000) or around the default. */
    static float[][] rows(final ModelConfig config)
    {
        final Random random = new Random(42);
        final float[][] rows = new float[ROWS][config.featureCount()];
        for (final float[] row : rows)
        {
            for (final FeatureSpec feature : config.features())
            {
                row[feature.index()] = feature.isCategorical() ? random.nextInt(feature.categories().size()) :
                    feature.hasDefault() ? random.nextInt(2 * (int)feature.defaultValue() + 1) :
                    (float)Math.floor(Math.exp(random.nextDouble() * Math.log(20_000)));
            }
        }
        return rows;
    }
}
