package io.scoring.router.runtime.nativeeval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trees of an ai.onnx.ml tree ensemble as ONNX Runtime builds them from the classic per-node
 * attributes, before any layout: each split reduced to one of three comparisons, the leaves' weights
 * in attribute order. Load time only.
 *
 * <p>ONNX Runtime's rules, kept here: a tree starts at the first node listed with its tree id; a
 * split goes to its true branch when {@code x MODE threshold} holds, or when x is NaN and the node
 * tracks missing values to true (NaN compares false, except {@code BRANCH_NEQ} which holds); weights
 * on a split node are ignored.
 *
 * <p>Each split is normalised to {@code first} when {@code x CMP threshold} for non-NaN x, with CMP
 * {@code <} or {@code ==}: {@code x <= t} is {@code x < nextUp(t)} (no float lies between), and
 * {@code >=}, {@code >} and {@code !=} become their negation with the branches swapped. Where a NaN x
 * goes is kept per node ({@link #NAN_FIRST}). A split whose outcome is the same for every non-NaN x (a
 * NaN threshold, or {@code x <= +Inf}) becomes {@code x < NaN}, which never holds.
 */
final class Trees
{
    static final int LT = 0;
    static final int EQ = 1;
    static final int CMP_MASK = 1;
    /** Flag: a NaN input goes to {@code first}. */
    static final int NAN_FIRST = 4;
    /** {@code first}/{@code second} of a leaf. */
    static final int NONE = -1;
    /** Deeper trees are refused: their evaluation would recurse too far at load. */
    static final int MAX_DEPTH = 1000;

    final int nodeCount;
    /** The width of an input row. */
    final int featureCount;
    final int[] feature;
    final float[] threshold;
    final byte[] flags;
    final int[] first;
    final int[] second;
    final boolean[] leaf;
    /** The root node of each tree, in evaluation (and summation) order. */
    final int[] roots;
    /** Per node, the indexes into the weight attribute lists of its weights, in attribute order. */
    final int[][] weightsOfNode;
    /** The longest root-to-leaf path of any tree, in splits. */
    final int depth;

    private Trees(final Attributes attributes, final int featureCount, final long[] weightTreeIds,
        final long[] weightNodeIds) throws UnsupportedGraphException
    {
        final long[] treeIds = attributes.ints("nodes_treeids");
        final long[] nodeIds = attributes.ints("nodes_nodeids");
        final long[] featureIds = attributes.ints("nodes_featureids");
        final String[] modes = attributes.strings("nodes_modes");
        final float[] values = attributes.floats("nodes_values");
        final long[] trueIds = attributes.ints("nodes_truenodeids");
        final long[] falseIds = attributes.ints("nodes_falsenodeids");
        final long[] missingTracksTrue = attributes.ints("nodes_missing_value_tracks_true");

        nodeCount = treeIds.length;
        this.featureCount = featureCount;
        if (nodeCount == 0)
        {
            throw attributes.unsupported("no nodes");
        }
        for (final int length : new int[]{nodeIds.length, featureIds.length, modes.length, values.length,
            trueIds.length, falseIds.length})
        {
            if (length != nodeCount)
            {
                throw attributes.unsupported("the node attribute lists differ in length");
            }
        }
        if (missingTracksTrue.length > nodeCount)
        {
            throw attributes.unsupported("nodes_missing_value_tracks_true is longer than the node lists");
        }

        final Map<NodeKey, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < nodeCount; i++)
        {
            if (null != indexOf.put(new NodeKey(treeIds[i], nodeIds[i]), i))
            {
                throw attributes.unsupported("node " + nodeIds[i] + " of tree " + treeIds[i] + " is listed twice");
            }
        }

        feature = new int[nodeCount];
        threshold = new float[nodeCount];
        flags = new byte[nodeCount];
        first = new int[nodeCount];
        second = new int[nodeCount];
        leaf = new boolean[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            if (featureIds[i] < 0 || featureIds[i] >= featureCount)
            {
                throw attributes.unsupported("node " + nodeIds[i] + " of tree " + treeIds[i] + " reads feature " +
                    featureIds[i] + " of " + featureCount);
            }
            feature[i] = (int)featureIds[i];
            if ("LEAF".equals(modes[i]))
            {
                leaf[i] = true;
                first[i] = NONE;
                second[i] = NONE;
                continue;
            }
            final int onTrue = child(indexOf, treeIds[i], trueIds[i], attributes);
            final int onFalse = child(indexOf, treeIds[i], falseIds[i], attributes);
            final boolean nanTracksTrue = i < missingTracksTrue.length && missingTracksTrue[i] == 1;
            normalise(i, modes[i], values[i], onTrue, onFalse, nanTracksTrue, attributes);
        }

        roots = roots(treeIds, attributes);
        weightsOfNode = weightsOfNode(indexOf, weightTreeIds, weightNodeIds, attributes);
        depth = checkShape(attributes);
    }

    /**
     * Reads the node lists, and attaches to the leaves the weights whose tree and node ids are
     * {@code weightTreeIds} / {@code weightNodeIds}.
     */
    static Trees read(final Attributes attributes, final int featureCount, final long[] weightTreeIds,
        final long[] weightNodeIds) throws UnsupportedGraphException
    {
        return new Trees(attributes, featureCount, weightTreeIds, weightNodeIds);
    }

    int treeCount()
    {
        return roots.length;
    }

    /** Whether every split compares with {@code <} (no {@code ==}), so NaN-free rows may skip the flags. */
    boolean allLessThan()
    {
        for (int i = 0; i < nodeCount; i++)
        {
            if (!leaf[i] && (flags[i] & CMP_MASK) != LT)
            {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code x}, NaN or not, takes the node's {@code first} branch. */
    static boolean goesFirst(final int flags, final float x, final float threshold)
    {
        final boolean holds = (flags & CMP_MASK) == LT ? x < threshold : x == threshold;
        return holds | ((flags & NAN_FIRST) != 0 & x != x);
    }

    private void normalise(final int i, final String mode, final float value, final int onTrue, final int onFalse,
        final boolean nanTracksTrue, final Attributes attributes) throws UnsupportedGraphException
    {
        // for non-NaN x: the true branch when (x cmp t) != negated, or always / never (a fixed branch)
        int cmp = LT;
        float t = value;
        boolean negated = false;
        Boolean fixed = null;
        switch (mode)
        {
            case "BRANCH_LT" -> fixed = Float.isNaN(value) ? Boolean.FALSE : null;
            case "BRANCH_GTE" ->
            {
                negated = true;
                fixed = Float.isNaN(value) ? Boolean.FALSE : null;
            }
            case "BRANCH_LEQ", "BRANCH_GT" ->
            {
                // x <= t  <=>  x < nextUp(t): there is no float between t and nextUp(t)
                negated = "BRANCH_GT".equals(mode);
                t = Math.nextUp(value);
                fixed = Float.isNaN(value) ? Boolean.FALSE : value == Float.POSITIVE_INFINITY ? !negated : null;
            }
            case "BRANCH_EQ" ->
            {
                cmp = EQ;
                fixed = Float.isNaN(value) ? Boolean.FALSE : null;
            }
            case "BRANCH_NEQ" ->
            {
                cmp = EQ;
                negated = true;
                fixed = Float.isNaN(value) ? Boolean.TRUE : null;
            }
            default -> throw attributes.unsupported("node mode '" + mode + "'");
        }
        if (null != fixed)
        {
            // x < NaN never holds: every non-NaN x takes the second branch
            second[i] = fixed ? onTrue : onFalse;
            first[i] = fixed ? onFalse : onTrue;
            threshold[i] = Float.NaN;
            cmp = LT;
        }
        else
        {
            first[i] = negated ? onFalse : onTrue;
            second[i] = negated ? onTrue : onFalse;
            threshold[i] = t;
        }
        final int nanGoesTo = nanTracksTrue || "BRANCH_NEQ".equals(mode) ? onTrue : onFalse;
        flags[i] = (byte)(cmp | (nanGoesTo == first[i] ? NAN_FIRST : 0));
    }

    private static int child(final Map<NodeKey, Integer> indexOf, final long treeId, final long nodeId,
        final Attributes attributes) throws UnsupportedGraphException
    {
        final Integer index = indexOf.get(new NodeKey(treeId, nodeId));
        if (null == index)
        {
            throw attributes.unsupported("tree " + treeId + " has no node " + nodeId);
        }
        return index;
    }

    private static int[] roots(final long[] treeIds, final Attributes attributes) throws UnsupportedGraphException
    {
        final List<Integer> roots = new ArrayList<>();
        final Map<Long, Boolean> seen = new HashMap<>();
        for (int i = 0; i < treeIds.length; i++)
        {
            if (i == 0 || treeIds[i] != treeIds[i - 1])
            {
                if (null != seen.put(treeIds[i], Boolean.TRUE))
                {
                    throw attributes.unsupported("the nodes of tree " + treeIds[i] + " are not listed together");
                }
                roots.add(i);
            }
        }
        return roots.stream().mapToInt(Integer::intValue).toArray();
    }

    private int[][] weightsOfNode(final Map<NodeKey, Integer> indexOf, final long[] weightTreeIds,
        final long[] weightNodeIds, final Attributes attributes) throws UnsupportedGraphException
    {
        final List<List<Integer>> lists = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++)
        {
            lists.add(new ArrayList<>());
        }
        for (int w = 0; w < weightTreeIds.length; w++)
        {
            final int node = child(indexOf, weightTreeIds[w], weightNodeIds[w], attributes);
            if (leaf[node])
            {
                lists.get(node).add(w);
            }
        }
        final int[][] weights = new int[nodeCount][];
        for (int i = 0; i < nodeCount; i++)
        {
            if (leaf[i] && lists.get(i).isEmpty())
            {
                throw attributes.unsupported("a leaf has no weight");
            }
            weights[i] = lists.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return weights;
    }

    /**
     * Checks that every node is reached from its tree's root without a cycle (ONNX Runtime refuses
     * unreachable nodes; a node may be shared, as LightGBM's set-membership chains do), and returns the
     * greatest depth.
     */
    private int checkShape(final Attributes attributes) throws UnsupportedGraphException
    {
        final int[] depthBelow = new int[nodeCount];
        Arrays.fill(depthBelow, -1);
        final boolean[] onPath = new boolean[nodeCount];
        int deepest = 0;
        for (final int root : roots)
        {
            deepest = Math.max(deepest, depthBelow(root, depthBelow, onPath, 0, attributes));
        }
        for (int i = 0; i < nodeCount; i++)
        {
            if (depthBelow[i] < 0)
            {
                throw attributes.unsupported("a node is not reachable from its tree's root");
            }
        }
        return deepest;
    }

    private int depthBelow(final int node, final int[] depthBelow, final boolean[] onPath, final int level,
        final Attributes attributes) throws UnsupportedGraphException
    {
        if (onPath[node] || level > MAX_DEPTH)
        {
            throw attributes.unsupported("a tree has a cycle or is deeper than " + MAX_DEPTH);
        }
        if (depthBelow[node] >= 0)
        {
            return depthBelow[node];
        }
        int depth = 0;
        if (!leaf[node])
        {
            onPath[node] = true;
            depth = 1 + Math.max(
                depthBelow(first[node], depthBelow, onPath, level + 1, attributes),
                depthBelow(second[node], depthBelow, onPath, level + 1, attributes));
            onPath[node] = false;
        }
        depthBelow[node] = depth;
        return depth;
    }

    private record NodeKey(long treeId, long nodeId)
    {
    }
}
