package io.scoring.router.runtime.nativeeval;

import com.google.protobuf.InvalidProtocolBufferException;
import io.scoring.proto.onnx.AttributeProto;
import io.scoring.proto.onnx.GraphProto;
import io.scoring.proto.onnx.ModelProto;
import io.scoring.proto.onnx.NodeProto;
import io.scoring.proto.onnx.OperatorSetIdProto;
import io.scoring.proto.onnx.TensorProto;
import io.scoring.proto.onnx.ValueInfoProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model read for compiling: the operator set versions it imports, its constants (initializers
 * and {@code Constant} nodes) and its computing nodes with who consumes what. Load time only.
 */
final class Graph
{
    static final String ML_DOMAIN = "ai.onnx.ml";

    private final Map<String, Long> opsetByDomain = new HashMap<>();
    private final Map<String, Tensor> constants = new HashMap<>();
    private final List<NodeProto> nodes = new ArrayList<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final List<String> inputs = new ArrayList<>();

    private Graph(final ModelProto model) throws UnsupportedGraphException
    {
        for (final OperatorSetIdProto opset : model.getOpsetImportList())
        {
            opsetByDomain.put(standardDomain(opset.getDomain()), opset.getVersion());
        }
        final GraphProto graph = model.getGraph();
        if (graph.getSparseInitializerCount() > 0)
        {
            throw new UnsupportedGraphException("sparse initializers");
        }
        for (final TensorProto initializer : graph.getInitializerList())
        {
            constants.put(initializer.getName(), Tensor.of(initializer));
        }
        for (final ValueInfoProto input : graph.getInputList())
        {
            if (!constants.containsKey(input.getName()))
            {
                inputs.add(input.getName());
            }
        }
        for (final NodeProto node : graph.getNodeList())
        {
            if ("Constant".equals(node.getOpType()) && isStandard(node))
            {
                constants.put(node.getOutput(0), constantValue(node));
                continue;
            }
            nodes.add(node);
            for (final String input : node.getInputList())
            {
                consumers.computeIfAbsent(input, (name) -> new ArrayList<>()).add(node);
            }
        }
    }

    static Graph parse(final byte[] onnxModel) throws UnsupportedGraphException
    {
        try
        {
            return new Graph(ModelProto.parseFrom(onnxModel));
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new UnsupportedGraphException("not a readable ONNX model: " + ex.getMessage());
        }
    }

    /** The graph inputs that are not initializers, in graph order. */
    List<String> inputs()
    {
        return inputs;
    }

    /** Every node but {@code Constant}s, in graph order. */
    List<NodeProto> nodes()
    {
        return nodes;
    }

    /** The nodes that read a value; empty when none does. */
    List<NodeProto> consumersOf(final String value)
    {
        return consumers.getOrDefault(value, List.of());
    }

    /** The constant with this name; throws when the value is not a constant. */
    Tensor constant(final String name, final NodeProto usedBy) throws UnsupportedGraphException
    {
        final Tensor tensor = constants.get(name);
        if (null == tensor)
        {
            throw new UnsupportedGraphException(describe(usedBy) + ": input '" + name + "' is not a constant");
        }
        return tensor;
    }

    /** The imported version of the node's operator set (0 when the model does not import it). */
    long opset(final NodeProto node)
    {
        return opsetByDomain.getOrDefault(standardDomain(node.getDomain()), 0L);
    }

    static boolean isStandard(final NodeProto node)
    {
        return standardDomain(node.getDomain()).isEmpty();
    }

    static boolean isMl(final NodeProto node)
    {
        return ML_DOMAIN.equals(node.getDomain());
    }

    static String describe(final NodeProto node)
    {
        final String domain = node.getDomain().isEmpty() ? "" : node.getDomain() + ".";
        return domain + node.getOpType() + (node.getName().isEmpty() ? "" : " '" + node.getName() + "'");
    }

    private static String standardDomain(final String domain)
    {
        return "ai.onnx".equals(domain) ? "" : domain;
    }

    private static Tensor constantValue(final NodeProto node) throws UnsupportedGraphException
    {
        if (node.getAttributeCount() == 1 && "value".equals(node.getAttribute(0).getName()) &&
            node.getAttribute(0).getType() == AttributeProto.AttributeType.TENSOR)
        {
            return Tensor.of(node.getAttribute(0).getT());
        }
        throw new UnsupportedGraphException(describe(node) + ": only a 'value' tensor is supported");
    }
}
