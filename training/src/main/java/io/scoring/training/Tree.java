package io.scoring.training;

/**
 * One binary regression tree in XGBoost's layout: node 0 is the root, node i is a leaf when
 * {@code leftChild[i] == LEAF}.
 *
 * <p>At a split node a row goes left when {@code x[splitFeature[i]] < threshold[i]}, and to the
 * {@code missingGoesLeft[i]} side when that value is NaN. A leaf adds {@code leafValue[i]} to the
 * margin. Entries that do not apply to a node's kind are ignored.
 */
public record Tree(
    int[] leftChild,
    int[] rightChild,
    int[] splitFeature,
    float[] threshold,
    boolean[] missingGoesLeft,
    float[] leafValue)
{
    public static final int LEAF = -1;

    public Tree
    {
        final int n = leftChild.length;
        if (rightChild.length != n || splitFeature.length != n || threshold.length != n ||
            missingGoesLeft.length != n || leafValue.length != n)
        {
            throw new IllegalArgumentException("a tree's node arrays must all have the same length");
        }
        for (int i = 0; i < n; i++)
        {
            if ((leftChild[i] == LEAF) != (rightChild[i] == LEAF))
            {
                throw new IllegalArgumentException("node " + i + " has one child");
            }
        }
    }

    public int nodeCount()
    {
        return leftChild.length;
    }

    public boolean isLeaf(final int node)
    {
        return leftChild[node] == LEAF;
    }
}
