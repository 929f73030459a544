package io.scoring.testsupport;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.scoring.proto.onnx.AttributeProto;
import io.scoring.proto.onnx.GraphProto;
import io.scoring.proto.onnx.ModelProto;
import io.scoring.proto.onnx.NodeProto;
import io.scoring.proto.onnx.TensorProto;
import io.scoring.proto.onnx.TypeProto;
import io.scoring.proto.onnx.ValueInfoProto;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites a classifier graph with integer class labels into the graph skl2onnx writes when the
 * training labels are strings: every {@code classlabels_ints} / {@code classlabels_int64s} (the
 * classifier's and the ZipMap's) becomes {@code classlabels_strings}, class {@code k} named
 * {@code names.get(k)}, the label output a string tensor and the ZipMap's keys strings. The scores are
 * unchanged, so the rewritten model must score as the original does, with names for labels.
 */
public final class StringLabelModels
{
    private StringLabelModels()
    {
    }

    /** The model with its integer class labels 0..n-1 renamed {@code names}. */
    public static byte[] withStringLabels(final byte[] onnxModel, final List<String> names)
    {
        final ModelProto model;
        try
        {
            model = ModelProto.parseFrom(onnxModel);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new IllegalArgumentException("not an ONNX model", ex);
        }
        final GraphProto.Builder graph = model.getGraph().toBuilder();
        final Set<String> labelOutputs = new HashSet<>();
        for (final NodeProto.Builder node : graph.getNodeBuilderList())
        {
            for (int a = 0; a < node.getAttributeCount(); a++)
            {
                final AttributeProto attribute = node.getAttribute(a);
                if (attribute.getName().equals("classlabels_ints") || attribute.getName().equals("classlabels_int64s"))
                {
                    final AttributeProto.Builder strings = AttributeProto.newBuilder()
                        .setName("classlabels_strings").setType(AttributeProto.AttributeType.STRINGS);
                    for (final long label : attribute.getIntsList())
                    {
                        strings.addStrings(ByteString.copyFromUtf8(names.get((int)label)));
                    }
                    node.setAttribute(a, strings);
                    labelOutputs.add(node.getOutput(0));
                }
            }
        }
        for (final ValueInfoProto.Builder output : graph.getOutputBuilderList())
        {
            if (labelOutputs.contains(output.getName()))
            {
                final TypeProto.Builder type = output.getTypeBuilder();
                if (type.hasTensorType())
                {
                    type.getTensorTypeBuilder().setElemType(TensorProto.DataType.STRING_VALUE);
                }
                else if (type.hasSequenceType())
                {
                    type.getSequenceTypeBuilder().getElemTypeBuilder().getMapTypeBuilder()
                        .setKeyType(TensorProto.DataType.STRING_VALUE);
                }
            }
        }
        return model.toBuilder().setGraph(graph).build().toByteArray();
    }
}
