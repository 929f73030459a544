package io.scoring.bench;

import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.DemoBundle;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
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

import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What does one prediction cost in process, from a decoded request to its scores, and what of it is
 * the feature lookup, the assembly and the model? And what does it allocate?
 *
 * <p>On the bundled demo ({@code credit-risk}: version 1 logistic regression, version 2 200 boosted
 * trees), one applicant per request:
 * <ul>
 *   <li>{@code lookupAssembleScore}: the pipeline as the transports run it: fill the context as a
 *   decoder would, route, look up the 16 stored features, apply the 4 request features, score;</li>
 *   <li>{@code lookupOnly}: the store lookup alone;</li>
 *   <li>{@code scoreOnly}: the version's runtime on an assembled vector: the compute floor.</li>
 * </ul>
 * each with the native evaluator and with ONNX Runtime.
 *
 * <pre>
 *   mvn -B -q -pl bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar PredictPathBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class PredictPathBenchmark
{
    private static final String[] APPLICANTS = {"A0001", "A0002", "A0003", "A0004", "A0005", "A0006", "A0007", "A0008"};

    @Param({"1", "2"})
    String version;

    /** {@code auto}: the native evaluator (both demo graphs are supported); {@code onnxruntime}: ONNX Runtime. */
    @Param({"auto", "onnxruntime"})
    String runtime;

    private FeatureStore store;
    private ModelRegistry models;
    private PredictPipeline pipeline;
    private Model model;
    private Scorer scorer;
    private final float[] vector = new float[20];
    private final float[] scores = new float[1];
    private final int[] columns = new int[16];
    private final int[] positions = new int[16];
    private int next;

    /** 64 rows, on the runtime the parameter names. */
    private ModelRepository.Context repositoryContext()
    {
        return new ModelRepository.Context().maxRows(64).runtime(OnnxRuntimes.Choice.valueOf(runtime.toUpperCase(Locale.ROOT)));
    }

    @Setup
    public void load() throws Exception
    {
        try (InputStream in = DemoBundle.features())
        {
            store = EmbeddedFeatureStore.load(in);
        }
        models = new ModelRepository(DemoBundle.models(), store, repositoryContext()).loadAll();
        pipeline = new PredictPipeline(models, 64, null);
        model = models.model("credit-risk");
        scorer = model.version(version).scorer();

        final ScoringContext ctx = fill(ScoringContext.ofThread(), "A0001");
        if (pipeline.predict(ctx) != Outcome.OK)
        {
            throw new IllegalStateException(ctx.errorMessage());
        }
        System.arraycopy(ctx.assembledRow(0), 0, vector, 0, vector.length);
        for (int i = 0; i < model.storeFeatures().length; i++)
        {
            columns[i] = store.columnIndex(model.storeFeatures()[i].name());
            positions[i] = model.storeFeatures()[i].index();
        }
    }

    @TearDown
    public void close()
    {
        models.close();
        store.close();
    }

    private ScoringContext fill(final ScoringContext ctx, final String applicant)
    {
        ctx.reset("credit-risk", version, "bench");
        final int row = ctx.addRow(applicant);
        ctx.addNumber(row, "duration", 24);
        ctx.addText(row, "purpose", "radio/tv");
        ctx.addNumber(row, "credit_amount", 2500);
        ctx.addNumber(row, "installment_commitment", 3);
        return ctx;
    }

    @Benchmark
    public float lookupAssembleScore()
    {
        final ScoringContext ctx = fill(ScoringContext.ofThread(), APPLICANTS[next++ & 7]);
        pipeline.predict(ctx);
        return ctx.score(0, 0);
    }

    @Benchmark
    public int lookupOnly()
    {
        return store.lookup(APPLICANTS[next++ & 7], columns, positions, vector, 0);
    }

    @Benchmark
    public float scoreOnly()
    {
        scorer.score(vector, 1, scores);
        return scores[0];
    }
}
