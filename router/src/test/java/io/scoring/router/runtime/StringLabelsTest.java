package io.scoring.router.runtime;

import io.scoring.router.model.ModelConfig;
import io.scoring.testsupport.StringLabelModels;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's scikit-learn pipeline as skl2onnx exports it when y holds strings ("good", "bad"): a string
 * label output and a ZipMap with string keys. Served natively and by ONNX Runtime, every applicant gets
 * the same probability and the same label, the one scikit-learn gave (its class 1 is "bad").
 */
class StringLabelsTest
{
    static final List<String> NAMES = List.of("good", "bad");
    private static final Path DEMO = Path.of("../gateway/src/main/resources/demo/models/credit-risk-sklearn");
    private static final Path TEST_SET = Path.of("../gateway/src/test/resources/demo/credit-risk-test-set.csv");
    private static final Path SKLEARN = Path.of("../gateway/src/test/resources/demo/credit-risk-sklearn-predictions.csv");

    @Test
    void shouldAnswerTheSameNamedLabelNativelyAndWithOnnxRuntime() throws Exception
    {
        final ModelConfig config = config("\"bad\"");
        final byte[] model = stringLabelModel();
        final List<String> rows = Files.readAllLines(TEST_SET);
        final List<String> sklearn = Files.readAllLines(SKLEARN);
        try (Scorer ownRuntime = OnnxRuntimes.load(model, config, 8, OnnxRuntimes.Choice.AUTO);
            Scorer onnxRuntime = OnnxRuntimes.load(model, config, 8, OnnxRuntimes.Choice.ONNXRUNTIME))
        {
            assertEquals("native-pipeline", ownRuntime.runtimeName());
            assertEquals("onnxruntime", onnxRuntime.runtimeName());
            final OutputForm label = onnxRuntime.outputForms().get(1);
            assertEquals(OutputForm.Kind.STRING_LABEL, label.kind());
            assertEquals("BYTES", label.datatype());
            assertEquals(NAMES, label.labels().labels());
            assertEquals(onnxRuntime.outputForms(), ownRuntime.outputForms());
            assertEquals(OutputForm.Kind.ZIPMAP, onnxRuntime.outputForms().get(0).kind());
            assertEquals(1, onnxRuntime.outputForms().get(0).column());

            final float[] row = new float[config.featureCount()];
            final float[] own = new float[2];
            final float[] onnx = new float[2];
            for (int i = 1; i < rows.size(); i++)
            {
                final String[] fields = rows.get(i).split(",");
                for (int f = 0; f < row.length; f++)
                {
                    row[f] = Float.parseFloat(fields[1 + f]);
                }
                assertEquals(Scorer.OK, ownRuntime.score(row, 1, own));
                assertEquals(Scorer.OK, onnxRuntime.score(row, 1, onnx));
                final String[] expected = sklearn.get(i).split(",");
                final String name = NAMES.get(Integer.parseInt(expected[2]));
                assertEquals(name, label.labels().labels().get((int)onnx[1]), "onnxruntime, row " + i);
                assertEquals(name, label.labels().labels().get((int)own[1]), "native, row " + i);
                assertEquals(Double.parseDouble(expected[1]), onnx[0], 1e-6, "row " + i);
                assertEquals(onnx[0], own[0], 1e-6, "row " + i);
            }
        }
    }

    @Test
    void shouldAnswerEveryRowOfABatchWithOnnxRuntime() throws Exception
    {
        final ModelConfig config = config("\"bad\"");
        final List<String> rows = Files.readAllLines(TEST_SET);
        final int batch = 8;
        final float[] input = new float[batch * config.featureCount()];
        for (int r = 0; r < batch; r++)
        {
            final String[] fields = rows.get(1 + r).split(",");
            for (int f = 0; f < config.featureCount(); f++)
            {
                input[r * config.featureCount() + f] = Float.parseFloat(fields[1 + f]);
            }
        }
        try (Scorer onnxRuntime = OnnxRuntimes.load(stringLabelModel(), config, batch, OnnxRuntimes.Choice.ONNXRUNTIME);
            Scorer ownRuntime = OnnxRuntimes.load(stringLabelModel(), config, batch, OnnxRuntimes.Choice.AUTO))
        {
            final float[] onnx = new float[batch * 2];
            final float[] own = new float[batch * 2];
            assertEquals(Scorer.OK, onnxRuntime.score(input, batch, onnx));
            assertEquals(Scorer.OK, ownRuntime.score(input, batch, own));
            for (int r = 0; r < batch; r++)
            {
                assertEquals(own[r * 2 + 1], onnx[r * 2 + 1], "label of row " + r);
                assertEquals(own[r * 2 + 1] == 1f, onnx[r * 2] >= 0.5f, "label agrees with the probability, row " + r);
            }
        }
    }

    /** The demo's tree version (gradient boosting, probabilities [N, 2]) with string labels: native as ONNX Runtime. */
    @Test
    void shouldAnswerATreeClassifiersNamedLabelNativelyAsOnnxRuntimeDoes() throws Exception
    {
        final ModelConfig config = config("1");
        final byte[] model = StringLabelModels.withStringLabels(Files.readAllBytes(DEMO.resolve("2").resolve("model.onnx")), NAMES);
        final List<float[]> rows = ConverterGraphsTest.applicants(config.featureCount());
        try (Scorer ownRuntime = OnnxRuntimes.load(model, config, 8, OnnxRuntimes.Choice.AUTO);
            Scorer onnxRuntime = OnnxRuntimes.load(model, config, 8, OnnxRuntimes.Choice.ONNXRUNTIME))
        {
            assertEquals("native-pipeline", ownRuntime.runtimeName());
            assertEquals(OutputForm.Kind.STRING_LABEL, ownRuntime.outputForms().get(1).kind());
            final float[] own = new float[2];
            final float[] onnx = new float[2];
            int bad = 0;
            for (int i = 0; i < rows.size(); i++)
            {
                final float[] row = rows.get(i);
                assertEquals(Scorer.OK, ownRuntime.score(row, 1, own));
                assertEquals(Scorer.OK, onnxRuntime.score(row, 1, onnx));
                assertEquals(onnx[1], own[1], 0f, "label index, row " + i);
                assertEquals(onnx[0], own[0], 1e-6, "row " + i);
                bad += (int)own[1];
            }
            assertTrue(bad > 0 && bad < rows.size(), "both labels answered: " + bad + " 'bad'");
        }
    }

    @Test
    void shouldRefuseAZipMapClassThatIsNotOneOfItsStringKeys() throws Exception
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> OnnxRuntimes.load(stringLabelModel(), config("1"), 4, OnnxRuntimes.Choice.AUTO).close());

        assertTrue(refused.getMessage().contains("[good, bad]"), refused.getMessage());
    }

    @Test
    void shouldDescribeAStringLabelAsBytesOfOneLabelPerRow() throws Exception
    {
        try (Scorer scorer = OnnxRuntimes.load(stringLabelModel(), config("\"bad\""), 4, OnnxRuntimes.Choice.AUTO))
        {
            assertArrayEquals(new long[]{-1}, scorer.outputForms().get(1).shape());
            assertEquals("output_label: STRING_LABEL BYTES [-1] labels [good, bad]", scorer.outputForms().get(1).toString());
        }
    }

    static byte[] stringLabelModel() throws Exception
    {
        return StringLabelModels.withStringLabels(Files.readAllBytes(DEMO.resolve("1").resolve("model.onnx")), NAMES);
    }

    /** The demo's model.json with the ZipMap's {@code class} as given. */
    private static ModelConfig config(final String zipMapClass) throws Exception
    {
        final String json = Files.readString(DEMO.resolve("model.json")).replace("\"class\": 1", "\"class\": " + zipMapClass);
        return ModelConfig.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "credit-risk-sklearn");
    }
}
