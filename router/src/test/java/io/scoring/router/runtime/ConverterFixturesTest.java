package io.scoring.router.runtime;

import io.scoring.proto.onnx.AttributeProto;
import io.scoring.proto.onnx.ModelProto;
import io.scoring.proto.onnx.NodeProto;
import io.scoring.router.model.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models as the converters export them, brought to the gateway unchanged: skl2onnx's ColumnTransformer
 * pipelines with a random forest (with and without the ZipMap) and gradient boosting (with the ZipMap),
 * onnxmltools' XGBoost classifier and regressor, and onnxmltools' LightGBM layouts (classifier with and
 * without the ZipMap, regressor) carrying scikit-learn's trees, since LightGBM itself is not installable.
 * Each fixture (router/src/test/resources/converters, written by training/sklearn/converter_fixtures.py)
 * scores every demo applicant and rows of edge values as ONNX Runtime does, and every applicant as the
 * library that trained it (its predictions.csv) within {@value #LIBRARY_TOLERANCE}, relative above 1.
 *
 * <p>Except, for skl2onnx's tree pipelines, the few applicants listed in float32-scaler-differences.csv: the
 * graph's Scaler computes in float32 where scikit-learn computes in float64, and for them a tree takes the
 * other branch (the generator finds them with scikit-learn's own trees, without ONNX). Those must differ, so
 * the list stays exact.
 *
 * <p>Which runtime serves a fixture is not asserted here (tree ensembles inside pipelines are moving to
 * native evaluators); failures name it.
 */
class ConverterFixturesTest
{
    private static final Path FIXTURES = Path.of("src/test/resources/converters");
    private static final Path TEST_SET = Path.of("../gateway/src/test/resources/demo/credit-risk-test-set.csv");
    private static final double LIBRARY_TOLERANCE = 1e-5;
    /** Values the demo's features take often (codes, counts, an age, an amount): edges besides the splits. */
    private static final float[] COMMON_VALUES = {0f, 1f, 2f, 3f, 4f, 12f, 33f, 2500f};

    static Stream<String> fixtures() throws IOException
    {
        try (Stream<Path> directories = Files.list(FIXTURES))
        {
            return directories.map(d -> d.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldScoreEveryApplicantAndEdgeRowAsOnnxRuntimeDoes(final String fixture) throws Exception
    {
        final ModelConfig config = config(fixture);
        final byte[] model = Files.readAllBytes(FIXTURES.resolve(fixture).resolve("model.onnx"));
        final List<float[]> rows = new ArrayList<>();
        for (final Applicant applicant : applicants(config))
        {
            rows.add(applicant.features);
        }
        rows.addAll(Parity.rows(config.featureCount(), edges(model), 640, 17, false));

        Parity.assertSameScores(model, config, null, rows);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldScoreEveryApplicantAsTheLibraryThatTrainedIt(final String fixture) throws Exception
    {
        final ModelConfig config = config(fixture);
        final List<String> predictions = Files.readAllLines(FIXTURES.resolve(fixture).resolve("predictions.csv"));
        final List<Applicant> applicants = applicants(config);
        final Set<String> float32Differences = float32ScalerDifferences(fixture);
        assertEquals(applicants.size() + 1, predictions.size(), "one prediction per applicant");
        try (Scorer scorer = OnnxRuntimes.load(Files.readAllBytes(FIXTURES.resolve(fixture).resolve("model.onnx")),
            config, 8, OnnxRuntimes.Choice.AUTO))
        {
            final float[] output = new float[config.outputCount()];
            double worst = 0;
            String worstApplicant = "";
            int labelsDiffering = 0;
            for (int i = 0; i < applicants.size(); i++)
            {
                final Applicant applicant = applicants.get(i);
                final String[] expected = predictions.get(i + 1).split(",", -1);
                assertEquals(applicant.id, expected[0], "predictions.csv in the test set's order");
                assertEquals(Scorer.OK, scorer.score(applicant.features, 1, output), scorer.runtimeName());
                final double score = Double.parseDouble(expected[1]);
                final double difference = Math.abs(output[0] - score) / Math.max(1.0, Math.abs(score));
                if (float32Differences.contains(applicant.id))
                {
                    assertTrue(difference > LIBRARY_TOLERANCE, fixture + " served by " + scorer.runtimeName() +
                        ": " + applicant.id + " is listed as taking another branch than scikit-learn but scores " +
                        output[0] + " as it does");
                    continue;
                }
                if (difference > worst)
                {
                    worst = difference;
                    worstApplicant = applicant.id + " (library " + score + ", served " + output[0] + ")";
                }
                if (!expected[2].isEmpty())
                {
                    labelsDiffering += output[1] == Integer.parseInt(expected[2]) ? 0 : 1;
                }
            }
            System.out.printf("%s on %s: largest difference from the library %.3g at %s (%d applicants listed apart)%n",
                fixture, scorer.runtimeName(), worst, worstApplicant, float32Differences.size());
            assertTrue(worst <= LIBRARY_TOLERANCE, fixture + " served by " + scorer.runtimeName() +
                ": largest difference from the library " + worst + " at " + worstApplicant);
            assertEquals(0, labelsDiffering, fixture + " served by " + scorer.runtimeName() +
                ": labels that differ from the library's");
        }
    }

    private record Applicant(String id, float[] features)
    {
    }

    /** Every demo applicant, its features in the config's order, picked from the test set by name. */
    private static List<Applicant> applicants(final ModelConfig config) throws IOException
    {
        final List<String> lines = Files.readAllLines(TEST_SET);
        final List<String> header = Arrays.asList(lines.get(0).split(","));
        final int[] columns = new int[config.featureCount()];
        for (int f = 0; f < columns.length; f++)
        {
            columns[f] = header.indexOf(config.features().get(f).name());
            assertTrue(columns[f] > 0, "the test set has no column " + config.features().get(f).name());
        }
        final List<Applicant> applicants = new ArrayList<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] cells = line.split(",");
            final float[] features = new float[columns.length];
            for (int f = 0; f < columns.length; f++)
            {
                features[f] = Float.parseFloat(cells[columns[f]]);
            }
            applicants.add(new Applicant(cells[0], features));
        }
        return applicants;
    }

    /** The trees' split values (in the graph's own space: after the Scaler for a pipeline) and common values. */
    private static float[] edges(final byte[] model) throws IOException
    {
        final TreeSet<Float> values = new TreeSet<>();
        for (final float value : COMMON_VALUES)
        {
            values.add(value);
        }
        for (final NodeProto node : ModelProto.parseFrom(model).getGraph().getNodeList())
        {
            for (final AttributeProto attribute : node.getAttributeList())
            {
                if (node.getOpType().startsWith("TreeEnsemble") && attribute.getName().equals("nodes_values"))
                {
                    values.addAll(attribute.getFloatsList());
                }
            }
        }
        final float[] edges = new float[values.size()];
        int i = 0;
        for (final float value : values)
        {
            edges[i++] = value;
        }
        return edges;
    }

    /** The applicants listed in the fixture's float32-scaler-differences.csv, if it has one. */
    private static Set<String> float32ScalerDifferences(final String fixture) throws IOException
    {
        final Path list = FIXTURES.resolve(fixture).resolve("float32-scaler-differences.csv");
        final Set<String> applicants = new HashSet<>();
        if (Files.exists(list))
        {
            final List<String> lines = Files.readAllLines(list);
            for (final String line : lines.subList(1, lines.size()))
            {
                applicants.add(line.split(",")[0]);
            }
        }
        return applicants;
    }

    private static ModelConfig config(final String fixture) throws IOException
    {
        try (InputStream in = Files.newInputStream(FIXTURES.resolve(fixture).resolve("model.json")))
        {
            return ModelConfig.parse(in, fixture);
        }
    }
}
