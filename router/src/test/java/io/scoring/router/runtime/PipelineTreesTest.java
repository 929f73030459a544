package io.scoring.router.runtime;

import io.scoring.proto.onnx.AttributeProto;
import io.scoring.proto.onnx.GraphProto;
import io.scoring.proto.onnx.ModelProto;
import io.scoring.proto.onnx.NodeProto;
import io.scoring.proto.onnx.OperatorSetIdProto;
import io.scoring.proto.onnx.TensorProto;
import io.scoring.proto.onnx.TensorShapeProto;
import io.scoring.proto.onnx.TypeProto;
import io.scoring.proto.onnx.ValueInfoProto;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.nativeeval.NativeEvaluators.TreeLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.scoring.router.runtime.OnnxGraphs.f;
import static io.scoring.router.runtime.OnnxGraphs.floats;
import static io.scoring.router.runtime.OnnxGraphs.i;
import static io.scoring.router.runtime.OnnxGraphs.ints;
import static io.scoring.router.runtime.OnnxGraphs.s;
import static io.scoring.router.runtime.OnnxGraphs.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Tree ensembles and label encoders inside skl2onnx- and onnxmltools-shaped pipelines, served natively
 * ({@code native-pipeline}) and scoring as ONNX Runtime does, labels included, on every demo applicant and
 * on rows of edge values (NaN, infinities, codes outside the categories): the demo's gradient boosting
 * pipeline, regressors with every aggregate, multi-class classifiers under every transform, two-class labels
 * by ONNX Runtime's own rules, LightGBM's binary layout and log-link regressors, string categories and
 * numbers re-coded by LabelEncoders; each with and without a ZipMap where it has one. The converters'
 * fixtures are served natively too, and a LabelEncoder to strings is left to ONNX Runtime.
 */
class PipelineTreesTest
{
    private static final Path DEMO = Path.of("../gateway/src/main/resources/demo/models/credit-risk-sklearn");
    private static final String ML = OnnxGraphs.ML;
    /** The column transformer's output in the demo graphs: scaled numbers, then the one-hot columns. */
    private static final String TRANSFORMED = "transformed_column";
    private static final String PROBABILITY_AND_LABEL = "[{\"name\": \"output_probability\", \"class\": %s}," +
        " {\"name\": \"output_label\"}]";

    @Test
    void shouldServeTheDemoGradientBoostingPipelineNativelyAsOnnxRuntimeWithAndWithoutZipMap() throws Exception
    {
        final ModelConfig config = ConverterGraphsTest.sklearnConfig();
        final byte[] tensor = Files.readAllBytes(DEMO.resolve("2").resolve("model.onnx"));

        for (final TreeLayout layout : List.of(TreeLayout.AUTO, TreeLayout.LINKED))
        {
            Parity.assertSameScores(tensor, config, "native-pipeline", rows(config), layout);
            Parity.assertSameScores(withZipMap(tensor, 0, 1), config, "native-pipeline", rows(config), layout);
        }
    }

    /** The converters' own layouts ({@link ConverterFixturesTest} holds their scores to ONNX Runtime and the libraries). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.scoring.router.runtime.ConverterFixturesTest#fixtures")
    void shouldServeEveryConverterFixtureNatively(final String fixture) throws Exception
    {
        final Path directory = Path.of("src/test/resources/converters").resolve(fixture);
        final ModelConfig config;
        try (InputStream in = Files.newInputStream(directory.resolve("model.json")))
        {
            config = ModelConfig.parse(in, fixture);
        }
        try (Scorer scorer = OnnxRuntimes.load(Files.readAllBytes(directory.resolve("model.onnx")), config, 8,
            OnnxRuntimes.Choice.AUTO))
        {
            // a lone regressor on one float input needs no pipeline: the tree evaluator serves it alone
            assertEquals(fixture.contains("regressor") ? "native-tree-ensemble" : "native-pipeline", scorer.runtimeName());
        }
    }

    @ParameterizedTest(name = "{0}, 3 classes")
    @ValueSource(strings = {"SOFTMAX", "SOFTMAX_ZERO", "LOGISTIC", "NONE"})
    void shouldScoreAMulticlassTreeClassifierAndItsLabelAsOnnxRuntimeWithAndWithoutZipMap(final String transform)
        throws Exception
    {
        final GraphProto.Builder graph = preprocessing();
        final RandomForest forest = forest(graph, "class", List.of(0, 1, 2));
        graph.addNode(ml("TreeEnsembleClassifier", List.of(TRANSFORMED), List.of("output_label", "output_probability"),
            attributes(forest.attributes(3), ints("classlabels_int64s", 10, 20, 30), s("post_transform", transform),
                floats("base_values", 0.1f, -0.2f, 0.05f))));
        final byte[] model = model(graph, 3);

        Parity.assertSameScores(model, config(PROBABILITY_AND_LABEL.formatted(2)), "native-pipeline",
            rows(config(PROBABILITY_AND_LABEL.formatted(2))));
        Parity.assertSameScores(withZipMap(model, 10, 20, 30), config(PROBABILITY_AND_LABEL.formatted(20)),
            "native-pipeline", rows(config(PROBABILITY_AND_LABEL.formatted(20))));
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
                    for (final String transform : List.of("NONE", "LOGISTIC"))
                    {
                        cases.add(Arguments.of(classes, mixedSigns, baseValues, transform));
                    }
                }
            }
        }
        return cases.stream();
    }

    /**
     * onnxmltools' XGBoost layout (one float input, the label and the probabilities), labels 3 and 7: ONNX
     * Runtime's label rules for two classes, its threshold of 0.5 or 0 and its literal 1 / 0 outside the
     * one-class-weighted case, are kept.
     */
    @ParameterizedTest(name = "weights for classes {0}, mixed signs {1}, {2} base value(s), {3}")
    @MethodSource("binaryClassifiers")
    void shouldChooseATwoClassTreeClassifiersLabelAsOnnxRuntimeDoes(final List<Integer> classes,
        final boolean mixedSigns, final int baseValues, final String transform) throws Exception
    {
        final RandomForest forest = new RandomForest();
        forest.weightPrefix = "class";
        forest.targets = classes;
        forest.mixedSigns = mixedSigns;
        forest.extraTargetRate = 0.4;
        forest.weightScale = 0.2f;
        final float[] base = Arrays.copyOf(new float[]{0.1f, 0.3f}, baseValues);
        final byte[] model = OnnxGraphs.withFeatures(forest.features)
            .node("TreeEnsembleClassifier", ML, List.of(OnnxGraphs.INPUT), List.of("label", "probabilities"),
                attributes(forest.attributes(classes.hashCode() + baseValues), ints("classlabels_int64s", 3, 7),
                    s("post_transform", transform), floats("base_values", base)).toArray(new AttributeProto[0]))
            .bytes();
        final GraphProto.Builder graph = ModelProto.parseFrom(model).getGraph().toBuilder()
            .addOutput(tensor("label", TensorProto.DataType.INT64_VALUE, 0))
            .addOutput(tensor("probabilities", TensorProto.DataType.FLOAT_VALUE, 2));
        final ModelConfig config = singleInputConfig(forest.features,
            "[{\"name\": \"probabilities\", \"class\": 1}, {\"name\": \"label\"}]");
        // ONNX Runtime leaves a score unwritten with both classes weighed and one base value: not native
        final String runtime = classes.size() == 2 && baseValues == 1 ? "onnxruntime" : "native-pipeline";

        Parity.assertSameScores(ModelProto.parseFrom(model).toBuilder().setGraph(graph).build().toByteArray(), config,
            runtime, Parity.rows(forest.features, forest.thresholds, 400, baseValues, false));
    }

    /** onnxmltools' LightGBM classifier: Identity on both outputs, Cast of the label, then a ZipMap or a Mul by 1. */
    @ParameterizedTest(name = "zipmap {0}")
    @ValueSource(booleans = {false, true})
    void shouldScoreLightGbmsBinaryLayoutAsOnnxRuntime(final boolean zipMap) throws Exception
    {
        final GraphProto.Builder graph = preprocessing();
        final RandomForest forest = forest(graph, "class", List.of(0));
        graph.addNode(ml("TreeEnsembleClassifier", List.of(TRANSFORMED), List.of("label_tensor", "probability_tensor"),
            attributes(forest.attributes(5), ints("classlabels_int64s", 0, 1), s("post_transform", "LOGISTIC"))));
        graph.addNode(standard("Identity", List.of("label_tensor"), "label"));
        graph.addNode(standard("Identity", List.of("probability_tensor"), "probabilities"));
        graph.addNode(standard("Cast", List.of("label"), "output_label", i("to", TensorProto.DataType.INT64_VALUE)));
        graph.addInitializer(TensorProto.newBuilder().setName("one").setDataType(TensorProto.DataType.FLOAT_VALUE)
            .addFloatData(1f));
        graph.addNode(standard("Mul", List.of("probabilities", "one"), "output_probability"));
        final byte[] model = zipMap ? withZipMap(model(graph, 2), 0, 1) : model(graph, 2);
        final ModelConfig config = ConverterGraphsTest.sklearnConfig();

        Parity.assertSameScores(model, config, "native-pipeline", rows(config));
    }

    @ParameterizedTest(name = "{0}, {1} target(s)")
    @CsvSource({"SUM, 1", "AVERAGE, 1", "MIN, 1", "MAX, 1", "SUM, 2", "AVERAGE, 2", "MIN, 2", "MAX, 2"})
    void shouldScoreATreeRegressorAfterTheColumnTransformerAsOnnxRuntime(final String aggregate, final int targets)
        throws Exception
    {
        final GraphProto.Builder graph = preprocessing();
        final RandomForest forest = forest(graph, "target", targets == 1 ? List.of(0) : List.of(0, 1));
        final float[] baseValues = targets == 1 ? new float[]{0.25f} : new float[]{0.25f, -1f};
        graph.addNode(ml("TreeEnsembleRegressor", List.of(TRANSFORMED), List.of("prediction"),
            attributes(forest.attributes(targets * 7L + aggregate.length()), i("n_targets", targets),
                s("aggregate_function", aggregate), floats("base_values", baseValues))));
        graph.addOutput(tensor("prediction", TensorProto.DataType.FLOAT_VALUE, targets));
        final String output = targets == 1 ? "[{\"name\": \"prediction\"}]" : "[{\"name\": \"prediction\", \"class\": 1}]";

        Parity.assertSameScores(model(graph), config(output), "native-pipeline", rows(config(output)));
    }

    /** onnxmltools' LightGBM and XGBoost regressors with a log link (poisson, gamma, tweedie): Exp, times a constant. */
    @Test
    void shouldScoreALogLinkRegressorsExpAndScaleAsOnnxRuntime() throws Exception
    {
        final GraphProto.Builder graph = preprocessing();
        final RandomForest forest = forest(graph, "target", List.of(0));
        forest.weightScale = 0.2f;
        graph.addNode(ml("TreeEnsembleRegressor", List.of(TRANSFORMED), List.of("tree"),
            attributes(forest.attributes(17), i("n_targets", 1))));
        graph.addNode(standard("Exp", List.of("tree"), "exp"));
        graph.addInitializer(TensorProto.newBuilder().setName("raw_prediction").setDataType(TensorProto.DataType.FLOAT_VALUE)
            .addDims(1).addFloatData(1.75f));
        graph.addNode(standard("Mul", List.of("exp", "raw_prediction"), "mul"));
        graph.addInitializer(TensorProto.newBuilder().setName("denominator").setDataType(TensorProto.DataType.FLOAT_VALUE)
            .addFloatData(100f));
        graph.addNode(standard("Div", List.of("mul", "denominator"), "prediction"));
        graph.addOutput(tensor("prediction", TensorProto.DataType.FLOAT_VALUE, 1));
        final String output = "[{\"name\": \"prediction\"}]";

        Parity.assertSameScores(model(graph), config(output), "native-pipeline", rows(config(output)));
    }

    /**
     * skl2onnx's OrdinalEncoder: each string column extracted, encoded to int64 by a LabelEncoder (opset 2's
     * keys and values, or opset 1's classes_strings), cast to float; one numeric column re-coded int64 to
     * float; then a tree classifier, or a linear one, with and without a ZipMap.
     */
    @ParameterizedTest(name = "opset-1 form {0}, trees {1}, zipmap {2}, linear intercepts {3}")
    @CsvSource({"false, true, false, 0", "false, true, true, 0", "true, true, false, 0", "false, false, false, 2",
        "false, false, true, 2", "true, false, true, 2", "false, false, false, 1", "true, false, true, 1"})
    void shouldEncodeStringCategoriesWithALabelEncoderAsOnnxRuntime(final boolean classesStrings, final boolean trees,
        final boolean zipMap, final int intercepts) throws Exception
    {
        final ModelConfig config = ConverterGraphsTest.sklearnConfig();
        final List<FeatureSpec> categorical = config.inputs().get(1).features();
        final GraphProto.Builder graph = GraphProto.newBuilder().setName("ordinal")
            .addAllInput(preprocessing().getInputList());
        final List<String> columns = new ArrayList<>(List.of("numeric"));
        for (int c = 0; c < categorical.size(); c++)
        {
            graph.addInitializer(TensorProto.newBuilder().setName("index" + c).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(1).addInt64Data(c));
            graph.addNode(ml("ArrayFeatureExtractor", List.of("categorical", "index" + c), List.of("column" + c), List.of()));
            // one category left out: it and the codes outside the categories take the default
            final List<String> keys = categorical.get(c).categories().subList(1, categorical.get(c).categories().size());
            final List<AttributeProto> encoding = classesStrings ? List.of(strings("classes_strings", keys)) :
                List.of(strings("keys_strings", keys), ints("values_int64s", reversed(keys.size())),
                    i("default_int64", 42));
            graph.addNode(ml("LabelEncoder", List.of("column" + c), List.of("code" + c), encoding));
            graph.addNode(standard("Cast", List.of("code" + c), "encoded" + c, i("to", TensorProto.DataType.FLOAT_VALUE)));
            columns.add("encoded" + c);
        }
        if (!classesStrings)
        {
            recodeNumbers(graph, columns); // opset 2's form only
        }
        graph.addNode(standard("Concat", columns, TRANSFORMED, i("axis", 1)));
        final int width = 7 + columns.size() - 1;
        if (trees)
        {
            final RandomForest forest = new RandomForest();
            forest.features = width;
            forest.weightPrefix = "class";
            forest.thresholds = new float[]{-1f, 0.5f, 1.5f, 2.5f, 4f, 12f, 27f, 30f, 42f, 99f, 2000f};
            graph.addNode(ml("TreeEnsembleClassifier", List.of(TRANSFORMED), List.of("output_label", "output_probability"),
                attributes(forest.attributes(23), ints("classlabels_int64s", 0, 1), s("post_transform", "LOGISTIC"))));
        }
        else
        {
            // skl2onnx's two rows (-w, w) or one row, whose label ONNX Runtime takes at raw score 0, not 0.5
            final float[] coefficients = new float[intercepts * width];
            for (int k = 0; k < width; k++)
            {
                coefficients[k] = -0.01f * (k % 5 - 2);
                coefficients[(intercepts - 1) * width + k] = 0.01f * (k % 5 - 2);
            }
            graph.addNode(ml("LinearClassifier", List.of(TRANSFORMED), List.of("output_label", "output_probability"),
                List.of(floats("coefficients", coefficients), floats("intercepts", Arrays.copyOf(new float[]{-0.3f, 0.3f},
                    intercepts)), ints("classlabels_ints", 0, 1), s("post_transform", "LOGISTIC"))));
        }
        final byte[] tensor = model(graph, 2, classesStrings ? 1 : 2);
        final byte[] model = zipMap ? withZipMap(tensor, 0, 1) : tensor;

        Parity.assertSameScores(model, config, "native-pipeline", rows(config));
    }

    @Test
    void shouldLeaveALabelEncoderToStringsToOnnxRuntime() throws Exception
    {
        final ModelConfig config = ConverterGraphsTest.sklearnConfig();
        final GraphProto.Builder graph = preprocessing();
        final RandomForest forest = forest(graph, "class", List.of(0));
        graph.addNode(ml("TreeEnsembleClassifier", List.of(TRANSFORMED), List.of("label", "output_probability"),
            attributes(forest.attributes(29), ints("classlabels_int64s", 0, 1), s("post_transform", "LOGISTIC"))));
        graph.addNode(ml("LabelEncoder", List.of("label"), List.of("name"), List.of(ints("keys_int64s", 0, 1),
            strings("values_strings", List.of("good", "bad")))));
        graph.addNode(ml("LabelEncoder", List.of("name"), List.of("output_label"), List.of(
            strings("keys_strings", List.of("good", "bad")), ints("values_int64s", 0, 1))));

        Parity.assertSameScores(model(graph, 2), config, "onnxruntime", rows(config));
    }

    /**
     * int64 to float: residence_since (1 to 4) cast to int64 and re-coded, other values taking default_float;
     * float to int64: installment_commitment re-coded.
     */
    private static void recodeNumbers(final GraphProto.Builder graph, final List<String> columns)
    {
        graph.addInitializer(TensorProto.newBuilder().setName("index_residence").setDataType(TensorProto.DataType.INT64_VALUE)
            .addDims(1).addInt64Data(3));
        graph.addNode(ml("ArrayFeatureExtractor", List.of("numeric", "index_residence"), List.of("residence"), List.of()));
        graph.addNode(standard("Cast", List.of("residence"), "residence_int", i("to", TensorProto.DataType.INT64_VALUE)));
        graph.addNode(ml("LabelEncoder", List.of("residence_int"), List.of("residence_recoded"), List.of(
            ints("keys_int64s", 4, 2, 1, 3), floats("values_floats", 0.5f, -2f, 3.25f, 1f), f("default_float", 7f))));
        columns.add("residence_recoded");
        // float to int64: installment_commitment (1 to 4) by float keys, 0 standing for -0 too
        graph.addInitializer(TensorProto.newBuilder().setName("index_installment").setDataType(TensorProto.DataType.INT64_VALUE)
            .addDims(1).addInt64Data(2));
        graph.addNode(ml("ArrayFeatureExtractor", List.of("numeric", "index_installment"), List.of("installment"), List.of()));
        graph.addNode(ml("LabelEncoder", List.of("installment"), List.of("installment_code"), List.of(
            floats("keys_floats", 4f, 0f, 2.5f, 1f, 3f), ints("values_int64s", 40, -5, 25, 10, 30), i("default_int64", 99))));
        graph.addNode(standard("Cast", List.of("installment_code"), "installment_recoded", i("to", TensorProto.DataType.FLOAT_VALUE)));
        columns.add("installment_recoded");
    }

    private static long[] reversed(final int count)
    {
        final long[] values = new long[count];
        for (int k = 0; k < count; k++)
        {
            values[k] = count - k;
        }
        return values;
    }

    /** Every applicant, then rows of edge values: thresholds of the raw numbers, category codes in and out of range. */
    private static List<float[]> rows(final ModelConfig config) throws Exception
    {
        final List<float[]> rows = ConverterGraphsTest.applicants(config.featureCount());
        rows.addAll(Parity.rows(config.featureCount(), new float[]{0f, 1f, 2f, 3f, 4f, 12f, 33f, 2500f}, 320, 7, true));
        return rows;
    }

    /** The demo's version 2 graph up to its column transformer's output, without the classifier and the outputs. */
    private static GraphProto.Builder preprocessing() throws Exception
    {
        final GraphProto.Builder graph = ModelProto.parseFrom(Files.readAllBytes(DEMO.resolve("2").resolve("model.onnx")))
            .getGraph().toBuilder().clearOutput();
        for (int n = graph.getNodeCount() - 1; n >= 0; n--)
        {
            if (graph.getNode(n).getOpType().startsWith("TreeEnsemble"))
            {
                graph.removeNode(n);
            }
        }
        return graph;
    }

    /** A random forest over the column transformer's output: scaled numbers and one-hot columns. */
    private static RandomForest forest(final GraphProto.Builder graph, final String prefix, final List<Integer> targets)
    {
        int width = 0;
        for (final NodeProto node : graph.getNodeList())
        {
            for (final AttributeProto attribute : node.getAttributeList())
            {
                width += "cats_strings".equals(attribute.getName()) ? attribute.getStringsCount() : 0;
            }
        }
        final RandomForest forest = new RandomForest();
        forest.features = 7 + width;
        forest.trees = 24;
        forest.weightPrefix = prefix;
        forest.targets = targets;
        forest.thresholds = new float[]{-1.5f, -0.25f, 0f, 0.5f, 0.75f, 1f, 2f};
        return forest;
    }

    private static List<AttributeProto> attributes(final List<AttributeProto> trees, final AttributeProto... more)
    {
        final List<AttributeProto> all = new ArrayList<>(trees);
        all.addAll(Arrays.asList(more));
        return all;
    }

    private static NodeProto ml(final String op, final List<String> inputs, final List<String> outputs,
        final List<AttributeProto> attributes)
    {
        return NodeProto.newBuilder().setOpType(op).setDomain(ML).setName(op + "_" + outputs.get(0))
            .addAllInput(inputs).addAllOutput(outputs).addAllAttribute(attributes).build();
    }

    private static NodeProto standard(final String op, final List<String> inputs, final String output,
        final AttributeProto... attributes)
    {
        return NodeProto.newBuilder().setOpType(op).setName(op + "_" + output).addAllInput(inputs).addOutput(output)
            .addAllAttribute(List.of(attributes)).build();
    }

    /** The graph as a model, its outputs the int64 label and {@code classes} probabilities. */
    private static byte[] model(final GraphProto.Builder graph, final int classes, final long mlOpset) throws Exception
    {
        graph.addOutput(tensor("output_label", TensorProto.DataType.INT64_VALUE, 0));
        graph.addOutput(tensor("output_probability", TensorProto.DataType.FLOAT_VALUE, classes));
        return inModel(graph, mlOpset);
    }

    private static byte[] model(final GraphProto.Builder graph, final int classes) throws Exception
    {
        return model(graph, classes, 3);
    }

    private static byte[] model(final GraphProto.Builder graph) throws Exception
    {
        return inModel(graph, 3);
    }

    /**
     * The demo's model around the graph, with ai.onnx.ml opset {@code mlOpset}: 1 for LabelEncoder's
     * {@code classes_strings}, 2 or more for its keys and values (the trees read the same attributes in both).
     */
    private static byte[] inModel(final GraphProto.Builder graph, final long mlOpset) throws Exception
    {
        return ModelProto.parseFrom(Files.readAllBytes(DEMO.resolve("2").resolve("model.onnx"))).toBuilder()
            .clearOpsetImport()
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(15))
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(ML).setVersion(mlOpset))
            .setGraph(graph).build().toByteArray();
    }

    /** skl2onnx's default: the probabilities tensor read by a ZipMap of int64 keys, the ZipMap the output. */
    private static byte[] withZipMap(final byte[] model, final long... labels) throws Exception
    {
        final ModelProto proto = ModelProto.parseFrom(model);
        final GraphProto.Builder graph = proto.getGraph().toBuilder();
        for (int n = 0; n < graph.getNodeCount(); n++)
        {
            final NodeProto node = graph.getNode(n);
            final int at = node.getOutputList().indexOf("output_probability");
            if (at >= 0)
            {
                graph.setNode(n, node.toBuilder().setOutput(at, "probability_tensor_zipped"));
            }
        }
        graph.addNode(ml("ZipMap", List.of("probability_tensor_zipped"), List.of("output_probability"),
            List.of(ints("classlabels_int64s", labels))));
        final ValueInfoProto zipMapType = ModelProto.parseFrom(Files.readAllBytes(DEMO.resolve("1").resolve("model.onnx")))
            .getGraph().getOutputList().stream().filter((o) -> o.getName().equals("output_probability")).findFirst()
            .orElseThrow();
        for (int o = 0; o < graph.getOutputCount(); o++)
        {
            if (graph.getOutput(o).getName().equals("output_probability"))
            {
                graph.setOutput(o, zipMapType);
            }
        }
        return proto.toBuilder().setGraph(graph).build().toByteArray();
    }

    /** A float or int64 tensor {@code [N, columns]}, or {@code [N]} for 0 columns. */
    private static ValueInfoProto tensor(final String name, final int type, final long columns)
    {
        final TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        if (columns > 0)
        {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }

    /** One float input {@value OnnxGraphs#INPUT} of features {@code f0..}, request-time numbers defaulting to 0. */
    private static ModelConfig singleInputConfig(final int features, final String outputs) throws Exception
    {
        final StringBuilder list = new StringBuilder();
        for (int f = 0; f < features; f++)
        {
            list.append(f == 0 ? "" : ", ").append("{\"name\": \"f").append(f)
                .append("\", \"source\": \"request\", \"type\": \"numeric\", \"default\": 0}");
        }
        final String json = "{\"name\": \"xgboost\", \"entity_key\": \"id\", \"champion\": \"1\", \"input\": " +
            "{\"name\": \"" + OnnxGraphs.INPUT + "\"}, \"features\": [" + list + "], \"outputs\": " + outputs + "}";
        return ModelConfig.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "xgboost");
    }

    /** The demo's model.json with these outputs. */
    private static ModelConfig config(final String outputs) throws Exception
    {
        final String json = Files.readString(DEMO.resolve("model.json"));
        final String replaced = json.substring(0, json.indexOf("\"outputs\"")) + "\"outputs\": " + outputs + "}";
        return ModelConfig.parse(new ByteArrayInputStream(replaced.getBytes(StandardCharsets.UTF_8)), "pipeline-trees");
    }
}
