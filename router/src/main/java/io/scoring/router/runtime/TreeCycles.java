package io.scoring.router.runtime;

import com.google.protobuf.ByteString;
import io.scoring.proto.onnx.AttributeProto;
import io.scoring.proto.onnx.GraphProto;
import io.scoring.proto.onnx.NodeProto;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Refuses a tree ensemble whose branches loop, before ONNX Runtime sees it. ONNX Runtime refuses a node that
 * points to itself but not a longer loop, and its tree walk then never ends: found by {@code OnnxModelFuzzTest}
 * (regression input {@code tree-branches-loop-ort-never-ends}), where a warm-up inference on such a file held the loading thread
 * for good. The native evaluators check their trees themselves ({@code nativeeval.Trees}), but only for graphs
 * they take; this check covers every graph, subgraphs included, in one pass over the node links.
 */
final class TreeCycles
{
    private static final String ML_DOMAIN = "ai.onnx.ml";

    private TreeCycles()
    {
    }

    /** @throws IllegalArgumentException naming the node whose branches come back to it */
    static void requireNone(final GraphProto graph)
    {
        for (final NodeProto node : graph.getNodeList())
        {
            if (ML_DOMAIN.equals(node.getDomain()))
            {
                switch (node.getOpType())
                {
                    case "TreeEnsembleRegressor", "TreeEnsembleClassifier" -> checkV3(node);
                    case "TreeEnsemble" -> checkV5(node);
                    default ->
                    {
                    }
                }
            }
            for (final AttributeProto attribute : node.getAttributeList())
            {
                if (attribute.hasG())
                {
                    requireNone(attribute.getG());
                }
                attribute.getGraphsList().forEach(TreeCycles::requireNone);
            }
        }
    }

    /** Nodes named by (tree id, node id); a node whose mode is LEAF has no branches. */
    private static void checkV3(final NodeProto node)
    {
        final List<Long> trees = ints(node, "nodes_treeids");
        final List<Long> ids = ints(node, "nodes_nodeids");
        final List<Long> trueIds = ints(node, "nodes_truenodeids");
        final List<Long> falseIds = ints(node, "nodes_falsenodeids");
        final List<ByteString> modes = strings(node, "nodes_modes");
        final int count = trees.size();
        if (ids.size() != count || trueIds.size() != count || falseIds.size() != count || modes.size() != count)
        {
            return; // ONNX Runtime refuses mismatched lengths itself
        }
        final Map<Long, Integer> index = new HashMap<>();
        for (int i = 0; i < count; i++)
        {
            index.putIfAbsent(key(trees.get(i), ids.get(i)), i);
        }
        final int[] first = new int[count];
        final int[] second = new int[count];
        for (int i = 0; i < count; i++)
        {
            final boolean leaf = "LEAF".equals(modes.get(i).toStringUtf8());
            first[i] = leaf ? -1 : index.getOrDefault(key(trees.get(i), trueIds.get(i)), -1);
            second[i] = leaf ? -1 : index.getOrDefault(key(trees.get(i), falseIds.get(i)), -1);
        }
        requireAcyclic(node, first, second);
    }

    /** Nodes named by position; a branch flagged as a leaf points into the leaf arrays instead. */
    private static void checkV5(final NodeProto node)
    {
        final List<Long> trueIds = ints(node, "nodes_truenodeids");
        final List<Long> falseIds = ints(node, "nodes_falsenodeids");
        final List<Long> trueLeafs = ints(node, "nodes_trueleafs");
        final List<Long> falseLeafs = ints(node, "nodes_falseleafs");
        final int count = trueIds.size();
        if (falseIds.size() != count || trueLeafs.size() != count || falseLeafs.size() != count)
        {
            return;
        }
        final int[] first = new int[count];
        final int[] second = new int[count];
        for (int i = 0; i < count; i++)
        {
            first[i] = trueLeafs.get(i) != 0 ? -1 : position(trueIds.get(i), count);
            second[i] = falseLeafs.get(i) != 0 ? -1 : position(falseIds.get(i), count);
        }
        requireAcyclic(node, first, second);
    }

    /**
     * A node's (tree id, node id) as ONNX Runtime reads them: each id cut to 32 bits ({@code static_cast<int>}), so
     * ids that differ only above bit 31 name the same node there, and a loop through them is a loop (a fuzz finding).
     */
    private static long key(final long treeId, final long nodeId)
    {
        return ((long)(int)treeId << 32) | ((int)nodeId & 0xFFFF_FFFFL);
    }

    /** A position cut to 32 bits as {@link #key} cuts an id: a loop ONNX Runtime may walk is never missed. */
    private static int position(final long id, final int count)
    {
        final int cut = (int)id;
        return cut >= 0 && cut < count ? cut : -1;
    }

    /** Depth-first, without recursion (a chain may be as long as the node list): a branch back onto the path is a loop. */
    private static void requireAcyclic(final NodeProto node, final int[] first, final int[] second)
    {
        final int count = first.length;
        final byte[] state = new byte[count]; // 0 unseen, 1 on the path, 2 done
        final int[] stack = new int[count];
        final byte[] nextChild = new byte[count];
        for (int start = 0; start < count; start++)
        {
            if (state[start] != 0)
            {
                continue;
            }
            int top = 0;
            stack[0] = start;
            state[start] = 1;
            while (top >= 0)
            {
                final int at = stack[top];
                final int child = nextChild[at] == 0 ? first[at] : nextChild[at] == 1 ? second[at] : -2;
                if (child == -2)
                {
                    state[at] = 2;
                    top--;
                    continue;
                }
                nextChild[at]++;
                if (child < 0 || state[child] == 2)
                {
                    continue;
                }
                if (state[child] == 1)
                {
                    throw new IllegalArgumentException(node.getOpType() + " '" + node.getName() +
                        "': the branches of its node at position " + child + " lead back to it (a tree must not loop)");
                }
                state[child] = 1;
                stack[++top] = child;
            }
        }
    }

    private static List<Long> ints(final NodeProto node, final String name)
    {
        for (final AttributeProto attribute : node.getAttributeList())
        {
            if (name.equals(attribute.getName()))
            {
                return attribute.getIntsList();
            }
        }
        return List.of();
    }

    private static List<ByteString> strings(final NodeProto node, final String name)
    {
        for (final AttributeProto attribute : node.getAttributeList())
        {
            if (name.equals(attribute.getName()))
            {
                return attribute.getStringsList();
            }
        }
        return List.of();
    }
}
