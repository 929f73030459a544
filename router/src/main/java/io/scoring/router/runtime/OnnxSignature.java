package io.scoring.router.runtime;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.InvalidProtocolBufferException;
import io.scoring.proto.onnx.AttributeProto;
import io.scoring.proto.onnx.GraphProto;
import io.scoring.proto.onnx.ModelProto;
import io.scoring.proto.onnx.NodeProto;
import io.scoring.proto.onnx.TensorProto;
import io.scoring.proto.onnx.TensorShapeProto;
import io.scoring.proto.onnx.TypeProto;
import io.scoring.proto.onnx.ValueInfoProto;
import io.scoring.router.model.InputSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.model.OutputSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph's signature checked against its model.json, once at load: every input with the configured
 * element type and width, every configured output present, and each output's {@link OutputForm}.
 *
 * <p>A ZipMap output (skl2onnx's and onnxmltools' {@code output_probability}) is a sequence of maps, which
 * ONNX Runtime's Java binding can only hand back as freshly built Java maps. The map is a relabelling of
 * the tensor the ZipMap reads, so the graph is given that tensor as an extra output, and the scorer reads
 * the chosen key's column from it into a pinned buffer; the values are the same floats.
 *
 * <p>Load time only; every mismatch is an {@link IllegalArgumentException} naming the input or output, and so is a
 * file that is no readable ONNX model.
 */
final class OnnxSignature
{
    private static final String ZIPMAP = "ZipMap";
    private static final String IDENTITY = "Identity";
    private static final String CLASSLABELS_STRINGS = "classlabels_strings";

    /**
     * The model's bytes as the session opens them, the ZipMaps behind configured outputs and the label
     * vocabularies of configured outputs that are a classifier's string labels, both by output name.
     */
    record Prepared(byte[] model, Map<String, ZipMap> zipMaps, Map<String, LabelVocabulary> labels)
    {
    }

    /** A ZipMap node: the tensor it reads and its keys in column order, as text. */
    record ZipMap(String input, List<String> keys)
    {
    }

    private OnnxSignature()
    {
    }

    /** Exposes the tensor each configured ZipMap output reads as a graph output. */
    static Prepared prepare(final byte[] onnxModel, final ModelConfig config)
    {
        final ModelProto model;
        try
        {
            model = ModelProto.parseFrom(onnxModel);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            // Not handed to ONNX Runtime to judge: its parser takes bytes this one refuses (text that is not UTF-8),
            // and a file the checks below cannot read may hold trees that loop (a fuzz finding, regression input
            // text-not-utf8-hides-looping-trees, held the loading thread for good).
            throw new IllegalArgumentException("not a readable ONNX model: " + ex.getMessage(), ex);
        }
        final GraphProto graph = model.getGraph();
        TreeCycles.requireNone(graph);
        final Map<String, ZipMap> zipMaps = new HashMap<>();
        final Map<String, LabelVocabulary> labels = new HashMap<>();
        final GraphProto.Builder rewritten = graph.toBuilder();
        for (final OutputSpec output : config.outputs())
        {
            final LabelVocabulary vocabulary = stringLabelsOf(graph, output.name());
            if (null != vocabulary)
            {
                labels.put(output.name(), vocabulary);
            }
            for (final NodeProto node : graph.getNodeList())
            {
                if (ZIPMAP.equals(node.getOpType()) && node.getOutputCount() == 1 &&
                    node.getOutput(0).equals(output.name()))
                {
                    final ZipMap zipMap = new ZipMap(node.getInput(0), keysOf(node));
                    zipMaps.put(output.name(), zipMap);
                    if (graph.getOutputList().stream().noneMatch((o) -> o.getName().equals(zipMap.input)))
                    {
                        rewritten.addOutput(floatMatrix(zipMap.input, zipMap.keys.size()));
                    }
                }
            }
        }
        return zipMaps.isEmpty() ? new Prepared(onnxModel, Map.of(), labels) :
            new Prepared(model.toBuilder().setGraph(rewritten).build().toByteArray(), zipMaps, labels);
    }

    /**
     * The {@code classlabels_strings} of the classifier whose label (its first output) the graph value
     * {@code name} is, through any Identity nodes; null when it is not such a label.
     */
    private static LabelVocabulary stringLabelsOf(final GraphProto graph, final String name)
    {
        String value = name;
        for (int hops = 0; hops <= graph.getNodeCount(); hops++)
        {
            final NodeProto producer = producerOf(graph, value);
            if (null == producer)
            {
                return null;
            }
            if (IDENTITY.equals(producer.getOpType()) && producer.getInputCount() == 1)
            {
                value = producer.getInput(0);
                continue;
            }
            if (!producer.getOutput(0).equals(value))
            {
                return null;
            }
            for (final AttributeProto attribute : producer.getAttributeList())
            {
                if (attribute.getName().equals(CLASSLABELS_STRINGS) && attribute.getStringsCount() > 0)
                {
                    return new LabelVocabulary(attribute.getStringsList().stream().map((label) -> label.toStringUtf8())
                        .toList());
                }
            }
            return null;
        }
        return null;
    }

    private static NodeProto producerOf(final GraphProto graph, final String value)
    {
        for (final NodeProto node : graph.getNodeList())
        {
            if (node.getOutputList().contains(value))
            {
                return node;
            }
        }
        return null;
    }

    private static List<String> keysOf(final NodeProto zipMap)
    {
        final List<String> keys = new ArrayList<>();
        for (final AttributeProto attribute : zipMap.getAttributeList())
        {
            if (attribute.getName().equals("classlabels_int64s"))
            {
                attribute.getIntsList().forEach((key) -> keys.add(Long.toString(key)));
            }
            else if (attribute.getName().equals(CLASSLABELS_STRINGS))
            {
                attribute.getStringsList().forEach((key) -> keys.add(key.toStringUtf8()));
            }
        }
        return keys;
    }

    private static ValueInfoProto floatMatrix(final String name, final int columns)
    {
        return ValueInfoProto.newBuilder()
            .setName(name)
            .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE)
                .setShape(TensorShapeProto.newBuilder()
                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns)))))
            .build();
    }

    /** Checks every input of the session against the config's; throws naming the first mismatch. */
    static void checkInputs(final OrtSession session, final ModelConfig config) throws OrtException
    {
        final Map<String, NodeInfo> graphInputs = session.getInputInfo();
        for (final InputSpec input : config.inputs())
        {
            final NodeInfo node = graphInputs.get(input.name());
            if (null == node)
            {
                throw new IllegalArgumentException(
                    "the graph has no input named '" + input.name() + "'; its inputs are " + graphInputs.keySet());
            }
            final TensorInfo info = tensorInfo(node);
            final long[] shape = info.getShape();
            final boolean widthMatches = shape.length == 2 && (shape[1] == input.width() || shape[1] < 0) ||
                shape.length == 1 && input.width() == 1;
            if (info.type != javaType(input.type()) || !widthMatches)
            {
                throw new IllegalArgumentException("input '" + input.name() + "' is configured as " +
                    input.type().configName() + " [batch, " + input.width() + "], the graph has " +
                    info.type + " " + Arrays.toString(shape));
            }
        }
        for (final String name : graphInputs.keySet())
        {
            if (null == config.input(name))
            {
                throw new IllegalArgumentException("the graph's input '" + name + "' is not configured; " +
                    "model.json's inputs are " + config.inputs().stream().map(InputSpec::name).toList());
            }
        }
    }

    /** Each configured output's form; throws naming the first output that is missing or unanswerable. */
    static List<OutputForm> outputForms(final OrtSession session, final ModelConfig config, final Prepared prepared)
        throws OrtException
    {
        final Map<String, NodeInfo> graphOutputs = session.getOutputInfo();
        final List<OutputForm> forms = new ArrayList<>();
        for (final OutputSpec output : config.outputs())
        {
            final NodeInfo node = graphOutputs.get(output.name());
            if (null == node)
            {
                throw new IllegalArgumentException(
                    "the graph has no output named '" + output.name() + "'; its outputs are " + graphOutputs.keySet());
            }
            final ZipMap zipMap = prepared.zipMaps().get(output.name());
            forms.add(null != zipMap ? zipMapForm(output, node, zipMap) :
                tensorForm(output, node, prepared.labels().get(output.name())));
        }
        return forms;
    }

    private static OutputForm zipMapForm(final OutputSpec output, final NodeInfo node, final ZipMap zipMap)
    {
        if (!(node.getInfo() instanceof SequenceInfo sequence) || !sequence.isSequenceOfMaps())
        {
            throw new IllegalArgumentException("output '" + output.name() + "' comes from a ZipMap but is " + node.getInfo());
        }
        final MapInfo map = sequence.mapInfo;
        final int column = zipMap.keys.indexOf(output.classKey());
        if (!output.hasClass() || column < 0)
        {
            throw new IllegalArgumentException("output '" + output.name() + "' is a ZipMap of classes " + zipMap.keys +
                " (" + map.keyType + " keys): its 'class' must name one of them" +
                (output.hasClass() ? ", got '" + output.classKey() + "'" : ""));
        }
        return new OutputForm(output.name(), zipMap.input, OutputForm.Kind.ZIPMAP, zipMap.keys.size(), column, "FP32",
            new long[]{-1});
    }

    private static OutputForm tensorForm(final OutputSpec output, final NodeInfo node, final LabelVocabulary labels)
    {
        final TensorInfo info = tensorInfo(node);
        final long[] shape = info.getShape();
        final String described = "output '" + output.name() + "' is " + info.type + " " + Arrays.toString(shape);
        if (shape.length < 1 || shape.length > 2 || shape.length == 2 && shape[1] < 1)
        {
            throw new IllegalArgumentException(described + ": outputs must be [batch] or [batch, C] with C known");
        }
        final int width = shape.length == 1 ? 1 : (int)shape[1];
        final long[] answered = shape.length == 1 ? new long[]{-1} : new long[]{-1, 1};
        if (info.type == OnnxJavaType.INT64 || info.type == OnnxJavaType.INT32)
        {
            if (width != 1 || output.hasClass())
            {
                throw new IllegalArgumentException(described + ": a label output is one label per row, with no 'class'");
            }
            return new OutputForm(output.name(), output.name(), OutputForm.Kind.LABEL, 1, 0, "INT64", answered);
        }
        if (info.type == OnnxJavaType.STRING)
        {
            if (width != 1 || output.hasClass() || null == labels)
            {
                throw new IllegalArgumentException(described + ": a string output is answered as a classifier's " +
                    "label (one per row, no 'class', from a node with classlabels_strings" +
                    (null == labels ? "; this one is not" : "") + ")");
            }
            return OutputForm.stringLabel(output.name(), answered, labels);
        }
        if (info.type != OnnxJavaType.FLOAT && info.type != OnnxJavaType.DOUBLE)
        {
            throw new IllegalArgumentException(described + ": answered outputs are float or double scores, " +
                "int64/int32 labels or a classifier's string labels");
        }
        final int column;
        if (width == 1)
        {
            if (output.hasClass() && !"0".equals(output.classKey()))
            {
                throw new IllegalArgumentException(described + ": it has one column, 'class' " + output.classKey() +
                    " is not it");
            }
            column = 0;
        }
        else
        {
            column = columnOf(output, width, described);
        }
        return new OutputForm(output.name(), output.name(), OutputForm.Kind.SCORE, width, column, "FP32", answered);
    }

    private static int columnOf(final OutputSpec output, final int width, final String described)
    {
        int column = -1;
        try
        {
            column = output.hasClass() ? Integer.parseInt(output.classKey()) : -1;
        }
        catch (final NumberFormatException ignore)
        {
            // named below
        }
        if (column < 0 || column >= width)
        {
            throw new IllegalArgumentException(described + ": its 'class' must pick a column, 0 to " + (width - 1) +
                (output.hasClass() ? ", got '" + output.classKey() + "'" : ", and is missing"));
        }
        return column;
    }

    static OnnxJavaType javaType(final InputSpec.ElementType type)
    {
        return switch (type)
        {
            case FLOAT -> OnnxJavaType.FLOAT;
            case DOUBLE -> OnnxJavaType.DOUBLE;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case BOOL -> OnnxJavaType.BOOL;
            case STRING -> OnnxJavaType.STRING;
        };
    }

    private static TensorInfo tensorInfo(final NodeInfo node)
    {
        if (!(node.getInfo() instanceof TensorInfo info))
        {
            throw new IllegalArgumentException("'" + node.getName() + "' is not a tensor: " + node.getInfo());
        }
        return info;
    }
}
