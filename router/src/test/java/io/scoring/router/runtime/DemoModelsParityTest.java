package io.scoring.router.runtime;

import io.scoring.router.model.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bundled credit-risk demo's two versions (logistic regression, 200 boosted trees) are served
 * natively and score every row of the demo test set, and rows of edge values, like ONNX Runtime.
 */
class DemoModelsParityTest
{
    private static final Path DEMO = Path.of("../gateway/src/main/resources/demo/models/credit-risk");
    private static final Path TEST_SET = Path.of("../gateway/src/test/resources/demo/credit-risk-test-set.csv");
    /** The test set's columns: applicant_id, the 20 features, label, split. */
    private static final int FIRST_FEATURE = 1;

    @ParameterizedTest(name = "version {0}")
    @CsvSource({"1, native-linear", "2, native-tree-ensemble"})
    void shouldScoreEveryTestSetRowLikeOnnxRuntime(final String version, final String runtime) throws Exception
    {
        final ModelConfig config = config();
        final List<float[]> rows = testSet(config.featureCount());
        assertEquals(1000, rows.size());
        Parity.assertSameScores(Files.readAllBytes(DEMO.resolve(version).resolve("model.onnx")), config, runtime, rows);
    }

    @ParameterizedTest(name = "version {0}")
    @CsvSource({"1, native-linear", "2, native-tree-ensemble"})
    void shouldScoreRowsOfEdgeValuesLikeOnnxRuntime(final String version, final String runtime) throws Exception
    {
        final ModelConfig config = config();
        final float[] thresholds = {0f, 1f, 2f, 3f, 4f, 12f, 24f, 33f, 1000f, 2500f, 4000f};
        Parity.assertSameScores(Files.readAllBytes(DEMO.resolve(version).resolve("model.onnx")), config, runtime,
            Parity.rows(config.featureCount(), thresholds, 1280, 29, "1".equals(version)));
    }

    private static ModelConfig config() throws Exception
    {
        try (InputStream in = Files.newInputStream(DEMO.resolve("model.json")))
        {
            return ModelConfig.parse(in, "demo");
        }
    }

    private static List<float[]> testSet(final int features) throws Exception
    {
        final List<float[]> rows = new ArrayList<>();
        for (final String line : Files.readAllLines(TEST_SET).subList(1, Files.readAllLines(TEST_SET).size()))
        {
            final String[] fields = line.split(",");
            final float[] row = new float[features];
            for (int i = 0; i < features; i++)
            {
                row[i] = Float.parseFloat(fields[FIRST_FEATURE + i]);
            }
            rows.add(row);
        }
        return rows;
    }
}
