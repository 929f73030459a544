package io.scoring.router.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.scoring.proto.onnx.GraphProto;
import io.scoring.proto.onnx.ModelProto;
import io.scoring.proto.onnx.NodeProto;
import io.scoring.proto.onnx.OperatorSetIdProto;
import io.scoring.proto.onnx.TensorProto;
import io.scoring.proto.onnx.TensorShapeProto;
import io.scoring.proto.onnx.TypeProto;
import io.scoring.proto.onnx.ValueInfoProto;
import io.scoring.router.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graphs shaped as the converters write them, served as ONNX Runtime serves them: the demo's skl2onnx
 * pipeline natively (with and without its ZipMap) on every applicant and on rows of edge values, and a
 * tf2onnx-style MLP with a float and an int64 input through ONNX Runtime's typed, pinned inputs.
 */
class ConverterGraphsTest
{
    private static final Path SKLEARN = Path.of("../gateway/src/main/resources/demo/models/credit-risk-sklearn");
    private static final Path TEST_SET = Path.of("../gateway/src/test/resources/demo/credit-risk-test-set.csv");

    @Test
    void shouldScoreTheSkl2onnxPipelineNativelyAsOnnxRuntimeWithAndWithoutZipMap() throws Exception
    {
        final ModelConfig config = sklearnConfig();
        final byte[] zipMap = Files.readAllBytes(SKLEARN.resolve("1").resolve("model.onnx"));
        final List<float[]> rows = applicants(config.featureCount());
        rows.addAll(Parity.rows(config.featureCount(), new float[]{0f, 1f, 2f, 3f, 4f, 12f, 33f, 2500f}, 640, 11, true));

        Parity.assertSameScores(zipMap, config, "native-pipeline", rows);
        Parity.assertSameScores(withoutZipMap(zipMap), config, "native-pipeline", rows);
    }

    @Test
    void shouldRefuseAClassThatIsNotAZipMapKey() throws Exception
    {
        final String json = Files.readString(SKLEARN.resolve("model.json")).replace("\"class\": 1", "\"class\": 7");
        final ModelConfig config = ModelConfig.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "x");

        final IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> OnnxRuntimes.load(
            Files.readAllBytes(SKLEARN.resolve("1").resolve("model.onnx")), config, 4, OnnxRuntimes.Choice.AUTO));

        assertTrue(failure.getMessage().contains("a ZipMap of classes [0, 1]"), failure.getMessage());
        assertTrue(failure.getMessage().contains("got '7'"), failure.getMessage());
    }

    @Test
    void shouldFeedAFloatAndAnInt64InputOfAnMlpAsOnnxRuntimeTakesThem() throws Exception
    {
        final byte[] mlp = mlp();
        final ModelConfig config = ModelConfig.parse(new ByteArrayInputStream(("{\"name\": \"mlp\", \"entity_key\": \"id\"," +
            " \"champion\": \"1\", \"inputs\": [{\"name\": \"dense\", \"type\": \"float\", \"features\": [\"a\", \"b\"]}," +
            " {\"name\": \"codes\", \"type\": \"int64\", \"features\": [\"c\"]}], \"features\": [" +
            "{\"name\": \"a\", \"source\": \"request\", \"type\": \"numeric\"}," +
            "{\"name\": \"c\", \"source\": \"request\", \"type\": \"categorical\", \"categories\": [\"x\", \"y\", \"z\"]}," +
            "{\"name\": \"b\", \"source\": \"request\", \"type\": \"numeric\"}]," +
            " \"outputs\": [{\"name\": \"score\"}]}").getBytes(StandardCharsets.UTF_8)), "mlp");
        final Random random = new Random(5);
        try (Scorer scorer = OnnxRuntimes.load(mlp, config, 8, OnnxRuntimes.Choice.AUTO);
             OrtSession reference = OrtEnvironment.getEnvironment().createSession(mlp))
        {
            assertEquals("onnxruntime", scorer.runtimeName());
            final float[] output = new float[1];
            for (int i = 0; i < 200; i++)
            {
                final float a = (float)random.nextGaussian();
                final float b = (float)random.nextGaussian() * 10;
                final int c = random.nextInt(3);
                assertEquals(Scorer.OK, scorer.score(new float[]{a, c, b}, 1, output));
                final OrtEnvironment env = OrtEnvironment.getEnvironment();
                try (OnnxTensor dense = OnnxTensor.createTensor(env, new float[][]{{a, b}});
                     OnnxTensor codes = OnnxTensor.createTensor(env, new long[][]{{c}});
                     OrtSession.Result result = reference.run(Map.of("dense", dense, "codes", codes)))
                {
                    assertEquals(((float[][])result.get(0).getValue())[0][0], output[0], 0f, "row " + i);
                }
            }
        }
    }

    /** skl2onnx's {@code options={"zipmap": False}}: the probabilities tensor is the output itself. */
    private static byte[] withoutZipMap(final byte[] model) throws Exception
    {
        final ModelProto proto = ModelProto.parseFrom(model);
        final GraphProto.Builder graph = proto.getGraph().toBuilder();
        String probabilities = null;
        for (int i = graph.getNodeCount() - 1; i >= 0; i--)
        {
            if ("ZipMap".equals(graph.getNode(i).getOpType()))
            {
                probabilities = graph.getNode(i).getInput(0);
                graph.removeNode(i);
            }
        }
        for (int i = 0; i < graph.getNodeCount(); i++)
        {
            final NodeProto node = graph.getNode(i);
            if (node.getOutputList().contains(probabilities))
            {
                graph.setNode(i, node.toBuilder().setOutput(node.getOutputList().indexOf(probabilities), "output_probability"));
            }
        }
        graph.setOutput(1, tensor("output_probability", TensorProto.DataType.FLOAT_VALUE, 2));
        return proto.toBuilder().setGraph(graph).build().toByteArray();
    }

    /** tf2onnx-style: Cast(codes) and dense concatenated, Gemm, Relu, Gemm, Sigmoid. */
    private static byte[] mlp()
    {
        final GraphProto.Builder graph = GraphProto.newBuilder().setName("mlp")
            .addInput(tensor("dense", TensorProto.DataType.FLOAT_VALUE, 2))
            .addInput(tensor("codes", TensorProto.DataType.INT64_VALUE, 1))
            .addOutput(tensor("score", TensorProto.DataType.FLOAT_VALUE, 1))
            .addInitializer(floats("W1", 3, 4, 0.5f, -0.25f, 0.1f, 0.9f, -0.4f, 0.3f, 0.2f, -0.7f, 0.05f, 0.6f, -0.1f, 0.8f))
            .addInitializer(floats("B1", 4, 1, 0.1f, -0.2f, 0.05f, 0f))
            .addInitializer(floats("W2", 4, 1, 1.2f, -0.8f, 0.5f, 0.3f))
            .addInitializer(floats("B2", 1, 1, -0.1f));
        graph.addNode(node("Cast", List.of("codes"), "codes_float").addAttribute(
            io.scoring.proto.onnx.AttributeProto.newBuilder().setName("to").setI(1)
                .setType(io.scoring.proto.onnx.AttributeProto.AttributeType.INT)));
        graph.addNode(node("Concat", List.of("dense", "codes_float"), "x").addAttribute(
            io.scoring.proto.onnx.AttributeProto.newBuilder().setName("axis").setI(1)
                .setType(io.scoring.proto.onnx.AttributeProto.AttributeType.INT)));
        graph.addNode(node("Gemm", List.of("x", "W1", "B1"), "h"));
        graph.addNode(node("Relu", List.of("h"), "r"));
        graph.addNode(node("Gemm", List.of("r", "W2", "B2"), "z"));
        graph.addNode(node("Sigmoid", List.of("z"), "score"));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("router-tests (tf2onnx's layout)").setGraph(graph)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(15)).build().toByteArray();
    }

    private static NodeProto.Builder node(final String op, final List<String> inputs, final String output)
    {
        return NodeProto.newBuilder().setOpType(op).setName(op + "_" + output).addAllInput(inputs).addOutput(output);
    }

    private static TensorProto floats(final String name, final long rows, final long columns, final float... values)
    {
        final TensorProto.Builder tensor = TensorProto.newBuilder().setName(name)
            .setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(rows);
        if (columns > 1 || name.startsWith("W"))
        {
            tensor.addDims(columns);
        }
        for (final float value : values)
        {
            tensor.addFloatData(value);
        }
        return tensor.build();
    }

    private static ValueInfoProto tensor(final String name, final int type, final long columns)
    {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(type).setShape(TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns))))).build();
    }

    static ModelConfig sklearnConfig() throws Exception
    {
        try (InputStream in = Files.newInputStream(SKLEARN.resolve("model.json")))
        {
            return ModelConfig.parse(in, "credit-risk-sklearn");
        }
    }

    static List<float[]> applicants(final int features) throws Exception
    {
        final List<float[]> rows = new ArrayList<>();
        final List<String> lines = Files.readAllLines(TEST_SET);
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] cells = line.split(",");
            final float[] row = new float[features];
            for (int f = 0; f < features; f++)
            {
                row[f] = Float.parseFloat(cells[1 + f]);
            }
            rows.add(row);
        }
        return rows;
    }
}
