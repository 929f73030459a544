package io.scoring.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scoring.proto.onnx.ModelProto;
import io.scoring.proto.onnx.TensorProto;
import io.scoring.proto.onnx.ValueInfoProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxExportTest
{
    private static final float NAN = Float.NaN;

    @Test
    void shouldScoreAHandBuiltLinearModelAsTheSigmoidOfItsMargin() throws Exception
    {
        final LinearModel model = new LinearModel(new float[]{0.5f, -2f, 0f}, 0.25f);
        final float[][] rows = {{0, 0, 0}, {2, 1, 9}, {-4, 0.5f, 1}};

        final float[] scores = OnnxRuntimeCheck.score(OnnxExport.logisticRegression(model, "test").toByteArray(), rows);

        assertArrayEquals(new float[]{sigmoid(0.25), sigmoid(0.25 + 1 - 2), sigmoid(0.25 - 2 - 1)}, scores, 1e-6f);
    }

    @Test
    void shouldSendAStumpsRowLeftBelowTheThresholdAndRightAtIt() throws Exception
    {
        final TreeEnsemble stump = new TreeEnsemble(List.of(stump(1, 2.5f, true, 0.4f, -0.3f)), 0.1f);
        final float[][] rows = {{9, 1f, 9}, {9, 2.5f, 9}, {9, 7f, 9}};

        final float[] scores = OnnxRuntimeCheck.score(OnnxExport.gradientBoostedTrees(stump, 3, "test").toByteArray(), rows);

        assertArrayEquals(new float[]{sigmoid(0.1 + 0.4), sigmoid(0.1 - 0.3), sigmoid(0.1 - 0.3)}, scores, 1e-6f);
    }

    @Test
    void shouldSendANaNDownTheMissingBranch() throws Exception
    {
        final TreeEnsemble missingLeft = new TreeEnsemble(List.of(stump(0, 0.5f, true, 1f, -1f)), 0f);
        final TreeEnsemble missingRight = new TreeEnsemble(List.of(stump(0, 0.5f, false, 1f, -1f)), 0f);
        final float[][] rows = {{NAN, 0}};

        assertArrayEquals(new float[]{sigmoid(1)},
            OnnxRuntimeCheck.score(OnnxExport.gradientBoostedTrees(missingLeft, 2, "test").toByteArray(), rows), 1e-6f);
        assertArrayEquals(new float[]{sigmoid(-1)},
            OnnxRuntimeCheck.score(OnnxExport.gradientBoostedTrees(missingRight, 2, "test").toByteArray(), rows), 1e-6f);
    }

    @Test
    void shouldAddTheTreesOfAnEnsembleToTheBaseMargin() throws Exception
    {
        final TreeEnsemble twoStumps = new TreeEnsemble(
            List.of(stump(0, 0.5f, true, 1f, -1f), stump(1, 10f, false, 0.25f, 0.75f)), -0.5f);
        final float[][] rows = {{0, 20}, {1, 5}};

        final float[] scores = OnnxRuntimeCheck.score(OnnxExport.gradientBoostedTrees(twoStumps, 2, "test").toByteArray(), rows);

        assertArrayEquals(new float[]{sigmoid(-0.5 + 1 + 0.75), sigmoid(-0.5 - 1 + 0.25)}, scores, 1e-6f);
    }

    @Test
    void shouldDeclareTheGatewaysSignature()
    {
        final ModelProto model = OnnxExport.gradientBoostedTrees(
            new TreeEnsemble(List.of(stump(0, 0.5f, true, 1f, -1f)), 0f), 20, "test");

        assertEquals(8, model.getIrVersion());
        assertEquals("scoring-gateway-training", model.getProducerName());
        assertEquals(List.of("", "ai.onnx.ml"), model.getOpsetImportList().stream().map(o -> o.getDomain()).toList());
        assertEquals(List.of(17L, 3L), model.getOpsetImportList().stream().map(o -> o.getVersion()).toList());
        assertFloatMatrix(model.getGraph().getInput(0), "features", 20);
        assertFloatMatrix(model.getGraph().getOutput(0), "probability", 1);
        assertEquals(1, model.getGraph().getInputCount());
        assertEquals(1, model.getGraph().getOutputCount());
    }

    @Test
    void shouldFailLoudlyWhenOnnxRuntimeDisagreesWithTheTrainer()
    {
        assertThrows(IllegalStateException.class,
            () -> OnnxRuntimeCheck.requireAgreement("test", new float[]{0.5f, 0.5f}, new float[]{0.5f, 0.50002f}));
        assertThrows(IllegalStateException.class,
            () -> OnnxRuntimeCheck.requireAgreement("test", new float[]{0.5f}, new float[]{NAN}));
    }

    private static void assertFloatMatrix(final ValueInfoProto value, final String name, final long columns)
    {
        assertEquals(name, value.getName());
        assertEquals(TensorProto.DataType.FLOAT_VALUE, value.getType().getTensorType().getElemType());
        assertEquals("batch", value.getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(columns, value.getType().getTensorType().getShape().getDim(1).getDimValue());
    }

    /** A split on {@code feature} with two leaves: the smallest tree there is. */
    private static Tree stump(
        final int feature, final float threshold, final boolean missingGoesLeft, final float left, final float right)
    {
        return new Tree(
            new int[]{1, Tree.LEAF, Tree.LEAF},
            new int[]{2, Tree.LEAF, Tree.LEAF},
            new int[]{feature, 0, 0},
            new float[]{threshold, 0, 0},
            new boolean[]{missingGoesLeft, false, false},
            new float[]{0, left, right});
    }

    private static float sigmoid(final double margin)
    {
        return (float)(1 / (1 + Math.exp(-margin)));
    }
}
