package io.scoring.bench;

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

import java.util.concurrent.TimeUnit;

/**
 * What does a model in a converter's layout cost per row, on ONNX Runtime and as the gateway serves it
 * (the native tabular pipeline evaluator, for skl2onnx's logistic regression and its boosted trees alike),
 * and what does it allocate, against the demo's single-float-input model?
 *
 * <ul>
 *   <li>{@code credit-risk/1}: one float input [1, 20], one float output [1, 1] (pinned in and out).</li>
 *   <li>{@code credit-risk-sklearn/1}: skl2onnx's layout, a float input [1, 7] (pinned) and a string input
 *   [1, 13] of category names (a string tensor ONNX Runtime copies, created and closed per call); the
 *   ZipMap read through the tensor it maps (pinned), and the int64 label (pinned).</li>
 *   <li>{@code credit-risk-sklearn/1-strings}: version 1 as skl2onnx exports it for string classes
 *   ("good", "bad"): the label a string tensor, which ONNX Runtime cannot write into a pinned buffer, so
 *   it is fetched as ONNX Runtime's own tensor and read back as Java strings each call.</li>
 *   <li>{@code credit-risk-sklearn/2}: the same inputs, 100 boosted trees, a [1, 2] output.</li>
 * </ul>
 * Each call scores the next of 1024 assembled rows, as {@link NativeEvaluatorBenchmark} builds them.
 *
 * <pre>
 *   mvn -B -q -pl bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar ConverterModelBenchmark -prof gc -f 1
 *   java -jar bench/target/benchmarks.jar ConverterModelBenchmark -prof gc -f 1 -p model=credit-risk-sklearn/2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class ConverterModelBenchmark
{
    @Param({"credit-risk/1", "credit-risk-sklearn/1", "credit-risk-sklearn/1-strings", "credit-risk-sklearn/2"})
    String model;

    /** {@code auto}: as the gateway serves it (a native evaluator where one agrees with ONNX Runtime). */
    @Param({"auto", "onnxruntime"})
    String runtime;

    private Scorer scorer;
    private float[][] rows;
    private final float[] scores = new float[2];
    private int next;

    @Setup
    public void load() throws Exception
    {
        final DemoScorers.Loaded loaded = DemoScorers.load(model.substring(0, model.indexOf('/')),
            model.substring(model.indexOf('/') + 1), OnnxRuntimes.Choice.valueOf(runtime.toUpperCase(java.util.Locale.ROOT)));
        scorer = loaded.scorer();
        rows = NativeEvaluatorBenchmark.rows(loaded.config());
    }

    @TearDown
    public void close()
    {
        scorer.close();
    }

    @Benchmark
    public float scoreOneRow()
    {
        scorer.score(rows[next++ & (NativeEvaluatorBenchmark.ROWS - 1)], 1, scores);
        return scores[0];
    }
}
