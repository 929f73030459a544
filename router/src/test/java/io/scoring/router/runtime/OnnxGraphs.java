package io.scoring.router.runtime;

import com.google.protobuf.ByteString;
import io.scoring.proto.onnx.AttributeProto;
import io.scoring.proto.onnx.GraphProto;
import io.scoring.proto.onnx.ModelProto;
import io.scoring.proto.onnx.NodeProto;
import io.scoring.proto.onnx.OperatorSetIdProto;
import io.scoring.proto.onnx.TensorProto;
import io.scoring.proto.onnx.TensorShapeProto;
import io.scoring.proto.onnx.TypeProto;
import io.scoring.proto.onnx.ValueInfoProto;
import io.scoring.router.model.ModelConfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Builds ONNX fixture graphs with the model format's own classes, the way exporters write them: one
 * float input {@value #INPUT} {@code [batch, features]}, nodes, constants, and float outputs
 * {@code [batch, 1]}; and the model config that serves them.
 */
final class OnnxGraphs
{
    static final String INPUT = "X";
    static final String ML = "ai.onnx.ml";

    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> constants = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private final int features;
    private long mlOpset = 3;

    private OnnxGraphs(final int features)
    {
        this.features = features;
    }

    static OnnxGraphs withFeatures(final int features)
    {
        return new OnnxGraphs(features);
    }

    OnnxGraphs node(final String opType, final String domain, final List<String> inputs, final List<String> outputs,
        final AttributeProto... attributes)
    {
        nodes.add(NodeProto.newBuilder()
            .setName(opType.toLowerCase() + nodes.size())
            .setOpType(opType)
            .setDomain(domain)
            .addAllInput(inputs)
            .addAllOutput(outputs)
            .addAllAttribute(List.of(attributes))
            .build());
        return this;
    }

    OnnxGraphs node(final String opType, final String input, final String output, final AttributeProto... attributes)
    {
        return node(opType, "", List.of(input), List.of(output), attributes);
    }

    OnnxGraphs floats(final String name, final long[] dims, final float... values)
    {
        final TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (final long dim : dims)
        {
            tensor.addDims(dim);
        }
        for (final float value : values)
        {
            tensor.addFloatData(value);
        }
        constants.add(tensor.build());
        return this;
    }

    OnnxGraphs longs(final String name, final long... values)
    {
        constants.add(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
            .addDims(values.length).addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()).build());
        return this;
    }

    OnnxGraphs output(final String name)
    {
        outputs.add(name);
        return this;
    }

    OnnxGraphs mlOpset(final long opset)
    {
        this.mlOpset = opset;
        return this;
    }

    byte[] bytes()
    {
        final GraphProto.Builder graph = GraphProto.newBuilder()
            .setName("fixture")
            .addAllNode(nodes)
            .addAllInitializer(constants)
            .addInput(floatMatrix(INPUT, features));
        outputs.forEach((name) -> graph.addOutput(floatMatrix(name, 1)));
        return ModelProto.newBuilder()
            .setIrVersion(8)
            .setProducerName("router-tests")
            .setGraph(graph)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(ML).setVersion(mlOpset))
            .build()
            .toByteArray();
    }

    /** The config serving the graph: features {@code f0..}, all request-time numbers defaulting to 0. */
    ModelConfig config()
    {
        final String featureList = IntStream.range(0, features)
            .mapToObj((i) -> "{\"name\": \"f" + i + "\", \"source\": \"request\", \"type\": \"numeric\", \"default\": 0}")
            .collect(Collectors.joining(", "));
        final String outputList = outputs.stream().map((name) -> "{\"name\": \"" + name + "\"}")
            .collect(Collectors.joining(", "));
        final String json = "{\"name\": \"fixture\", \"entity_key\": \"id\", \"champion\": \"1\", \"input\": {\"name\": \"" +
            INPUT + "\"}, \"features\": [" + featureList + "], \"outputs\": [" + outputList + "]}";
        try
        {
            return ModelConfig.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "fixture");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static ValueInfoProto floatMatrix(final String name, final long columns)
    {
        final TensorShapeProto shape = TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns))
            .build();
        return ValueInfoProto.newBuilder()
            .setName(name)
            .setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
            .build();
    }

    static AttributeProto ints(final String name, final List<Long> values)
    {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS).addAllInts(values).build();
    }

    static AttributeProto ints(final String name, final long... values)
    {
        return ints(name, java.util.Arrays.stream(values).boxed().toList());
    }

    static AttributeProto floats(final String name, final List<Float> values)
    {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS).addAllFloats(values).build();
    }

    static AttributeProto floats(final String name, final float... values)
    {
        final List<Float> list = new ArrayList<>();
        for (final float value : values)
        {
            list.add(value);
        }
        return floats(name, list);
    }

    /** The {@code *_as_tensor} form of a float list attribute. */
    static AttributeProto floatTensor(final String name, final List<Float> values)
    {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR)
            .setT(TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(values.size())
                .addAllFloatData(values))
            .build();
    }

    static AttributeProto i(final String name, final long value)
    {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto f(final String name, final float value)
    {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto s(final String name, final String value)
    {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
            .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    static AttributeProto strings(final String name, final List<String> values)
    {
        final AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name)
            .setType(AttributeProto.AttributeType.STRINGS);
        values.forEach((value) -> attribute.addStrings(ByteString.copyFrom(value, StandardCharsets.UTF_8)));
        return attribute.build();
    }
}
