package io.scoring.router.runtime.nativeeval;

/**
 * Every tree padded to the forest's depth D and stored breadth-first, like a binary heap: the
 * splits of tree t at {@code t * (2^D - 1) + k}, node k's branches at {@code 2k + 1} (first) and
 * {@code 2k + 2} (second), the 2^D leaves of tree t numbered {@code t * 2^D + j}.
 *
 * <pre>
 *   a tree of depth 2 in a forest of depth 3      its slots
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
 */
final class PerfectForest extends Forest
{
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
