package io.scoring.router.runtime;

import io.scoring.router.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's scikit-learn pipeline, in skl2onnx's layout (a float input and a string input of category
 * names; an int64 label and a ZipMap or [N, 2] probabilities), scores all 1,000 applicants as scikit-learn
 * itself does (its predictions written by training/sklearn/credit_risk_sklearn.py).
 */
class SklearnDemoModelTest
{
    private static final Path DEMO = Path.of("../gateway/src/main/resources/demo/models/credit-risk-sklearn");
    private static final Path TEST_SET = Path.of("../gateway/src/test/resources/demo/credit-risk-test-set.csv");
    private static final Path SKLEARN = Path.of("../gateway/src/test/resources/demo/credit-risk-sklearn-predictions.csv");

    @ParameterizedTest(name = "version {0}")
    @CsvSource({"1, 1e-6", "2, 1e-5"})
    void shouldScoreEveryApplicantAsScikitLearnDoes(final int version, final double tolerance) throws Exception
    {
        final ModelConfig config = config();
        final List<String> rows = Files.readAllLines(TEST_SET);
        final List<String> expected = Files.readAllLines(SKLEARN);
        try (Scorer scorer = OnnxRuntimes.load(
            Files.readAllBytes(DEMO.resolve(Integer.toString(version)).resolve("model.onnx")), config, 8,
            OnnxRuntimes.Choice.AUTO))
        {
            assertEquals("native-pipeline", scorer.runtimeName());
            final float[] row = new float[config.featureCount()];
            final float[] output = new float[2];
            double worst = 0;
            int labelsDiffering = 0;
            for (int i = 1; i < rows.size(); i++)
            {
                final String[] fields = rows.get(i).split(",");
                for (int f = 0; f < row.length; f++)
                {
                    row[f] = Float.parseFloat(fields[1 + f]);
                }
                assertEquals(Scorer.OK, scorer.score(row, 1, output));
                final String[] sklearn = expected.get(i).split(",");
                final double probability = Double.parseDouble(sklearn[version == 1 ? 1 : 3]);
                worst = Math.max(worst, Math.abs(output[0] - probability));
                labelsDiffering += output[1] == Integer.parseInt(sklearn[version == 1 ? 2 : 4]) ? 0 : 1;
            }
            assertTrue(worst <= tolerance, "largest difference from scikit-learn " + worst);
            assertEquals(0, labelsDiffering, "labels that differ from scikit-learn's");
        }
    }

    @Test
    void shouldDescribeOutputsAsTheGraphGivesThem() throws Exception
    {
        final ModelConfig config = config();
        try (Scorer zipMap = OnnxRuntimes.load(Files.readAllBytes(DEMO.resolve("1").resolve("model.onnx")), config, 4,
                OnnxRuntimes.Choice.AUTO);
            Scorer tensor = OnnxRuntimes.load(Files.readAllBytes(DEMO.resolve("2").resolve("model.onnx")), config, 4,
                OnnxRuntimes.Choice.AUTO))
        {
            final OutputForm probability = zipMap.outputForms().get(0);
            assertEquals(OutputForm.Kind.ZIPMAP, probability.kind());
            assertEquals("probabilities", probability.fetched());
            assertEquals(1, probability.column());
            assertArrayEquals(new long[]{-1}, probability.shape());
            assertEquals(OutputForm.Kind.SCORE, tensor.outputForms().get(0).kind());
            assertEquals(2, tensor.outputForms().get(0).width());
            assertArrayEquals(new long[]{-1, 1}, tensor.outputForms().get(0).shape());
            final OutputForm label = zipMap.outputForms().get(1);
            assertEquals(OutputForm.Kind.LABEL, label.kind());
            assertEquals("INT64", label.datatype());
        }
    }

    private static ModelConfig config() throws Exception
    {
        try (InputStream in = Files.newInputStream(DEMO.resolve("model.json")))
        {
            return ModelConfig.parse(in, "credit-risk-sklearn");
        }
    }
}
