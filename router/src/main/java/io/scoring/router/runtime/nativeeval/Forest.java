package io.scoring.router.runtime.nativeeval;

import java.util.ArrayList;
import java.util.List;

/**
 * The trees of an ensemble laid out in flat arrays for evaluation; {@link #leaf} walks one tree for
 * one row and names the leaf it ends in. The leaves' weights sit in {@link #leafValue} (the first
 * weight, which is all a single-target ensemble reads) and, for ensembles with several targets or
 * classes, in the {@link #weightStart} ranges of {@link #weightTarget} / {@link #weightValue}.
 *
 * <p>Two layouts, chosen at load by {@link #layOut} (or forced, for measurements, by the
 * {@link NativeEvaluators.TreeLayout} setting): {@link PerfectForest} pads every tree to the
 * same depth and walks it without data-dependent branches, for the shallow trees boosting produces;
 * {@link LinkedForest} stores each node with its two children, for deep or lopsided trees whose
 * padding would cost too much memory.
 *
 * <p>Immutable; {@link #leaf} is safe from any number of threads and allocates nothing.
 */
abstract class Forest
{
    /**
     * Padding deeper trees costs 2^depth slots per tree; past this depth the linked layout is used
     * whatever the budget. 12 keeps a tree's padded nodes within 64 KiB.
     */
    static final int PERFECT_MAX_DEPTH = 12;
    /** The padded layout may use this many times the slots of the linked one before it is refused. */
    static final int PERFECT_MAX_PADDING = 4;

    final int treeCount;
    final float[] leafValue;
    final int[] weightStart;
    final int[] weightTarget;
    final float[] weightValue;

    Forest(final int treeCount, final Leaves leaves)
    {
        this.treeCount = treeCount;
        this.leafValue = leaves.firstValues();
        this.weightStart = leaves.starts();
        this.weightTarget = leaves.targets();
        this.weightValue = leaves.values();
    }

    /** The leaf that row {@code input[offset...]} reaches in tree {@code tree}. */
    abstract int leaf(int tree, float[] input, int offset);

    /** The float sum of every tree's first weight for the row, tree after tree from 0, as ONNX Runtime adds them. */
    float sum(final float[] input, final int offset)
    {
        final float[] leafValue = this.leafValue;
        float sum = 0f;
        for (int tree = 0; tree < treeCount; tree++)
        {
            sum += leafValue[leaf(tree, input, offset)];
        }
        return sum;
    }

    /** Lays the trees out in the layout asked for, or, for {@code AUTO}, the one that suits their shape. */
    static Forest layOut(
        final Trees trees, final long[] targetIds, final float[] weights, final NativeEvaluators.TreeLayout layout)
    {
        final boolean perfect = switch (layout)
        {
            case PERFECT -> trees.depth <= PERFECT_MAX_DEPTH;
            case LINKED -> false;
            case AUTO -> trees.depth <= PERFECT_MAX_DEPTH &&
                (long)trees.treeCount() << (trees.depth + 1) <= (long)PERFECT_MAX_PADDING * trees.nodeCount + 4096;
        };
        return perfect ? new PerfectForest(trees, targetIds, weights) : new LinkedForest(trees, targetIds, weights);
    }

    /** Collects the leaves' weights in the order a layout numbers its leaves. */
    static final class Leaves
    {
        private final Trees trees;
        private final long[] targetIds;
        private final float[] weights;
        private final List<Float> firstValues = new ArrayList<>();
        private final List<Integer> starts = new ArrayList<>(List.of(0));
        private final List<Integer> targets = new ArrayList<>();
        private final List<Float> values = new ArrayList<>();

        Leaves(final Trees trees, final long[] targetIds, final float[] weights)
        {
            this.trees = trees;
            this.targetIds = targetIds;
            this.weights = weights;
        }

        /** Appends the weights of leaf node {@code node}; returns its leaf number. */
        int add(final int node)
        {
            final int[] weightsOfLeaf = trees.weightsOfNode[node];
            firstValues.add(weights[weightsOfLeaf[0]]);
            for (final int w : weightsOfLeaf)
            {
                targets.add((int)targetIds[w]);
                values.add(weights[w]);
            }
            starts.add(targets.size());
            return firstValues.size() - 1;
        }

        float[] firstValues()
        {
            return toFloats(firstValues);
        }

        int[] starts()
        {
            return starts.stream().mapToInt(Integer::intValue).toArray();
        }

        int[] targets()
        {
            return targets.stream().mapToInt(Integer::intValue).toArray();
        }

        float[] values()
        {
            return toFloats(values);
        }

        private static float[] toFloats(final List<Float> list)
        {
            final float[] array = new float[list.size()];
            for (int i = 0; i < array.length; i++)
            {
                array[i] = list.get(i);
            }
            return array;
        }
    }
}
