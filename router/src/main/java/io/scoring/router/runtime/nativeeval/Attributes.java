package io.scoring.router.runtime.nativeeval;

import io.scoring.proto.onnx.AttributeProto;
import io.scoring.proto.onnx.AttributeProto.AttributeType;
import io.scoring.proto.onnx.NodeProto;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A node's attributes by name, typed. An attribute the evaluator does not know makes the node
 * unsupported: silently ignoring one could change what the graph computes.
 */
final class Attributes
{
    private final NodeProto node;
    private final Map<String, AttributeProto> byName = new HashMap<>();

    Attributes(final NodeProto node, final Set<String> known) throws UnsupportedGraphException
    {
        this.node = node;
        for (final AttributeProto attribute : node.getAttributeList())
        {
            if (!known.contains(attribute.getName()))
            {
                throw unsupported("attribute '" + attribute.getName() + "'");
            }
            if (!attribute.getRefAttrName().isEmpty())
            {
                throw unsupported("attribute '" + attribute.getName() + "' refers to a function attribute");
            }
            byName.put(attribute.getName(), attribute);
        }
    }

    boolean has(final String name)
    {
        return byName.containsKey(name);
    }

    long i(final String name, final long defaultValue) throws UnsupportedGraphException
    {
        final AttributeProto attribute = typed(name, AttributeType.INT);
        return null == attribute ? defaultValue : attribute.getI();
    }

    float f(final String name, final float defaultValue) throws UnsupportedGraphException
    {
        final AttributeProto attribute = typed(name, AttributeType.FLOAT);
        return null == attribute ? defaultValue : attribute.getF();
    }

    String s(final String name, final String defaultValue) throws UnsupportedGraphException
    {
        final AttributeProto attribute = typed(name, AttributeType.STRING);
        return null == attribute ? defaultValue : attribute.getS().toString(StandardCharsets.UTF_8);
    }

    /** An INTS attribute, empty when absent. */
    long[] ints(final String name) throws UnsupportedGraphException
    {
        final AttributeProto attribute = typed(name, AttributeType.INTS);
        return null == attribute ? new long[0] : attribute.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A STRINGS attribute, empty when absent. */
    String[] strings(final String name) throws UnsupportedGraphException
    {
        final AttributeProto attribute = typed(name, AttributeType.STRINGS);
        return null == attribute ? new String[0] :
            attribute.getStringsList().stream().map((s) -> s.toString(StandardCharsets.UTF_8)).toArray(String[]::new);
    }

    /**
     * A FLOATS attribute or its {@code <name>_as_tensor} float tensor twin (ai.onnx.ml opset 3), empty
     * when neither is set.
     */
    float[] floats(final String name) throws UnsupportedGraphException
    {
        final AttributeProto list = typed(name, AttributeType.FLOATS);
        final AttributeProto tensor = typed(name + "_as_tensor", AttributeType.TENSOR);
        if (null != list && null != tensor)
        {
            throw unsupported("both '" + name + "' and '" + name + "_as_tensor' are set");
        }
        if (null != tensor)
        {
            return Tensor.of(tensor.getT()).floats();
        }
        if (null == list)
        {
            return new float[0];
        }
        final float[] values = new float[list.getFloatsCount()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = list.getFloats(i);
        }
        return values;
    }

    UnsupportedGraphException unsupported(final String what)
    {
        return new UnsupportedGraphException(Graph.describe(node) + ": " + what);
    }

    private AttributeProto typed(final String name, final AttributeType type) throws UnsupportedGraphException
    {
        final AttributeProto attribute = byName.get(name);
        if (null != attribute && attribute.getType() != type)
        {
            throw unsupported("attribute '" + name + "' is " + attribute.getType() + ", not " + type);
        }
        return attribute;
    }
}
