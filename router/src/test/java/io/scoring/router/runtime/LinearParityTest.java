package io.scoring.router.runtime;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.scoring.router.runtime.OnnxGraphs.INPUT;
import static io.scoring.router.runtime.OnnxGraphs.ML;
import static io.scoring.router.runtime.OnnxGraphs.f;
import static io.scoring.router.runtime.OnnxGraphs.floats;
import static io.scoring.router.runtime.OnnxGraphs.i;
import static io.scoring.router.runtime.OnnxGraphs.ints;
import static io.scoring.router.runtime.OnnxGraphs.s;
import static io.scoring.router.runtime.OnnxGraphs.strings;

/**
 * The native linear models score like ONNX Runtime: MatMul or Gemm with a bias and a Sigmoid or a
 * Softmax, and ai.onnx.ml LinearRegressor / LinearClassifier with every post transform, including
 * the cases where ONNX Runtime ignores the transform.
 */
class LinearParityTest
{
    private static final String LINEAR = "native-linear";
    private static final int FEATURES = 7;
    private static final int ROWS = 640;

    @Test
    void shouldScoreLikeOnnxRuntimeForALogisticRegressionWrittenAsMatMulAddSigmoid() throws Exception
    {
        final OnnxGraphs graph = OnnxGraphs.withFeatures(FEATURES)
            .floats("W", new long[]{FEATURES, 1}, weights(FEATURES, 1))
            .floats("B", new long[]{1}, -0.3f)
            .node("MatMul", "", List.of(INPUT, "W"), List.of("linear"))
            .node("Add", "", List.of("linear", "B"), List.of("margin"))
            .node("Sigmoid", "margin", "probability")
            .output("probability");
        assertMatches(graph);
    }

    @Test
    void shouldServeTheMarginAndTheProbabilityOfOneGraphAsTwoOutputs() throws Exception
    {
        final OnnxGraphs graph = OnnxGraphs.withFeatures(FEATURES)
            .floats("W", new long[]{FEATURES, 1}, weights(FEATURES, 1))
            .floats("B", new long[]{1, 1}, 0.7f)
            .node("MatMul", "", List.of(INPUT, "W"), List.of("linear"))
            .node("Add", "", List.of("B", "linear"), List.of("margin"))
            .node("Sigmoid", "margin", "probability")
            .output("probability")
            .output("margin");
        assertMatches(graph);
    }

    @ParameterizedTest(name = "column {0}")
    @ValueSource(longs = {0, 2, -1})
    void shouldScoreLikeOnnxRuntimeForASoftmaxRegressionWrittenAsMatMulAddSoftmax(final long column) throws Exception
    {
        final OnnxGraphs graph = OnnxGraphs.withFeatures(FEATURES)
            .floats("W", new long[]{FEATURES, 3}, weights(FEATURES, 3))
            .floats("B", new long[]{3}, 0.1f, -0.2f, 0.3f)
            .longs("column", column)
            .node("MatMul", "", List.of(INPUT, "W"), List.of("linear"))
            .node("Add", "", List.of("linear", "B"), List.of("logits"))
            .node("Softmax", "logits", "probabilities", i("axis", -1))
            .node("Gather", "", List.of("probabilities", "column"), List.of("p"), i("axis", 1))
            .output("p");
        assertMatches(graph);
    }

    static Stream<Arguments> gemms()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final boolean transB : new boolean[]{false, true})
        {
            for (final long[] biasShape : List.of(new long[0], new long[]{1}, new long[]{3}, new long[]{1, 3}))
            {
                cases.add(Arguments.of(transB, biasShape));
            }
        }
        cases.add(Arguments.of(false, null));
        return cases.stream();
    }

    @ParameterizedTest(name = "transB {0}, C {1}")
    @MethodSource("gemms")
    void shouldScoreLikeOnnxRuntimeForGemmWithAlphaBetaAndABroadcastBias(final boolean transB, final long[] biasShape)
        throws Exception
    {
        final OnnxGraphs graph = OnnxGraphs.withFeatures(FEATURES)
            .floats("B", transB ? new long[]{3, FEATURES} : new long[]{FEATURES, 3}, weights(FEATURES, 3))
            .longs("starts", 1).longs("ends", 2).longs("axes", -1);
        final List<String> inputs = new ArrayList<>(List.of(INPUT, "B"));
        if (null != biasShape)
        {
            final int count = biasShape.length == 0 ? 1 : (int)biasShape[biasShape.length - 1];
            graph.floats("C", biasShape, weights(count, 1));
            inputs.add("C");
        }
        graph.node("Gemm", "", inputs, List.of("y"), f("alpha", 0.75f), f("beta", -1.5f), i("transB", transB ? 1 : 0))
            .node("Slice", "", List.of("y", "starts", "ends", "axes"), List.of("column"))
            .node("Sigmoid", "column", "p")
            .output("p");
        assertMatches(graph);
    }

    static Stream<Arguments> regressors()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final String transform : List.of("NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT"))
        {
            for (final int targets : new int[]{1, 3})
            {
                cases.add(Arguments.of(transform, targets));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {1} target(s)")
    @MethodSource("regressors")
    void shouldScoreLikeOnnxRuntimeForALinearRegressorWithEveryPostTransform(final String transform, final int targets)
        throws Exception
    {
        final boolean probit = "PROBIT".equals(transform);
        final float[] coefficients = weights(FEATURES, targets);
        final float[] intercepts = new float[targets];
        for (int k = 0; k < targets; k++)
        {
            coefficients[k * FEATURES] *= probit ? 0.01f : 1f;
            intercepts[k] = probit ? 0.3f : 0.5f * k;
        }
        final OnnxGraphs graph = OnnxGraphs.withFeatures(FEATURES)
            .node("LinearRegressor", ML, List.of(INPUT), List.of("y"), floats("coefficients", coefficients),
                floats("intercepts", intercepts), i("targets", targets), s("post_transform", transform));
        assertMatches(selectLast(graph, "y", targets));
    }

    static Stream<Arguments> classifiers()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final String transform : List.of("NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO"))
        {
            for (final int classes : new int[]{1, 3})
            {
                for (final boolean stringLabels : new boolean[]{false, true})
                {
                    cases.add(Arguments.of(transform, classes, stringLabels));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {1} intercept(s), string labels {2}")
    @MethodSource("classifiers")
    void shouldScoreLikeOnnxRuntimeForALinearClassifierWithEveryPostTransform(
        final String transform, final int intercepts, final boolean stringLabels) throws Exception
    {
        final int labels = Math.max(2, intercepts);
        final List<String> names = new ArrayList<>();
        final long[] ids = new long[labels];
        for (int k = 0; k < labels; k++)
        {
            names.add("class" + k);
            ids[k] = 7L * k;
        }
        final OnnxGraphs graph = OnnxGraphs.withFeatures(FEATURES)
            .node("LinearClassifier", ML, List.of(INPUT), List.of("label", "scores"),
                floats("coefficients", weights(FEATURES, intercepts)), floats("intercepts", weights(intercepts, 1)),
                stringLabels ? strings("classlabels_strings", names) : ints("classlabels_ints", ids),
                s("post_transform", transform), i("multi_class", 0));
        assertMatches(selectLast(graph, "scores", labels));
    }

    /** Selects the last column of a wider output with Gather, or uses a one-column output as it is. */
    private static OnnxGraphs selectLast(final OnnxGraphs graph, final String output, final int width)
    {
        if (width == 1)
        {
            return graph.output(output);
        }
        return graph.longs("column", width - 1)
            .node("Gather", "", List.of(output, "column"), List.of("p"), i("axis", 1))
            .output("p");
    }

    private static void assertMatches(final OnnxGraphs graph) throws Exception
    {
        Parity.assertSameScores(graph.bytes(), graph.config(), LINEAR,
            Parity.rows(FEATURES, new float[]{-1f, 0f, 1f, 10f}, ROWS, 23, true));
    }

    private static float[] weights(final int rows, final int columns)
    {
        final Random random = new Random(31L * rows + columns);
        final float[] weights = new float[rows * columns];
        for (int i = 0; i < weights.length; i++)
        {
            weights[i] = (float)random.nextGaussian();
        }
        return weights;
    }
}
