package io.scoring.router.runtime;

import io.scoring.proto.onnx.AttributeProto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.scoring.router.runtime.OnnxGraphs.floatTensor;
import static io.scoring.router.runtime.OnnxGraphs.floats;
import static io.scoring.router.runtime.OnnxGraphs.ints;
import static io.scoring.router.runtime.OnnxGraphs.strings;

/**
 * Random tree ensembles written with the classic ai.onnx.ml attributes the way converters write them:
 * each tree's nodes listed together, root first, the rest in random order; tree ids not starting at 0;
 * the leaf weights shuffled. Settings are fields, set before {@link #attributes}.
 */
final class RandomForest
{
    static final List<String> ALL_MODES = List.of("BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ");

    int features = 6;
    int trees = 12;
    int maxDepth = 4;
    /** How likely a node above the maximum depth is split rather than a leaf. */
    double splitRate = 0.8;
    List<String> modes = List.of("BRANCH_LT");
    double missingTracksTrueRate = 0.5;
    float[] thresholds = {-1.5f, -0f, 0f, 0.5f, 1f, 2f, 3f};
    /** Targets (regressor) or classes (classifier) a weight may name. */
    List<Integer> targets = List.of(0);
    /** How likely a leaf weighs each target beyond its first. */
    double extraTargetRate = 0.5;
    /** Whether weights may be negative. */
    boolean mixedSigns = true;
    float weightScale = 1f;
    /** Whether the float lists are written as {@code *_as_tensor} tensors. */
    boolean asTensors;
    /** "target" for a regressor, "class" for a classifier. */
    String weightPrefix = "target";

    private final List<Long> treeIds = new ArrayList<>();
    private final List<Long> nodeIds = new ArrayList<>();
    private final List<Long> featureIds = new ArrayList<>();
    private final List<String> nodeModes = new ArrayList<>();
    private final List<Float> values = new ArrayList<>();
    private final List<Long> trueIds = new ArrayList<>();
    private final List<Long> falseIds = new ArrayList<>();
    private final List<Long> missingTracksTrue = new ArrayList<>();
    private final List<long[]> weights = new ArrayList<>();
    private final List<Float> weightValues = new ArrayList<>();

    /** The node and weight attributes of a new random ensemble. */
    List<AttributeProto> attributes(final long seed)
    {
        final Random random = new Random(seed);
        for (final List<?> list : List.of(treeIds, nodeIds, featureIds, nodeModes, values, trueIds, falseIds,
            missingTracksTrue, weights, weightValues))
        {
            list.clear();
        }
        for (int t = 0; t < trees; t++)
        {
            addTree(3L * t + 5, random);
        }
        final List<Integer> order = new ArrayList<>();
        for (int w = 0; w < weights.size(); w++)
        {
            order.add(w);
        }
        Collections.shuffle(order, random);
        final List<Long> weightTrees = new ArrayList<>();
        final List<Long> weightNodes = new ArrayList<>();
        final List<Long> weightIds = new ArrayList<>();
        final List<Float> shuffledValues = new ArrayList<>();
        for (final int w : order)
        {
            weightTrees.add(weights.get(w)[0]);
            weightNodes.add(weights.get(w)[1]);
            weightIds.add(weights.get(w)[2]);
            shuffledValues.add(weightValues.get(w));
        }
        return List.of(
            ints("nodes_treeids", treeIds), ints("nodes_nodeids", nodeIds), ints("nodes_featureids", featureIds),
            strings("nodes_modes", nodeModes), floatList("nodes_values", values),
            ints("nodes_truenodeids", trueIds), ints("nodes_falsenodeids", falseIds),
            ints("nodes_missing_value_tracks_true", missingTracksTrue),
            ints(weightPrefix + "_treeids", weightTrees), ints(weightPrefix + "_nodeids", weightNodes),
            ints(weightPrefix + "_ids", weightIds), floatList(weightPrefix + "_weights", shuffledValues));
    }

    /** A float list attribute, as a list or as a tensor depending on {@link #asTensors}. */
    AttributeProto floatList(final String name, final List<Float> list)
    {
        return asTensors ? floatTensor(name + "_as_tensor", list) : floats(name, list);
    }

    private void addTree(final long treeId, final Random random)
    {
        final List<long[]> nodes = new ArrayList<>();
        grow(nodes, 0, random);
        final List<long[]> rest = new ArrayList<>(nodes.subList(1, nodes.size()));
        Collections.shuffle(rest, random);
        final List<long[]> listed = new ArrayList<>(List.of(nodes.get(0)));
        listed.addAll(rest);
        for (final long[] node : listed)
        {
            final int id = (int)node[0];
            treeIds.add(treeId);
            nodeIds.add((long)id);
            final boolean leaf = node[1] < 0;
            if (leaf)
            {
                featureIds.add(0L);
                nodeModes.add("LEAF");
                values.add(0f);
                trueIds.add(0L);
                falseIds.add(0L);
                missingTracksTrue.add(0L);
                addWeights(treeId, id, random);
            }
            else
            {
                featureIds.add((long)random.nextInt(features));
                nodeModes.add(modes.get(random.nextInt(modes.size())));
                values.add(thresholds[random.nextInt(thresholds.length)]);
                trueIds.add(node[1]);
                falseIds.add(node[2]);
                missingTracksTrue.add(random.nextDouble() < missingTracksTrueRate ? 1L : 0L);
            }
        }
    }

    /** Appends {id, trueId, falseId} for a node and its subtree; a leaf has trueId -1. Returns the node's id. */
    private int grow(final List<long[]> nodes, final int depth, final Random random)
    {
        final long[] node = {nodes.size(), -1, -1};
        nodes.add(node);
        if (depth < maxDepth && (depth == 0 || random.nextDouble() < splitRate))
        {
            node[1] = grow(nodes, depth + 1, random);
            node[2] = grow(nodes, depth + 1, random);
        }
        return (int)node[0];
    }

    private void addWeights(final long treeId, final int nodeId, final Random random)
    {
        final List<Integer> shuffled = new ArrayList<>(targets);
        Collections.shuffle(shuffled, random);
        for (int i = 0; i < shuffled.size(); i++)
        {
            if (i == 0 || random.nextDouble() < extraTargetRate)
            {
                weights.add(new long[]{treeId, nodeId, shuffled.get(i)});
                final float magnitude = weightScale * (0.05f + random.nextFloat());
                weightValues.add(mixedSigns && random.nextBoolean() ? -magnitude : magnitude);
            }
        }
    }
}
