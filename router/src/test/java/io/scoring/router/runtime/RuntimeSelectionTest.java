package io.scoring.router.runtime;

import io.scoring.router.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;

import static io.scoring.router.runtime.OnnxGraphs.INPUT;
import static io.scoring.router.runtime.OnnxGraphs.ML;
import static io.scoring.router.runtime.OnnxGraphs.floats;
import static io.scoring.router.runtime.OnnxGraphs.i;
import static io.scoring.router.runtime.OnnxGraphs.ints;
import static io.scoring.router.runtime.OnnxGraphs.s;
import static io.scoring.router.runtime.OnnxGraphs.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A version runs natively only when its whole graph is supported; anything else runs on ONNX Runtime,
 * and says so. Validation is the same whichever runtime serves.
 */
class RuntimeSelectionTest
{
    private static final int FEATURES = 3;

    /** One stump: x0 < 0.5 -> 0.25 else -0.75, named "margin". */
    private static OnnxGraphs stump()
    {
        return OnnxGraphs.withFeatures(FEATURES)
            .node("TreeEnsembleRegressor", ML, List.of(INPUT), List.of("margin"),
                ints("nodes_treeids", 0, 0, 0), ints("nodes_nodeids", 0, 1, 2), ints("nodes_featureids", 0, 0, 0),
                strings("nodes_modes", List.of("BRANCH_LT", "LEAF", "LEAF")), floats("nodes_values", 0.5f, 0f, 0f),
                ints("nodes_truenodeids", 1, 0, 0), ints("nodes_falsenodeids", 2, 0, 0),
                ints("target_treeids", 0, 0), ints("target_nodeids", 1, 2), ints("target_ids", 0, 0),
                floats("target_weights", 0.25f, -0.75f), i("n_targets", 1));
    }

    @Test
    void shouldServeASupportedGraphNatively() throws Exception
    {
        final OnnxGraphs graph = stump().node("Sigmoid", "margin", "p").output("p");
        assertRuntime("native-tree-ensemble", graph);
    }

    @Test
    void shouldFallBackToOnnxRuntimeForAnOperatorItDoesNotSupport() throws Exception
    {
        final OnnxGraphs graph = stump().node("Relu", "margin", "p").output("p");
        assertRuntime("onnxruntime", graph);
        Parity.assertSameScores(graph.bytes(), graph.config(), "onnxruntime",
            Parity.rows(FEATURES, new float[]{0.5f}, 64, 3, false));
    }

    @Test
    void shouldFallBackToOnnxRuntimeForACastAfterASupportedGraph() throws Exception
    {
        final OnnxGraphs graph = stump().node("Sigmoid", "margin", "probability")
            .node("Cast", "probability", "p", i("to", 1)).output("p");
        assertRuntime("onnxruntime", graph);
    }

    @Test
    void shouldFallBackToOnnxRuntimeWhenTheGraphBranches() throws Exception
    {
        final OnnxGraphs graph = stump()
            .node("Sigmoid", "margin", "p")
            .node("Neg", "margin", "q")
            .output("p");
        assertRuntime("onnxruntime", graph);
    }

    @Test
    void shouldFallBackToOnnxRuntimeWhenAClassifiersLabelIsUsed() throws Exception
    {
        final OnnxGraphs graph = OnnxGraphs.withFeatures(FEATURES)
            .node("LinearClassifier", ML, List.of(INPUT), List.of("label", "scores"),
                floats("coefficients", 1f, 2f, 3f), floats("intercepts", 0.5f), ints("classlabels_ints", 0, 1))
            .node("Cast", "label", "label_float", i("to", 1))
            .longs("column", 1)
            .node("Gather", "", List.of("scores", "column"), List.of("p"), i("axis", 1))
            .output("p");
        assertRuntime("onnxruntime", graph);
    }

    @Test
    void shouldServeOnOnnxRuntimeWhenAskedTo() throws Exception
    {
        final OnnxGraphs graph = stump().output("margin");
        try (Scorer scorer = OnnxRuntimes.load(graph.bytes(), graph.config(), 8, OnnxRuntimes.Choice.ONNXRUNTIME))
        {
            assertEquals("onnxruntime", scorer.runtimeName());
        }
    }

    @Test
    void shouldRejectAGraphWhoseSignatureDoesNotMatchWithOnnxRuntimesMessage() throws Exception
    {
        final OnnxGraphs graph = stump().output("margin");
        final ModelConfig wrongOutput = OnnxGraphs.withFeatures(FEATURES).output("probability").config();
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> OnnxRuntimes.load(graph.bytes(), wrongOutput, 8, OnnxRuntimes.Choice.AUTO));
        assertEquals("the graph has no output named 'probability'; its outputs are [margin]", ex.getMessage());
    }

    /** ONNX Runtime refuses a node pointing to itself but walks a longer loop forever (a fuzz finding). */
    @Test
    @Timeout(60)
    void shouldRefuseTreesWhoseBranchesLoopBeforeOnnxRuntimeWalksThem()
    {
        final OnnxGraphs graph = loopingTree(0, 0);
        assertEveryRuntimeRefuses(graph.bytes(), graph.config(), LOOP);
    }

    /** ONNX Runtime cuts ids to 32 bits, so node 2^32 is node 0 there, and this tree loops (a fuzz finding). */
    @Test
    @Timeout(60)
    void shouldRefuseTreesThatLoopThroughIdsOnnxRuntimeCutsTo32Bits()
    {
        final OnnxGraphs graph = loopingTree(1L << 32, 0);
        assertEveryRuntimeRefuses(graph.bytes(), graph.config(), LOOP);
    }

    /**
     * A file the gateway's own reader refuses is not handed to ONNX Runtime, whose reader takes text that is not
     * UTF-8: the trees' check could not have read it (a fuzz finding, whose trees looped).
     */
    @Test
    @Timeout(60)
    void shouldRefuseAFileItsOwnReaderCannotReadBeforeOnnxRuntimeOpensIt()
    {
        final OnnxGraphs graph = loopingTree(0, 0);
        final byte[] model = graph.bytes();
        // ModelProto field 2 (producer_name), length 1, one byte that is no UTF-8; a later field wins when parsing
        final byte[] notUtf8 = Arrays.copyOf(model, model.length + 3);
        notUtf8[model.length] = 0x12;
        notUtf8[model.length + 1] = 1;
        notUtf8[model.length + 2] = (byte)0xFF;
        assertEveryRuntimeRefuses(notUtf8, graph.config(), "not a readable ONNX model: Protocol message had invalid UTF-8.");
    }

    @Test
    void shouldAnswerFailedForMoreRowsThanItsMaximum() throws Exception
    {
        final OnnxGraphs graph = stump().output("margin");
        try (Scorer scorer = OnnxRuntimes.load(graph.bytes(), graph.config(), 4, OnnxRuntimes.Choice.AUTO))
        {
            assertEquals("native-tree-ensemble", scorer.runtimeName());
            assertEquals(Scorer.FAILED, scorer.score(new float[5 * FEATURES], 5, new float[5]));
            assertEquals(Scorer.OK, scorer.score(new float[4 * FEATURES], 4, new float[4]));
        }
    }

    private static final String LOOP =
        "TreeEnsembleRegressor 'treeensembleregressor0': the branches of its node at position 0 lead back to it (a tree must not loop)";

    /** Whichever runtime is asked for, loading the file fails with this message, before ONNX Runtime could walk it. */
    private static void assertEveryRuntimeRefuses(final byte[] model, final ModelConfig config, final String message)
    {
        for (final OnnxRuntimes.Choice choice : OnnxRuntimes.Choice.values())
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> OnnxRuntimes.load(model, config, 8, choice));
            assertEquals(message, ex.getMessage());
        }
    }

    /** Node 1's true branch goes back to node 0, spelled {@code rootId} in the node list and {@code backId} in the branch. */
    private static OnnxGraphs loopingTree(final long rootId, final long backId)
    {
        return OnnxGraphs.withFeatures(FEATURES)
            .node("TreeEnsembleRegressor", ML, List.of(INPUT), List.of("margin"),
                ints("nodes_treeids", 0, 0, 0, 0), ints("nodes_nodeids", rootId, 1, 2, 3), ints("nodes_featureids", 0, 1, 0, 0),
                strings("nodes_modes", List.of("BRANCH_LT", "BRANCH_LT", "LEAF", "LEAF")),
                floats("nodes_values", 0.5f, 0.5f, 0f, 0f),
                ints("nodes_truenodeids", 1, backId, 0, 0), ints("nodes_falsenodeids", 2, 3, 0, 0),
                ints("target_treeids", 0, 0), ints("target_nodeids", 2, 3), ints("target_ids", 0, 0),
                floats("target_weights", 0.25f, -0.75f), i("n_targets", 1))
            .output("margin");
    }

    private static void assertRuntime(final String runtime, final OnnxGraphs graph) throws Exception
    {
        try (Scorer scorer = OnnxRuntimes.load(graph.bytes(), graph.config(), 8, OnnxRuntimes.Choice.AUTO))
        {
            assertEquals(runtime, scorer.runtimeName());
        }
    }
}
