package io.scoring.router.runtime.nativeeval;

import io.scoring.proto.onnx.NodeProto;
import io.scoring.router.model.InputSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.model.OutputSpec;
import io.scoring.router.runtime.OutputForm;
import io.scoring.router.runtime.Scorer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the common tabular ONNX graphs to plain Java scorers that compute what ONNX Runtime computes
 * (see each function's class for the exact semantics kept), without its per-call cost.
 *
 * <p>Supported: a chain from the one input to the configured outputs,
 * <pre>
 *   input -> head -> [Sigmoid | Softmax | Identity]* -> [Slice | Gather of one column] -> [Sigmoid | Identity]*
 * </pre>
 * where the head is ai.onnx.ml {@code TreeEnsembleRegressor}, {@code TreeEnsembleClassifier} (its scores
 * output), {@code LinearRegressor}, {@code LinearClassifier} (its scores output), or a standard
 * {@code MatMul} / {@code Gemm} with constant weights, optionally followed by an {@code Add} of a
 * constant. Every node of the graph must be on that chain and every configured output must be one
 * column wide on it; anything else throws {@link UnsupportedGraphException} naming the first obstacle,
 * and the caller serves the version with ONNX Runtime instead.
 *
 * <p>Graphs that are not such a chain (several or typed inputs, string columns encoded in the graph,
 * labels, ZipMaps) may still be a tabular pipeline as skl2onnx writes them ({@link TabularPipeline}).
 *
 * <p>The config's signature is not checked here: callers check it once, the same way for every runtime.
 */
public final class NativeEvaluators
{
    /** ai.onnx.ml opsets whose tree and linear operators keep the classic attributes read here. */
    static final long MAX_ML_OPSET = 4;
    /** {@code Slice} reads starts/ends/axes/steps from inputs from opset 10 on. */
    private static final long MIN_SLICE_OPSET = 10;

    /** How a tree ensemble's trees are laid out in memory; the router's {@code tree-layout} setting. */
    public enum TreeLayout
    {
        /** Padded to equal depth when the padding stays small, linked otherwise. */
        AUTO,
        /** Padded to equal depth, walked without data-dependent branches (up to depth 12; linked beyond). */
        PERFECT,
        /** Each node with its two children: compact for deep or lopsided trees. */
        LINKED
    }

    private NativeEvaluators()
    {
    }

    /**
     * A scorer for the model, computing the config's outputs for rows of {@code config.featureCount()}
     * floats, or the reason the graph needs ONNX Runtime. The outputs' forms are ONNX Runtime's reading of
     * the same graph; the native scorer answers float columns only.
     */
    public static Scorer compile(final byte[] onnxModel, final ModelConfig config, final int maxRows,
        final TreeLayout treeLayout, final List<OutputForm> forms)
        throws UnsupportedGraphException
    {
        final Graph graph = Graph.parse(onnxModel);
        String chainObstacle = "inputs " + config.inputs().stream().map(InputSpec::name).toList() +
            ": the chain evaluators take one float input of every feature";
        if (config.isSingleFloatInput())
        {
            chainObstacle = null;
            for (final OutputForm form : forms)
            {
                if (form.kind() != OutputForm.Kind.SCORE || form.width() != 1)
                {
                    chainObstacle = "output " + form + ": the chain evaluators answer one-column scores";
                }
            }
        }
        if (null == chainObstacle)
        {
            try
            {
                return new Compilation(graph, config, treeLayout).scorer(maxRows, forms);
            }
            catch (final UnsupportedGraphException ex)
            {
                chainObstacle = ex.getMessage();
            }
        }
        try
        {
            return TabularPipeline.compile(graph, config, maxRows, treeLayout, forms);
        }
        catch (final UnsupportedGraphException ex)
        {
            throw new UnsupportedGraphException(chainObstacle + "; as a tabular pipeline: " + ex.getMessage());
        }
    }

    /** Walks the chain once, collecting the head, the ops after it and where each value appears. */
    private static final class Compilation
    {
        private final Graph graph;
        private final ModelConfig config;
        private final int featureCount;
        private final TreeLayout treeLayout;
        private final Set<NodeProto> visited = new HashSet<>();
        private final List<Byte> vectorOps = new ArrayList<>();
        private final List<Byte> scalarOps = new ArrayList<>();
        /** Chain values one column wide, by name: how many scalar ops come before each. */
        private final Map<String, Integer> scalarPositions = new HashMap<>();
        private RowFunction head;
        /** The head is a MatMul or Gemm, whose bias an Add straight after it joins. */
        private boolean headIsProduct;
        /** Nodes followed after the head. */
        private int followed;
        private int width;
        private int column = -1;

        Compilation(final Graph graph, final ModelConfig config, final TreeLayout treeLayout)
        {
            this.graph = graph;
            this.config = config;
            this.featureCount = config.featureCount();
            this.treeLayout = treeLayout;
        }

        Scorer scorer(final int maxRows, final List<OutputForm> forms) throws UnsupportedGraphException
        {
            final String inputName = config.inputs().get(0).name();
            if (!graph.inputs().equals(List.of(inputName)))
            {
                throw new UnsupportedGraphException("graph inputs " + graph.inputs() + ", expected only '" +
                    inputName + "'");
            }
            String value = readHead();
            while (true)
            {
                final List<NodeProto> consumers = graph.consumersOf(value);
                if (consumers.isEmpty())
                {
                    break;
                }
                if (consumers.size() > 1)
                {
                    throw new UnsupportedGraphException("value '" + value + "' is read by " + consumers.size() + " nodes");
                }
                value = follow(consumers.get(0), value);
            }
            for (final NodeProto node : graph.nodes())
            {
                if (!visited.contains(node))
                {
                    throw new UnsupportedGraphException(Graph.describe(node) + " is off the supported chain");
                }
            }
            return newScorer(maxRows, forms);
        }

        private String readHead() throws UnsupportedGraphException
        {
            final List<NodeProto> consumers = graph.consumersOf(config.inputs().get(0).name());
            if (consumers.size() != 1)
            {
                throw new UnsupportedGraphException("the input is read by " + consumers.size() + " nodes, not one");
            }
            final NodeProto node = consumers.get(0);
            visited.add(node);
            if (!node.getInput(0).equals(config.inputs().get(0).name()))
            {
                throw new UnsupportedGraphException(Graph.describe(node) + " does not take the input first");
            }
            final String output;
            if (Graph.isMl(node))
            {
                if (graph.opset(node) < 1 || graph.opset(node) > MAX_ML_OPSET)
                {
                    throw new UnsupportedGraphException("ai.onnx.ml opset " + graph.opset(node));
                }
                switch (node.getOpType())
                {
                    case TreeEnsemble.REGRESSOR -> head = TreeEnsemble.regressor(node, featureCount, treeLayout);
                    case TreeEnsemble.CLASSIFIER -> head = TreeEnsemble.classifier(node, featureCount, treeLayout);
                    case LinearModel.LINEAR_REGRESSOR -> head = LinearModel.regressor(node, featureCount);
                    case LinearModel.LINEAR_CLASSIFIER -> head = LinearModel.classifier(node, featureCount);
                    default -> throw unsupported(node);
                }
                output = isClassifier(node) ? scoresOfClassifier(node) : node.getOutput(0);
            }
            else if (Graph.isStandard(node) && "MatMul".equals(node.getOpType()))
            {
                head = LinearModel.matMul(node, graph, featureCount);
                headIsProduct = true;
                output = node.getOutput(0);
            }
            else if (Graph.isStandard(node) && "Gemm".equals(node.getOpType()))
            {
                head = LinearModel.gemm(node, graph, featureCount);
                headIsProduct = true;
                output = node.getOutput(0);
            }
            else
            {
                throw unsupported(node);
            }
            width = head.width();
            markIfScalar(output);
            return output;
        }

        private static boolean isClassifier(final NodeProto node)
        {
            return node.getOpType().endsWith("Classifier");
        }

        /** A classifier's second output; its first, the label, must not be read. */
        private String scoresOfClassifier(final NodeProto node) throws UnsupportedGraphException
        {
            if (node.getOutputCount() != 2)
            {
                throw new UnsupportedGraphException(Graph.describe(node) + ": two outputs expected");
            }
            if (!graph.consumersOf(node.getOutput(0)).isEmpty())
            {
                throw new UnsupportedGraphException(Graph.describe(node) + ": its label output is read");
            }
            return node.getOutput(1);
        }

        /** Adds one node reading {@code value} to the chain; returns the node's output. */
        private String follow(final NodeProto node, final String value) throws UnsupportedGraphException
        {
            visited.add(node);
            followed++;
            if (!Graph.isStandard(node) || node.getOutputCount() != 1 || !node.getInput(0).equals(value) &&
                !"Add".equals(node.getOpType()))
            {
                throw unsupported(node);
            }
            final String output = node.getOutput(0);
            switch (node.getOpType())
            {
                case "Identity" -> new Attributes(node, Set.of());
                case "Sigmoid" ->
                {
                    new Attributes(node, Set.of());
                    (currentWidth() > 1 ? vectorOps : scalarOps).add(NativeScorer.SIGMOID);
                }
                case "Softmax" -> softmax(node);
                case "Add" -> foldAdd(node, value);
                case "Slice" -> select(node, sliceColumn(node));
                case "Gather" -> select(node, gatherColumn(node));
                default -> throw unsupported(node);
            }
            markIfScalar(output);
            return output;
        }

        private void softmax(final NodeProto node) throws UnsupportedGraphException
        {
            final Attributes attributes = new Attributes(node, Set.of("axis"));
            final long axis = attributes.i("axis", -1);
            if (currentWidth() == 1 || axis != 1 && axis != -1)
            {
                throw attributes.unsupported("only over the classes of a row of two or more");
            }
            vectorOps.add(NativeScorer.SOFTMAX);
        }

        /** An {@code Add} of a constant straight after a MatMul or Gemm becomes part of its bias. */
        private void foldAdd(final NodeProto node, final String value) throws UnsupportedGraphException
        {
            new Attributes(node, Set.of());
            if (!headIsProduct || followed != 1 || node.getInputCount() != 2)
            {
                throw new UnsupportedGraphException(Graph.describe(node) + ": only a constant added to MatMul or Gemm");
            }
            final String other = node.getInput(0).equals(value) ? node.getInput(1) : node.getInput(0);
            head = ((LinearModel)head).plus(graph.constant(other, node), 1f, node);
            scalarPositions.remove(value);
        }

        private int sliceColumn(final NodeProto node) throws UnsupportedGraphException
        {
            new Attributes(node, Set.of());
            if (graph.opset(node) < MIN_SLICE_OPSET || node.getInputCount() < 4)
            {
                throw new UnsupportedGraphException(Graph.describe(node) + ": only opset 10+ with explicit axes");
            }
            final long[] starts = graph.constant(node.getInput(1), node).longs();
            final long[] ends = graph.constant(node.getInput(2), node).longs();
            final long[] axes = graph.constant(node.getInput(3), node).longs();
            final long[] steps = node.getInputCount() > 4 && !node.getInput(4).isEmpty() ?
                graph.constant(node.getInput(4), node).longs() : new long[]{1};
            if (starts.length != 1 || ends.length != 1 || axes.length != 1 || steps.length != 1 ||
                axes[0] != 1 && axes[0] != -1 || steps[0] != 1)
            {
                throw new UnsupportedGraphException(Graph.describe(node) + ": only one column of the last axis");
            }
            final int width = currentWidth();
            final long start = Math.max(0, Math.min(width, starts[0] < 0 ? starts[0] + width : starts[0]));
            final long end = Math.max(0, Math.min(width, ends[0] < 0 ? ends[0] + width : ends[0]));
            if (end - start != 1)
            {
                throw new UnsupportedGraphException(Graph.describe(node) + ": selects " + Math.max(0, end - start) +
                    " columns, not one");
            }
            return (int)start;
        }

        private int gatherColumn(final NodeProto node) throws UnsupportedGraphException
        {
            final Attributes attributes = new Attributes(node, Set.of("axis"));
            final long axis = attributes.i("axis", 0);
            final int width = currentWidth();
            final Tensor indices = graph.constant(node.getInput(1), node);
            final long[] index = indices.longs();
            if (axis != 1 && axis != -1 || indices.dims().length != 1 || index.length != 1 ||
                index[0] < -width || index[0] >= width)
            {
                throw attributes.unsupported("only one column of the last axis, by a one-element index list");
            }
            return (int)(index[0] < 0 ? index[0] + width : index[0]);
        }

        /** Selecting the only column of a one-column value changes nothing. */
        private void select(final NodeProto node, final int selected) throws UnsupportedGraphException
        {
            if (currentWidth() > 1)
            {
                column = selected;
            }
        }

        /** The width of the chain's current value: the head's until a column is selected, then one. */
        private int currentWidth()
        {
            return column >= 0 ? 1 : width;
        }

        /** Values one column wide can be configured outputs: the head's (if one wide) or any after the selection. */
        private void markIfScalar(final String value)
        {
            if (currentWidth() == 1)
            {
                scalarPositions.put(value, scalarOps.size());
            }
        }

        private Scorer newScorer(final int maxRows, final List<OutputForm> forms) throws UnsupportedGraphException
        {
            final List<OutputSpec> outputs = config.outputs();
            final Integer[] order = new Integer[outputs.size()];
            final int[] positions = new int[outputs.size()];
            for (int j = 0; j < outputs.size(); j++)
            {
                final Integer position = scalarPositions.get(outputs.get(j).name());
                if (null == position)
                {
                    throw new UnsupportedGraphException("output '" + outputs.get(j).name() +
                        "' is not a one-column value of the chain");
                }
                order[j] = j;
                positions[j] = position;
            }
            Arrays.sort(order, (a, b) -> Integer.compare(positions[a], positions[b]));
            final int[] tapOutput = new int[order.length];
            final int[] tapAfter = new int[order.length];
            for (int t = 0; t < order.length; t++)
            {
                tapOutput[t] = order[t];
                tapAfter[t] = positions[order[t]];
            }
            return new NativeScorer(head, toBytes(vectorOps), Math.max(column, 0), toBytes(scalarOps), tapOutput,
                tapAfter, featureCount, maxRows, forms);
        }

        private static byte[] toBytes(final List<Byte> ops)
        {
            final byte[] bytes = new byte[ops.size()];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = ops.get(i);
            }
            return bytes;
        }

        private static UnsupportedGraphException unsupported(final NodeProto node)
        {
            return new UnsupportedGraphException(Graph.describe(node) + " is not supported");
        }
    }
}
