package io.scoring.router.runtime;

import io.scoring.proto.onnx.AttributeProto;
import io.scoring.router.runtime.nativeeval.NativeEvaluators.TreeLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.scoring.router.runtime.OnnxGraphs.INPUT;
import static io.scoring.router.runtime.OnnxGraphs.ML;
import static io.scoring.router.runtime.OnnxGraphs.floats;
import static io.scoring.router.runtime.OnnxGraphs.i;
import static io.scoring.router.runtime.OnnxGraphs.ints;
import static io.scoring.router.runtime.OnnxGraphs.s;
import static io.scoring.router.runtime.OnnxGraphs.strings;

/**
 * The native tree ensembles score like ONNX Runtime on generated ensembles covering every node mode,
 * missing-value tracking, aggregate, post transform, target count and classifier shape, in both tree
 * layouts, for rows full of thresholds, their float neighbours, NaN, infinities, extremes, signed
 * zeros and subnormals.
 */
class TreeEnsembleParityTest
{
    private static final String TREES = "native-tree-ensemble";
    private static final List<TreeLayout> LAYOUTS = List.of(TreeLayout.PERFECT, TreeLayout.LINKED);
    private static final int ROWS = 640;

    static Stream<Arguments> modesAndLayouts()
    {
        final List<Arguments> cases = new ArrayList<>();
        final List<List<String>> modeSets = new ArrayList<>();
        RandomForest.ALL_MODES.forEach((mode) -> modeSets.add(List.of(mode)));
        modeSets.add(RandomForest.ALL_MODES);
        for (final List<String> modes : modeSets)
        {
            for (final TreeLayout layout : LAYOUTS)
            {
                cases.add(Arguments.of(modes, layout));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} in the {1} layout")
    @MethodSource("modesAndLayouts")
    void shouldScoreLikeOnnxRuntimeForEveryNodeModeAndMissingValueTracking(
        final List<String> modes, final TreeLayout layout) throws Exception
    {
        final RandomForest forest = new RandomForest();
        forest.modes = modes;
        forest.thresholds = new float[]{-1.5f, -0f, 0f, 0.5f, 1f, 2f, Float.MIN_VALUE, -Float.MIN_NORMAL / 3,
            Float.MAX_VALUE, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN};
        assertRegressorMatches(forest, 1, "SUM", "NONE", List.of(), true, layout, modes.hashCode());
    }

    static Stream<Arguments> aggregatesAndTransforms()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final String aggregate : List.of("SUM", "AVERAGE", "MIN", "MAX"))
        {
            for (final String transform : List.of("NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT"))
            {
                for (final int targets : new int[]{1, 3})
                {
                    cases.add(Arguments.of(aggregate, transform, targets));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, {2} target(s)")
    @MethodSource("aggregatesAndTransforms")
    void shouldScoreLikeOnnxRuntimeForEveryAggregateAndPostTransform(
        final String aggregate, final String transform, final int targets) throws Exception
    {
        final boolean probit = "PROBIT".equals(transform);
        final RandomForest forest = new RandomForest();
        forest.modes = RandomForest.ALL_MODES;
        forest.targets = targets == 1 ? List.of(0) : List.of(0, 1, 2);
        // PROBIT needs scores in (0, 1) for the all-zero warm-up row: small positive weights, every target weighed
        forest.trees = probit ? 4 : 12;
        forest.mixedSigns = !probit;
        forest.weightScale = probit ? 0.1f : 1f;
        forest.extraTargetRate = probit ? 1.0 : 0.5;
        final List<Float> baseValues = new ArrayList<>();
        for (int k = 0; k < targets; k++)
        {
            baseValues.add(probit ? 0.1f : 0.25f * (k + 1));
        }
        for (final TreeLayout layout : LAYOUTS)
        {
            assertRegressorMatches(forest, targets, aggregate, transform, baseValues, false, layout,
                aggregate.hashCode() * 31 + transform.hashCode() + targets);
        }
    }

    @ParameterizedTest(name = "{0} base value(s)")
    @ValueSource(ints = {0, 1, 3})
    void shouldScoreLikeOnnxRuntimeWhateverTheNumberOfBaseValues(final int count) throws Exception
    {
        final List<Float> baseValues = new ArrayList<>();
        for (int k = 0; k < count; k++)
        {
            baseValues.add(0.5f - k);
        }
        final RandomForest forest = new RandomForest();
        forest.targets = List.of(0, 1, 2);
        forest.extraTargetRate = 0.3;
        assertRegressorMatches(forest, 3, "SUM", "NONE", baseValues, false, TreeLayout.AUTO, count);
    }

    @Test
    void shouldScoreLikeOnnxRuntimeWhenTheListsAreGivenAsTensors() throws Exception
    {
        final RandomForest forest = new RandomForest();
        forest.asTensors = true;
        assertRegressorMatches(forest, 1, "SUM", "NONE", List.of(0.5f), true, TreeLayout.AUTO, 11);
    }

    @Test
    void shouldScoreLikeOnnxRuntimeForDeepTreesThatAreLaidOutLinked() throws Exception
    {
        final RandomForest forest = new RandomForest();
        forest.trees = 3;
        forest.maxDepth = 16;
        forest.splitRate = 0.97;
        forest.modes = List.of("BRANCH_LEQ");
        assertRegressorMatches(forest, 1, "SUM", "NONE", List.of(), true, TreeLayout.AUTO, 13);
    }

    @Test
    void shouldScoreLikeOnnxRuntimeForManyTreesAsBoostingWritesThem() throws Exception
    {
        final RandomForest forest = new RandomForest();
        forest.trees = 301;
        forest.maxDepth = 3;
        forest.splitRate = 0.9;
        forest.features = 20;
        forest.weightScale = 0.05f;
        assertRegressorMatches(forest, 1, "SUM", "NONE", List.of(-0.7f), true, TreeLayout.AUTO, 17);
    }

    @Test
    void shouldScoreLikeOnnxRuntimeWhenSplitsShareABranchAsLightGbmSetMembershipDoes() throws Exception
    {
        // x0 == 1 or x0 == 2 -> leaf 2 (shared by both true branches), else leaf 3
        final OnnxGraphs graph = OnnxGraphs.withFeatures(2)
            .node("TreeEnsembleRegressor", ML, List.of(INPUT), List.of("y"),
                ints("nodes_treeids", 0, 0, 0, 0), ints("nodes_nodeids", 0, 1, 2, 3),
                ints("nodes_featureids", 0, 0, 0, 0), strings("nodes_modes", List.of("BRANCH_EQ", "BRANCH_EQ", "LEAF", "LEAF")),
                floats("nodes_values", 1f, 2f, 0f, 0f), ints("nodes_truenodeids", 2, 2, 0, 0),
                ints("nodes_falsenodeids", 1, 3, 0, 0), ints("target_treeids", 0, 0), ints("target_nodeids", 2, 3),
                ints("target_ids", 0, 0), floats("target_weights", 0.75f, -0.25f), i("n_targets", 1))
            .output("y");
        for (final TreeLayout layout : LAYOUTS)
        {
            Parity.assertSameScores(graph.bytes(), graph.config(), TREES,
                Parity.rows(2, new float[]{1f, 2f}, ROWS, 19, false), layout);
        }
    }

    @Test
    void shouldReadOnlyTheFirstWeightOfALeafWithSeveralForOneTargetAsOnnxRuntimeDoes() throws Exception
    {
        final OnnxGraphs graph = OnnxGraphs.withFeatures(1)
            .node("TreeEnsembleRegressor", ML, List.of(INPUT), List.of("y"),
                ints("nodes_treeids", 0, 0, 0), ints("nodes_nodeids", 0, 1, 2), ints("nodes_featureids", 0, 0, 0),
                strings("nodes_modes", List.of("BRANCH_LT", "LEAF", "LEAF")), floats("nodes_values", 0.5f, 0f, 0f),
                ints("nodes_truenodeids", 1, 0, 0), ints("nodes_falsenodeids", 2, 0, 0),
                ints("target_treeids", 0, 0, 0), ints("target_nodeids", 2, 1, 1), ints("target_ids", 0, 0, 0),
                floats("target_weights", -0.75f, 0.25f, 0.5f), i("n_targets", 1))
            .output("y");
        Parity.assertSameScores(graph.bytes(), graph.config(), TREES, Parity.rows(1, new float[]{0.5f}, 64, 37, false));
    }

    static Stream<Arguments> binaryClassifiers()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final List<Integer> classes : List.of(List.of(0), List.of(1), List.of(0, 1)))
        {
            for (final boolean mixedSigns : new boolean[]{false, true})
            {
                for (final int baseValues : new int[]{0, 1, 2})
                {
                    for (final String transform : List.of("NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO"))
                    {
                        cases.add(Arguments.of(classes, mixedSigns, baseValues, transform));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "weights for classes {0}, mixed signs {1}, {2} base value(s), {3}")
    @MethodSource("binaryClassifiers")
    void shouldScoreBothClassesOfABinaryClassifierLikeOnnxRuntime(
        final List<Integer> classes, final boolean mixedSigns, final int baseValues, final String transform)
        throws Exception
    {
        final RandomForest forest = new RandomForest();
        forest.weightPrefix = "class";
        forest.targets = classes;
        forest.mixedSigns = mixedSigns;
        forest.extraTargetRate = 0.4;
        forest.weightScale = 0.2f;
        final List<Float> base = List.of(0.1f, 0.3f).subList(0, baseValues);
        // ONNX Runtime leaves a score unwritten with both classes weighed and one base value: not native
        final String runtime = classes.size() == 2 && baseValues == 1 ? "onnxruntime" : TREES;
        for (final int column : new int[]{0, 1})
        {
            assertClassifierMatches(forest, 2, base, transform, column, runtime, classes.hashCode() + baseValues);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO"})
    void shouldScoreEveryClassOfAMulticlassClassifierLikeOnnxRuntime(final String transform) throws Exception
    {
        final RandomForest forest = new RandomForest();
        forest.weightPrefix = "class";
        forest.targets = List.of(0, 1, 2, 3);
        forest.extraTargetRate = 0.3;
        for (final List<Float> base : List.of(List.<Float>of(), List.of(0.1f, -0.2f, 0.3f, 0f)))
        {
            for (final int column : new int[]{0, 3})
            {
                assertClassifierMatches(forest, 4, base, transform, column, TREES, transform.hashCode());
            }
        }
    }

    private static void assertRegressorMatches(final RandomForest forest, final int targets, final String aggregate,
        final String transform, final List<Float> baseValues, final boolean sigmoid, final TreeLayout layout,
        final long seed) throws Exception
    {
        final List<AttributeProto> attributes = new ArrayList<>(forest.attributes(seed));
        attributes.add(i("n_targets", targets));
        attributes.add(s("aggregate_function", aggregate));
        attributes.add(s("post_transform", transform));
        if (!baseValues.isEmpty())
        {
            attributes.add(forest.floatList("base_values", baseValues));
        }
        final OnnxGraphs graph = OnnxGraphs.withFeatures(forest.features)
            .node("TreeEnsembleRegressor", ML, List.of(INPUT), List.of("scores"), attributes.toArray(new AttributeProto[0]));
        String last = "scores";
        if (targets > 1)
        {
            graph.longs("column", targets - 1).node("Gather", "", List.of(last, "column"), List.of("target"), i("axis", 1));
            last = "target";
        }
        if (sigmoid)
        {
            graph.node("Sigmoid", last, "probability");
            last = "probability";
        }
        graph.output(last);
        Parity.assertSameScores(graph.bytes(), graph.config(), TREES,
            Parity.rows(forest.features, forest.thresholds, ROWS, seed, false), layout);
    }

    private static void assertClassifierMatches(final RandomForest forest, final int classes, final List<Float> baseValues,
        final String transform, final int column, final String runtime, final long seed) throws Exception
    {
        final List<AttributeProto> attributes = new ArrayList<>(forest.attributes(seed));
        final long[] labels = new long[classes];
        for (int k = 0; k < classes; k++)
        {
            labels[k] = 10L + k;
        }
        attributes.add(ints("classlabels_int64s", labels));
        attributes.add(s("post_transform", transform));
        if (!baseValues.isEmpty())
        {
            attributes.add(forest.floatList("base_values", baseValues));
        }
        final OnnxGraphs graph = OnnxGraphs.withFeatures(forest.features)
            .node("TreeEnsembleClassifier", ML, List.of(INPUT), List.of("label", "probabilities"),
                attributes.toArray(new AttributeProto[0]))
            .longs("starts", column).longs("ends", column + 1).longs("axes", 1)
            .node("Slice", "", List.of("probabilities", "starts", "ends", "axes"), List.of("p"))
            .output("p");
        for (final TreeLayout layout : LAYOUTS)
        {
            Parity.assertSameScores(graph.bytes(), graph.config(), runtime,
                Parity.rows(forest.features, forest.thresholds, ROWS, seed, false), layout);
        }
    }
}
