package io.scoring.router.runtime.nativeeval;

/**
 * Every tree padded to the forest's depth D and stored breadth-first, like a binary heap: the
 * splits of tree t at {@code t * (2^D - 1) + k}, node k's branches at {@code 2k + 1} (first) and
 * {@code 2k + 2} (second), the 2^D leaves of tree t numbered {@code t * 2^D + j}.
 *
 * <pre>
 *   a tree of depth 3, one branch a leaf          its slots
 *
 *          s0                                      splits  [s0 s1 P  s3 s4 P  P ]
 *        /    \                                    leaves  [a  b  c  d  e  e  e  e]
 *      s1      e          (P: padding)
 *     /  \
 *   s3    s4
 *   / \   / \
 *  a   b c   d
 * </pre>
 *
 * A leaf above the bottom is pushed down: the splits under it are padding (a NaN threshold, so both
 * ways lead to copies of the same leaf) and its weights fill every leaf slot below it. A walk is then
 * always D steps of load, compare and index arithmetic, with no branch on the data to mispredict.
 *
 * <p>{@link #sum}, the single-target hot path, walks {@value #BLOCK} trees side by side, level by level:
 * their loads are independent, so the CPU overlaps them, where one tree at a time waits on each load
 * in turn. When every split is a {@code <} and the row holds no NaN, it compares without reading the
 * node flags. Measured on the demo's 200 trees of depth 3, the tree walk alone (CPU time per row,
 * median of 40 rounds): one tree at a time reading the flags 2.0 us, without them 1.23 us, four side
 * by side 0.96 us, the linked layout 4.2 us; and the whole scorer under JMH ({@code
 * NativeEvaluatorBenchmark}, version 2): 1.0 us here, 4.7 us with {@code -Dio.scoring.router.native.treeLayout=linked}.
 */
final class PerfectForest extends Forest
{
    /** Trees walked side by side by {@link #sum}. */
    static final int BLOCK = 4;

    private final int featureCount;
    private final boolean allLessThan;
    private final int depth;
    private final int splitsPerTree;
    private final int leavesPerTree;
    private final int[] feature;
    private final float[] threshold;
    private final byte[] flags;

    PerfectForest(final Trees trees, final long[] targetIds, final float[] weights)
    {
        this(trees, new Leaves(trees, targetIds, weights));
    }

    private PerfectForest(final Trees trees, final Leaves leaves)
    {
        super(trees.treeCount(), fill(trees, leaves));
        featureCount = trees.featureCount;
        allLessThan = trees.allLessThan();
        depth = trees.depth;
        splitsPerTree = (1 << depth) - 1;
        leavesPerTree = 1 << depth;
        final int slots = trees.treeCount() * splitsPerTree;
        feature = new int[slots];
        threshold = new float[slots];
        flags = new byte[slots];
        for (int t = 0; t < trees.treeCount(); t++)
        {
            placeSplits(trees, trees.roots[t], t * splitsPerTree, 0, 0);
        }
    }

    @Override
    int leaf(final int tree, final float[] input, final int offset)
    {
        final int base = tree * splitsPerTree;
        int k = 0;
        for (int level = 0; level < depth; level++)
        {
            final int slot = base + k;
            k = 2 * k + (Trees.goesFirst(flags[slot], input[offset + feature[slot]], threshold[slot]) ? 1 : 2);
        }
        return tree * leavesPerTree + k - splitsPerTree;
    }

    @Override
    float sum(final float[] input, final int offset)
    {
        return allLessThan && !hasNaN(input, offset) ? sumLessThan(input, offset) : super.sum(input, offset);
    }

    private boolean hasNaN(final float[] input, final int offset)
    {
        boolean nan = false;
        for (int i = offset, end = offset + featureCount; i < end; i++)
        {
            nan |= input[i] != input[i];
        }
        return nan;
    }

    /** {@link #sum} for rows without NaN over splits that are all {@code <}: four trees at a time, in tree order. */
    private float sumLessThan(final float[] x, final int offset)
    {
        final int[] feature = this.feature;
        final float[] threshold = this.threshold;
        final float[] leafValue = this.leafValue;
        final int splits = splitsPerTree;
        final int leaves = leavesPerTree;
        final int depth = this.depth;
        final int trees = treeCount;
        float sum = 0f;
        int tree = 0;
        for (; tree + BLOCK <= trees; tree += BLOCK)
        {
            final int base0 = tree * splits;
            final int base1 = base0 + splits;
            final int base2 = base1 + splits;
            final int base3 = base2 + splits;
            int k0 = 0;
            int k1 = 0;
            int k2 = 0;
            int k3 = 0;
            for (int level = 0; level < depth; level++)
            {
                final int s0 = base0 + k0;
                final int s1 = base1 + k1;
                final int s2 = base2 + k2;
                final int s3 = base3 + k3;
                k0 = 2 * k0 + (x[offset + feature[s0]] < threshold[s0] ? 1 : 2);
                k1 = 2 * k1 + (x[offset + feature[s1]] < threshold[s1] ? 1 : 2);
                k2 = 2 * k2 + (x[offset + feature[s2]] < threshold[s2] ? 1 : 2);
                k3 = 2 * k3 + (x[offset + feature[s3]] < threshold[s3] ? 1 : 2);
            }
            final int leaf0 = tree * leaves - splits;
            sum += leafValue[leaf0 + k0];
            sum += leafValue[leaf0 + leaves + k1];
            sum += leafValue[leaf0 + 2 * leaves + k2];
            sum += leafValue[leaf0 + 3 * leaves + k3];
        }
        for (; tree < trees; tree++)
        {
            sum += leafValue[leaf(tree, x, offset)];
        }
        return sum;
    }

    /** Numbers the leaves tree by tree, slot by slot, repeating a leaf in every slot it is pushed down to. */
    private static Leaves fill(final Trees trees, final Leaves leaves)
    {
        final int leavesPerTree = 1 << trees.depth;
        final int[] leafOfSlot = new int[leavesPerTree];
        for (final int root : trees.roots)
        {
            placeLeaves(trees, root, 0, trees.depth, leafOfSlot);
            for (final int node : leafOfSlot)
            {
                leaves.add(node);
            }
        }
        return leaves;
    }

    private static void placeLeaves(final Trees trees, final int node, final int firstSlot, final int levelsLeft,
        final int[] leafOfSlot)
    {
        if (trees.leaf[node])
        {
            for (int j = 0; j < 1 << levelsLeft; j++)
            {
                leafOfSlot[firstSlot + j] = node;
            }
            return;
        }
        final int half = 1 << (levelsLeft - 1);
        placeLeaves(trees, trees.first[node], firstSlot, levelsLeft - 1, leafOfSlot);
        placeLeaves(trees, trees.second[node], firstSlot + half, levelsLeft - 1, leafOfSlot);
    }

    private void placeSplits(final Trees trees, final int node, final int base, final int k, final int level)
    {
        if (level == depth)
        {
            return;
        }
        final int slot = base + k;
        if (trees.leaf[node])
        {
            feature[slot] = 0;
            threshold[slot] = Float.NaN;
            flags[slot] = Trees.LT;
            placeSplits(trees, node, base, 2 * k + 1, level + 1);
            placeSplits(trees, node, base, 2 * k + 2, level + 1);
            return;
        }
        feature[slot] = trees.feature[node];
        threshold[slot] = trees.threshold[node];
        flags[slot] = trees.flags[node];
        placeSplits(trees, trees.first[node], base, 2 * k + 1, level + 1);
        placeSplits(trees, trees.second[node], base, 2 * k + 2, level + 1);
    }
}
