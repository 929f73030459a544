package io.scoring.router.runtime.nativeeval;

import io.scoring.proto.onnx.NodeProto;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * ai.onnx.ml {@code TreeEnsembleRegressor} and {@code TreeEnsembleClassifier} (classic attributes,
 * opsets 1 to 3, and the {@code *_as_tensor} twins of the float lists), computing what ONNX Runtime's
 * {@code tree_ensemble_aggregator.h} computes for float input, operation for operation:
 *
 * <ul>
 *   <li>thresholds, weights, base values and sums are float; trees are summed one after the other in
 *   the order their first node is listed, starting from 0, and the base value is added last;</li>
 *   <li>a single-target regressor applies only {@code PROBIT} of the post transforms (ONNX Runtime
 *   ignores {@code LOGISTIC} and the softmaxes for one target);</li>
 *   <li>a regressor with several targets: a target no leaf of the row gave a weight to reads 0, base
 *   value or not;</li>
 *   <li>a two-class classifier with weights for class 0 only and at most one base value sums class 0
 *   (s) and writes {@code [1 - s, s]} when no weight is negative, else {@code [-s, s]}, or
 *   {@code [logistic(-s), logistic(s)]} under {@code LOGISTIC}: other transforms are ignored;</li>
 *   <li>any other two-class classifier writes both sums transformed like any scores, a class no weight
 *   reached reading 0 (so weights for class 1 only give {@code [0.5, logistic(s)]} under
 *   {@code LOGISTIC}); with two base values and weights for class 1, class 1 reads its base value plus
 *   the class 0 sum, and class 0 the negation of that.</li>
 * </ul>
 *
 * A classifier's label ({@link #classify}) is ONNX Runtime's too, chosen from the sums before the post
 * transform: with more than two classes the first class of the largest sum among the classes a leaf or
 * a base value reached; with two, from the positive score s (class 1's sum if a weight reached it, else
 * class 0's): in the one-class-weighted case {@code labels[1]} when s > 0.5 (no weight negative) or
 * s > 0 (else), otherwise {@code labels[0]}; in any other two-class case the literal 1 when s > 0, else 0,
 * whatever the labels.
 *
 * <p>Cases where ONNX Runtime leaves part of its output unwritten (a classifier under {@code PROBIT}, or
 * with two classes, weights for both and one base value) are not supported, nor are leaves without a
 * weight, weights naming a target out of range, or classifiers with fewer than two classes.
 *
 * <p>Whole-model evaluation ({@link NativeEvaluators}) and a tabular pipeline's tree step
 * ({@link TabularPipeline}) both evaluate trees through this class, the row at any offset of any array.
 */
final class TreeEnsemble extends RowFunction
{
    static final String REGRESSOR = "TreeEnsembleRegressor";
    static final String CLASSIFIER = "TreeEnsembleClassifier";

    private static final Set<String> NODE_ATTRIBUTES = Set.of(
        "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes", "nodes_values",
        "nodes_values_as_tensor", "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true",
        "nodes_hitrates", "nodes_hitrates_as_tensor", "base_values", "base_values_as_tensor", "post_transform");
    private static final Set<String> REGRESSOR_ATTRIBUTES = union(NODE_ATTRIBUTES, Set.of(
        "n_targets", "aggregate_function", "target_treeids", "target_nodeids", "target_ids", "target_weights",
        "target_weights_as_tensor"));
    private static final Set<String> CLASSIFIER_ATTRIBUTES = union(NODE_ATTRIBUTES, Set.of(
        "classlabels_int64s", "classlabels_strings", "class_treeids", "class_nodeids", "class_ids",
        "class_weights", "class_weights_as_tensor"));

    private enum Aggregate { SUM, AVERAGE, MIN, MAX }

    private enum Kind { REGRESSOR_ONE_TARGET, REGRESSOR, BINARY_CLASSIFIER, CLASSIFIER }

    private final Kind kind;
    private final Forest forest;
    private final Aggregate aggregate;
    private final PostTransform postTransform;
    private final float[] baseValues;
    /** The single-target base value: the only base value, or 0. */
    private final float origin;
    private final float treeCount;
    /** Classifier: all weights name one class. */
    private final boolean binaryCase;
    /** Classifier: no weight is negative. */
    private final boolean weightsArePositive;
    /** Classifier: the int64 class labels, or the classes' indexes for string labels (as ONNX Runtime numbers them). */
    private final long[] labels;

    private TreeEnsemble(final Kind kind, final int width, final Forest forest, final Aggregate aggregate,
        final PostTransform postTransform, final float[] baseValues, final boolean binaryCase,
        final boolean weightsArePositive, final long[] labels)
    {
        super(width);
        this.kind = kind;
        this.forest = forest;
        this.aggregate = aggregate;
        this.postTransform = postTransform;
        this.baseValues = baseValues;
        this.origin = baseValues.length == 1 ? baseValues[0] : 0f;
        this.treeCount = forest.treeCount;
        this.binaryCase = binaryCase;
        this.weightsArePositive = weightsArePositive;
        this.labels = labels;
    }

    /** The function of a {@code TreeEnsembleRegressor} node's only output. */
    static TreeEnsemble regressor(final NodeProto node, final int featureCount, final NativeEvaluators.TreeLayout layout)
        throws UnsupportedGraphException
    {
        final Attributes attributes = new Attributes(node, REGRESSOR_ATTRIBUTES);
        final long targets = attributes.i("n_targets", 0);
        if (targets < 1 || targets > 1 << 16)
        {
            throw attributes.unsupported("n_targets " + targets);
        }
        final long[] targetIds = attributes.ints("target_ids");
        final float[] weights = attributes.floats("target_weights");
        final Trees trees = readTrees(attributes, featureCount, "target_treeids", "target_nodeids", targetIds, weights);
        checkTargets(targetIds, (int)targets, attributes);
        final Aggregate aggregate = switch (attributes.s("aggregate_function", "SUM"))
        {
            case "SUM" -> Aggregate.SUM;
            case "AVERAGE" -> Aggregate.AVERAGE;
            case "MIN" -> Aggregate.MIN;
            case "MAX" -> Aggregate.MAX;
            default -> throw attributes.unsupported("aggregate_function '" + attributes.s("aggregate_function", "") + "'");
        };
        final PostTransform postTransform = PostTransform.parse(attributes.s("post_transform", "NONE"), attributes);
        return new TreeEnsemble(targets == 1 ? Kind.REGRESSOR_ONE_TARGET : Kind.REGRESSOR, (int)targets,
            Forest.layOut(trees, targetIds, weights, layout), aggregate, postTransform, attributes.floats("base_values"),
            false, false, new long[0]);
    }

    /** The function of a {@code TreeEnsembleClassifier} node's second output, the class scores. */
    static TreeEnsemble classifier(final NodeProto node, final int featureCount, final NativeEvaluators.TreeLayout layout)
        throws UnsupportedGraphException
    {
        final Attributes attributes = new Attributes(node, CLASSIFIER_ATTRIBUTES);
        final int classes = classCount(attributes, "classlabels_int64s");
        if (classes < 2)
        {
            throw attributes.unsupported("fewer than two class labels");
        }
        final long[] classIds = attributes.ints("class_ids");
        final float[] weights = attributes.floats("class_weights");
        final Trees trees = readTrees(attributes, featureCount, "class_treeids", "class_nodeids", classIds, weights);
        checkTargets(classIds, classes, attributes);
        final PostTransform postTransform = PostTransform.parse(attributes.s("post_transform", "NONE"), attributes);
        if (postTransform == PostTransform.PROBIT)
        {
            throw attributes.unsupported("PROBIT on a classifier (ONNX Runtime leaves scores unwritten)");
        }
        final float[] baseValues = attributes.floats("base_values");
        final Set<Long> classesWeighted = new HashSet<>();
        boolean weightsArePositive = true;
        for (int w = 0; w < classIds.length; w++)
        {
            classesWeighted.add(classIds[w]);
            weightsArePositive &= !(weights[w] < 0);
        }
        final boolean binaryCase = classes == 2 && classesWeighted.size() == 1;
        if (classes == 2 && !binaryCase && baseValues.length == 1)
        {
            throw attributes.unsupported("two classes weighted and one base value (ONNX Runtime leaves a score unwritten)");
        }
        if (classes > 2 && baseValues.length > classes)
        {
            throw attributes.unsupported("more base values than classes");
        }
        final long[] intLabels = attributes.ints("classlabels_int64s");
        final long[] labels = intLabels.length > 0 ? intLabels : LongStream.range(0, classes).toArray();
        return new TreeEnsemble(classes == 2 ? Kind.BINARY_CLASSIFIER : Kind.CLASSIFIER, classes,
            Forest.layOut(trees, classIds, weights, layout), Aggregate.SUM, postTransform, baseValues, binaryCase,
            weightsArePositive, labels);
    }

    /** The number of class labels, integer (in attribute {@code intLabels}) or string, not both. */
    static int classCount(final Attributes attributes, final String intLabels) throws UnsupportedGraphException
    {
        final int ints = attributes.ints(intLabels).length;
        final int strings = attributes.strings("classlabels_strings").length;
        if (ints > 0 && strings > 0)
        {
            throw attributes.unsupported("both integer and string class labels");
        }
        return ints + strings;
    }

    private static Trees readTrees(final Attributes attributes, final int featureCount, final String treeIdsName,
        final String nodeIdsName, final long[] targetIds, final float[] weights) throws UnsupportedGraphException
    {
        final long[] treeIds = attributes.ints(treeIdsName);
        final long[] nodeIds = attributes.ints(nodeIdsName);
        if (treeIds.length != targetIds.length || nodeIds.length != targetIds.length || weights.length != targetIds.length)
        {
            throw attributes.unsupported("the weight attribute lists differ in length");
        }
        return Trees.read(attributes, featureCount, treeIds, nodeIds);
    }

    private static void checkTargets(final long[] targetIds, final int targets, final Attributes attributes)
        throws UnsupportedGraphException
    {
        for (final long id : targetIds)
        {
            if (id < 0 || id >= targets)
            {
                throw attributes.unsupported("a weight names target " + id + " of " + targets);
            }
        }
    }

    private static Set<String> union(final Set<String> a, final Set<String> b)
    {
        final Set<String> union = new HashSet<>(a);
        union.addAll(b);
        return Set.copyOf(union);
    }

    @Override
    String runtimeName()
    {
        return "native-tree-ensemble";
    }

    @Override
    float evaluate(final float[] input, final int offset)
    {
        final float score = switch (aggregate)
        {
            case SUM -> sum(input, offset) + origin;
            case AVERAGE -> sum(input, offset) / treeCount + origin;
            case MIN -> min(input, offset) + origin;
            case MAX -> max(input, offset) + origin;
        };
        return postTransform == PostTransform.PROBIT ? PostTransform.probit(score) : score;
    }

    private float sum(final float[] input, final int offset)
    {
        return forest.sum(input, offset);
    }

    private float min(final float[] input, final int offset)
    {
        final float[] leafValue = forest.leafValue;
        float min = leafValue[forest.leaf(0, input, offset)];
        for (int tree = 1; tree < forest.treeCount; tree++)
        {
            final float value = leafValue[forest.leaf(tree, input, offset)];
            min = value < min ? value : min;
        }
        return min;
    }

    private float max(final float[] input, final int offset)
    {
        final float[] leafValue = forest.leafValue;
        float max = leafValue[forest.leaf(0, input, offset)];
        for (int tree = 1; tree < forest.treeCount; tree++)
        {
            final float value = leafValue[forest.leaf(tree, input, offset)];
            max = value > max ? value : max;
        }
        return max;
    }

    @Override
    void evaluate(final float[] input, final int offset, final Scratch scratch)
    {
        classify(input, offset, scratch);
    }

    /**
     * {@link #evaluate(float[], int, Scratch)}, returning a classifier's label as ONNX Runtime chooses it (for
     * string labels, the label's index); 0 for a regressor.
     */
    long classify(final float[] input, final int offset, final Scratch scratch)
    {
        if (kind == Kind.REGRESSOR_ONE_TARGET)
        {
            scratch.values[0] = evaluate(input, offset);
            return 0;
        }
        final int width = width();
        final float[] values = scratch.values;
        final boolean[] present = scratch.present;
        Arrays.fill(values, 0, width, 0f);
        Arrays.fill(present, 0, width, false);
        accumulate(input, offset, values, present);
        return switch (kind)
        {
            case REGRESSOR ->
            {
                finishRegressor(values, present, width);
                yield 0;
            }
            case BINARY_CLASSIFIER -> finishBinary(values, present);
            default -> finishClassifier(values, present, width);
        };
    }

    private void accumulate(final float[] input, final int offset, final float[] values, final boolean[] present)
    {
        final Forest forest = this.forest;
        for (int tree = 0; tree < forest.treeCount; tree++)
        {
            final int leaf = forest.leaf(tree, input, offset);
            for (int w = forest.weightStart[leaf], end = forest.weightStart[leaf + 1]; w < end; w++)
            {
                final int target = forest.weightTarget[w];
                final float weight = forest.weightValue[w];
                switch (aggregate)
                {
                    case SUM, AVERAGE -> values[target] += weight;
                    case MIN -> values[target] = !present[target] || weight < values[target] ? weight : values[target];
                    case MAX -> values[target] = !present[target] || weight > values[target] ? weight : values[target];
                }
                present[target] = true;
            }
        }
    }

    private void finishRegressor(final float[] values, final boolean[] present, final int width)
    {
        final boolean useBase = baseValues.length == width;
        for (int k = 0; k < width; k++)
        {
            final float value = switch (aggregate)
            {
                case SUM -> useBase ? values[k] + baseValues[k] : values[k];
                case AVERAGE -> useBase ? values[k] / treeCount + baseValues[k] : values[k] / treeCount;
                case MIN, MAX -> (useBase ? baseValues[k] : 0f) + (present[k] ? values[k] : 0f);
            };
            values[k] = present[k] ? value : 0f;
        }
        postTransform.applyTo(values, width);
    }

    private long finishClassifier(final float[] values, final boolean[] present, final int width)
    {
        for (int k = 0; k < baseValues.length; k++)
        {
            values[k] = present[k] ? values[k] + baseValues[k] : baseValues[k];
            present[k] = true;
        }
        int best = -1;
        for (int k = 0; k < width; k++)
        {
            best = present[k] && (best < 0 || values[k] > values[best]) ? k : best;
            values[k] = present[k] ? values[k] : 0f;
        }
        postTransform.applyTo(values, width);
        // every leaf has a weight (Trees refuses leaves without), so some class is always reached
        return labels[best];
    }

    /** ONNX Runtime's two-class {@code FinalizeScores}, {@code _set_score_binary} and {@code write_scores}; returns the label. */
    private long finishBinary(final float[] values, final boolean[] present)
    {
        boolean twoScores = true;
        int secondClass = -1;
        if (baseValues.length == 2)
        {
            if (present[1])
            {
                values[1] = baseValues[1] + values[0];
                values[0] = -values[1];
            }
            else
            {
                values[1] += baseValues[1];
                values[0] += baseValues[0];
            }
        }
        else if (baseValues.length == 1)
        {
            values[0] += baseValues[0];
            twoScores = present[1];
        }
        else if (baseValues.length == 0)
        {
            secondClass = 3;
            twoScores = present[1];
        }

        final float positive = twoScores && present[1] ? values[1] : present[0] ? values[0] : 0f;
        final long label;
        if (binaryCase)
        {
            if (weightsArePositive)
            {
                secondClass = positive > 0.5f ? 0 : 1;
                label = positive > 0.5f ? labels[1] : labels[0];
            }
            else
            {
                secondClass = positive > 0f ? 2 : 3;
                label = positive > 0f ? labels[1] : labels[0];
            }
        }
        else
        {
            // ONNX Runtime's positive_label_ and negative_label_: 1 and 0, not the class labels
            label = positive > 0f ? 1 : 0;
        }

        if (twoScores)
        {
            values[0] = present[0] ? values[0] : 0f;
            values[1] = present[1] ? values[1] : 0f;
            postTransform.applyTo(values, 2);
            return label;
        }
        final float score = present[0] ? values[0] : 0f;
        if (secondClass <= 1)
        {
            values[0] = 1f - score;
            values[1] = score;
        }
        else if (postTransform == PostTransform.LOGISTIC)
        {
            values[0] = PostTransform.logistic(-score);
            values[1] = PostTransform.logistic(score);
        }
        else
        {
            values[0] = -score;
            values[1] = score;
        }
        return label;
    }
}
