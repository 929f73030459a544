package io.scoring.training;

import com.google.protobuf.ByteString;
import io.scoring.proto.onnx.AttributeProto;
import io.scoring.proto.onnx.GraphProto;
import io.scoring.proto.onnx.ModelProto;
import io.scoring.proto.onnx.NodeProto;
import io.scoring.proto.onnx.OperatorSetIdProto;
import io.scoring.proto.onnx.TensorProto;
import io.scoring.proto.onnx.TensorShapeProto;
import io.scoring.proto.onnx.TypeProto;
import io.scoring.proto.onnx.ValueInfoProto;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the credit-risk models as ONNX graphs with the gateway's signature: one input
 * {@value #INPUT} float [batch, F] (features in model order), one output {@value #OUTPUT} float
 * [batch, 1] = P(bad).
 *
 * <pre>
 *   logistic regression:  features -> MatMul(W [F,1]) -> Add(b [1]) -> Sigmoid -> probability
 *   boosted trees:        features -> ai.onnx.ml.TreeEnsembleRegressor (margin) -> Sigmoid -> probability
 * </pre>
 *
 * <p>The tree ensemble uses XGBoost's rule per split, go left when {@code x < threshold}
 * ({@code BRANCH_LT}), left being the "true" branch, and sends NaN to XGBoost's default side through
 * {@code nodes_missing_value_tracks_true}. The base margin is the ensemble's {@code base_values}.
 */
public final class OnnxExport
{
    public static final String INPUT = "features";
    public static final String OUTPUT = "probability";
    /** ONNX IR version 8 (2021): read by every ONNX Runtime release the gateway may run. */
    public static final long IR_VERSION = 8;
    public static final long AI_ONNX_OPSET = 17;
    public static final String ML_DOMAIN = "ai.onnx.ml";
    /** TreeEnsembleRegressor with the classic per-node attribute lists. */
    public static final long AI_ONNX_ML_OPSET = 3;
    public static final String PRODUCER = "scoring-gateway-training";

    private static final String BATCH = "batch";
    private static final String MARGIN = "margin";

    private OnnxExport()
    {
    }

    public static ModelProto logisticRegression(final LinearModel model, final String docString)
    {
        final int features = model.weights().length;
        final GraphProto graph = GraphProto.newBuilder()
            .setName("credit_risk_logistic_regression")
            .addInitializer(floatTensor("W", new long[]{features, 1}, model.weights()))
            .addInitializer(floatTensor("B", new long[]{1}, new float[]{model.bias()}))
            .addNode(node("MatMul", "", List.of(INPUT, "W"), "linear"))
            .addNode(node("Add", "", List.of("linear", "B"), MARGIN))
            .addNode(node("Sigmoid", "", List.of(MARGIN), OUTPUT))
            .addInput(floatMatrix(INPUT, features))
            .addOutput(floatMatrix(OUTPUT, 1))
            .build();
        return model(graph, docString, false);
    }

    /**
     * A multi-layer perceptron: {@code features -> (MatMul, Add, Relu) per hidden layer -> MatMul, Add -> Sigmoid}.
     *
     * @param widths  the layers' widths, input first, 1 last
     * @param weights per layer, row-major {@code [in, out]}
     * @param biases  per layer, {@code [out]}
     */
    public static ModelProto mlp(final int[] widths, final float[][] weights, final float[][] biases, final String docString)
    {
        final GraphProto.Builder graph = GraphProto.newBuilder().setName("credit_risk_mlp");
        String activation = INPUT;
        for (int layer = 0; layer < weights.length; layer++)
        {
            final String w = "W" + layer;
            final String b = "B" + layer;
            graph.addInitializer(floatTensor(w, new long[]{widths[layer], widths[layer + 1]}, weights[layer]))
                .addInitializer(floatTensor(b, new long[]{widths[layer + 1]}, biases[layer]))
                .addNode(node("MatMul", "", List.of(activation, w), "linear" + layer));
            final boolean last = layer == weights.length - 1;
            graph.addNode(node("Add", "", List.of("linear" + layer, b), last ? MARGIN : "affine" + layer));
            if (!last)
            {
                graph.addNode(node("Relu", "", List.of("affine" + layer), "hidden" + layer));
                activation = "hidden" + layer;
            }
        }
        graph.addNode(node("Sigmoid", "", List.of(MARGIN), OUTPUT))
            .addInput(floatMatrix(INPUT, widths[0]))
            .addOutput(floatMatrix(OUTPUT, 1));
        return model(graph.build(), docString, false);
    }

    public static ModelProto gradientBoostedTrees(final TreeEnsemble ensemble, final int features, final String docString)
    {
        final TreeAttributes attributes = new TreeAttributes();
        for (int t = 0; t < ensemble.trees().size(); t++)
        {
            attributes.add(t, ensemble.trees().get(t), features);
        }

        final NodeProto trees = node("TreeEnsembleRegressor", ML_DOMAIN, List.of(INPUT), MARGIN).toBuilder()
            .addAttribute(ints("nodes_treeids", attributes.treeIds))
            .addAttribute(ints("nodes_nodeids", attributes.nodeIds))
            .addAttribute(ints("nodes_featureids", attributes.featureIds))
            .addAttribute(strings("nodes_modes", attributes.modes))
            .addAttribute(floats("nodes_values", attributes.values))
            .addAttribute(ints("nodes_truenodeids", attributes.trueIds))
            .addAttribute(ints("nodes_falsenodeids", attributes.falseIds))
            .addAttribute(ints("nodes_missing_value_tracks_true", attributes.missingTracksTrue))
            .addAttribute(ints("target_treeids", attributes.targetTreeIds))
            .addAttribute(ints("target_nodeids", attributes.targetNodeIds))
            .addAttribute(ints("target_ids", attributes.targetIds))
            .addAttribute(floats("target_weights", attributes.targetWeights))
            .addAttribute(floats("base_values", List.of(ensemble.baseMargin())))
            .addAttribute(AttributeProto.newBuilder().setName("n_targets").setType(AttributeProto.AttributeType.INT).setI(1))
            .addAttribute(string("aggregate_function", "SUM"))
            .addAttribute(string("post_transform", "NONE"))
            .build();

        final GraphProto graph = GraphProto.newBuilder()
            .setName("credit_risk_gradient_boosted_trees")
            .addNode(trees)
            .addNode(node("Sigmoid", "", List.of(MARGIN), OUTPUT))
            .addInput(floatMatrix(INPUT, features))
            .addOutput(floatMatrix(OUTPUT, 1))
            .build();
        return model(graph, docString, true);
    }

    /**
     * The per-node and per-leaf attribute lists of a TreeEnsembleRegressor. Nodes are numbered per tree
     * in breadth-first order from the root, so only reachable nodes are written (XGBoost may keep pruned
     * nodes in its arrays).
     */
    private static final class TreeAttributes
    {
        final List<Long> treeIds = new ArrayList<>();
        final List<Long> nodeIds = new ArrayList<>();
        final List<Long> featureIds = new ArrayList<>();
        final List<String> modes = new ArrayList<>();
        final List<Float> values = new ArrayList<>();
        final List<Long> trueIds = new ArrayList<>();
        final List<Long> falseIds = new ArrayList<>();
        final List<Long> missingTracksTrue = new ArrayList<>();
        final List<Long> targetTreeIds = new ArrayList<>();
        final List<Long> targetNodeIds = new ArrayList<>();
        final List<Long> targetIds = new ArrayList<>();
        final List<Float> targetWeights = new ArrayList<>();

        void add(final int treeId, final Tree tree, final int features)
        {
            final int[] onnxId = new int[tree.nodeCount()];
            Arrays.fill(onnxId, -1);
            final List<Integer> order = new ArrayList<>();
            final ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(0));
            while (!queue.isEmpty())
            {
                final int node = queue.poll();
                if (onnxId[node] >= 0)
                {
                    throw new IllegalArgumentException("tree " + treeId + ": node " + node + " is reached twice");
                }
                onnxId[node] = order.size();
                order.add(node);
                if (!tree.isLeaf(node))
                {
                    queue.add(tree.leftChild()[node]);
                    queue.add(tree.rightChild()[node]);
                }
            }

            for (final int node : order)
            {
                treeIds.add((long)treeId);
                nodeIds.add((long)onnxId[node]);
                if (tree.isLeaf(node))
                {
                    featureIds.add(0L);
                    modes.add("LEAF");
                    values.add(0f);
                    trueIds.add(0L);
                    falseIds.add(0L);
                    missingTracksTrue.add(0L);

                    targetTreeIds.add((long)treeId);
                    targetNodeIds.add((long)onnxId[node]);
                    targetIds.add(0L);
                    targetWeights.add(tree.leafValue()[node]);
                }
                else
                {
                    final int feature = tree.splitFeature()[node];
                    if (feature < 0 || feature >= features)
                    {
                        throw new IllegalArgumentException("tree " + treeId + " splits on feature " + feature);
                    }
                    featureIds.add((long)feature);
                    modes.add("BRANCH_LT");
                    values.add(tree.threshold()[node]);
                    trueIds.add((long)onnxId[tree.leftChild()[node]]);
                    falseIds.add((long)onnxId[tree.rightChild()[node]]);
                    missingTracksTrue.add(tree.missingGoesLeft()[node] ? 1L : 0L);
                }
            }
        }
    }

    private static ModelProto model(final GraphProto graph, final String docString, final boolean usesMlOperators)
    {
        final ModelProto.Builder model = ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName(PRODUCER)
            .setDocString(docString)
            .setGraph(graph)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(AI_ONNX_OPSET));
        if (usesMlOperators)
        {
            model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(ML_DOMAIN).setVersion(AI_ONNX_ML_OPSET));
        }
        return model.build();
    }

    private static NodeProto node(final String opType, final String domain, final List<String> inputs, final String output)
    {
        return NodeProto.newBuilder()
            .setName(output)
            .setOpType(opType)
            .setDomain(domain)
            .addAllInput(inputs)
            .addOutput(output)
            .build();
    }

    private static ValueInfoProto floatMatrix(final String name, final long columns)
    {
        final TensorShapeProto shape = TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH))
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns))
            .build();
        return ValueInfoProto.newBuilder()
            .setName(name)
            .setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
            .build();
    }

    private static TensorProto floatTensor(final String name, final long[] dims, final float[] values)
    {
        final TensorProto.Builder tensor = TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (final long dim : dims)
        {
            tensor.addDims(dim);
        }
        for (final float value : values)
        {
            tensor.addFloatData(value);
        }
        return tensor.build();
    }

    private static AttributeProto ints(final String name, final List<Long> values)
    {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS).addAllInts(values).build();
    }

    private static AttributeProto floats(final String name, final List<Float> values)
    {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS).addAllFloats(values).build();
    }

    private static AttributeProto string(final String name, final String value)
    {
        return AttributeProto.newBuilder()
            .setName(name)
            .setType(AttributeProto.AttributeType.STRING)
            .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8))
            .build();
    }

    private static AttributeProto strings(final String name, final List<String> values)
    {
        final AttributeProto.Builder attribute = AttributeProto.newBuilder()
            .setName(name)
            .setType(AttributeProto.AttributeType.STRINGS);
        for (final String value : values)
        {
            attribute.addStrings(ByteString.copyFrom(value, StandardCharsets.UTF_8));
        }
        return attribute.build();
    }
}
