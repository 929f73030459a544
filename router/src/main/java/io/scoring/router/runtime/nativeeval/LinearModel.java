package io.scoring.router.runtime.nativeeval;

import io.scoring.proto.onnx.NodeProto;

import java.util.Arrays;
import java.util.Set;

/**
 * {@code y = alpha * (x . W) + bias} for each of {@link #width()} outputs: the standard {@code MatMul}
 * and {@code Gemm} operators (with a following {@code Add} of a constant folded into the bias, as ONNX
 * Runtime's own optimiser fuses it), and ai.onnx.ml {@code LinearRegressor} / {@code LinearClassifier}
 * with their post transforms.
 *
 * <p>Dot products accumulate in double and round once: exact products and a nearly exact sum, so the
 * result is within an ulp or two of ONNX Runtime's float GEMM whatever order its kernel sums in. (When
 * several inputs near {@code Float.MAX_VALUE} overflow a float partial sum, ONNX Runtime's answer
 * depends on its kernel's order; this one gives the exact sum's rounding.)
 *
 * <p>The ai.onnx.ml post transforms follow ONNX Runtime, surprising parts included: with one target
 * or one class only {@code PROBIT} applies, and a binary {@code LinearClassifier} (one intercept, two
 * labels) writes {@code [1 - s, s]} of its raw score whatever the transform.
 */
final class LinearModel extends RowFunction
{
    static final String LINEAR_REGRESSOR = "LinearRegressor";
    static final String LINEAR_CLASSIFIER = "LinearClassifier";

    private static final Set<String> GEMM_ATTRIBUTES = Set.of("alpha", "beta", "transA", "transB");
    private static final Set<String> REGRESSOR_ATTRIBUTES = Set.of("coefficients", "intercepts", "targets", "post_transform");
    private static final Set<String> CLASSIFIER_ATTRIBUTES = Set.of(
        "coefficients", "intercepts", "classlabels_ints", "classlabels_strings", "multi_class", "post_transform");

    private final int featureCount;
    /** Row k holds output k's weights: {@code weights[k * featureCount + i]}. */
    private final float[] weights;
    private final double alpha;
    private final double[] bias;
    private final PostTransform postTransform;
    /** A binary LinearClassifier's single score s is written as {@code [1 - s, s]}. */
    private final boolean secondClass;

    private LinearModel(final int featureCount, final float[] weights, final double alpha, final double[] bias,
        final PostTransform postTransform, final boolean secondClass)
    {
        super(secondClass ? 2 : bias.length);
        this.featureCount = featureCount;
        this.weights = weights;
        this.alpha = alpha;
        this.bias = bias;
        this.postTransform = postTransform;
        this.secondClass = secondClass;
    }

    /** {@code MatMul(x, W)} with W a constant {@code [featureCount, K]}. */
    static LinearModel matMul(final NodeProto node, final Graph graph, final int featureCount)
        throws UnsupportedGraphException
    {
        new Attributes(node, Set.of());
        if (node.getInputCount() != 2)
        {
            throw new UnsupportedGraphException(Graph.describe(node) + ": two inputs expected");
        }
        final Tensor w = graph.constant(node.getInput(1), node);
        return new LinearModel(featureCount, rowsOf(w, false, featureCount, node), 1.0,
            new double[columns(w, false)], PostTransform.NONE, false);
    }

    /** {@code Gemm(x, B, C)}: {@code alpha * x . B + beta * C}, B optionally transposed, C optional and broadcast. */
    static LinearModel gemm(final NodeProto node, final Graph graph, final int featureCount)
        throws UnsupportedGraphException
    {
        final Attributes attributes = new Attributes(node, GEMM_ATTRIBUTES);
        if (attributes.i("transA", 0) != 0)
        {
            throw attributes.unsupported("transA");
        }
        final boolean transB = attributes.i("transB", 0) != 0;
        final Tensor b = graph.constant(node.getInput(1), node);
        final LinearModel product = new LinearModel(featureCount, rowsOf(b, transB, featureCount, node),
            attributes.f("alpha", 1f), new double[columns(b, transB)], PostTransform.NONE, false);
        if (node.getInputCount() < 3 || node.getInput(2).isEmpty())
        {
            return product;
        }
        return product.plus(graph.constant(node.getInput(2), node), attributes.f("beta", 1f), node);
    }

    /** ai.onnx.ml {@code LinearRegressor}: {@code targets} outputs. */
    static LinearModel regressor(final NodeProto node, final int featureCount) throws UnsupportedGraphException
    {
        final Attributes attributes = new Attributes(node, REGRESSOR_ATTRIBUTES);
        final long targets = attributes.i("targets", 0);
        if (targets < 1 || targets > 1 << 16)
        {
            throw attributes.unsupported("targets " + targets);
        }
        final float[] coefficients = coefficients(attributes, (int)targets, featureCount);
        final float[] intercepts = attributes.floats("intercepts");
        final double[] bias = new double[(int)targets];
        if (intercepts.length == targets)
        {
            Arrays.setAll(bias, (k) -> intercepts[k]);
        }
        return new LinearModel(featureCount, coefficients, 1.0, bias, transform(attributes), false);
    }

    /** ai.onnx.ml {@code LinearClassifier}'s second output, the class scores. */
    static LinearModel classifier(final NodeProto node, final int featureCount) throws UnsupportedGraphException
    {
        final Attributes attributes = new Attributes(node, CLASSIFIER_ATTRIBUTES);
        final float[] intercepts = attributes.floats("intercepts");
        final int classes = intercepts.length;
        final int labels = TreeEnsemble.classCount(attributes, "classlabels_ints");
        if (classes == 0)
        {
            throw attributes.unsupported("no intercepts (ONNX Runtime counts classes by them)");
        }
        final boolean secondClass = classes == 1 && labels == 2;
        if (classes > 1 && labels != classes)
        {
            throw attributes.unsupported(labels + " class labels for " + classes + " intercepts");
        }
        final PostTransform postTransform = transform(attributes);
        if (secondClass && postTransform == PostTransform.PROBIT)
        {
            throw attributes.unsupported("PROBIT on a binary classifier (ONNX Runtime leaves scores unwritten)");
        }
        final double[] bias = new double[classes];
        Arrays.setAll(bias, (k) -> intercepts[k]);
        return new LinearModel(featureCount, coefficients(attributes, classes, featureCount), 1.0, bias,
            secondClass ? PostTransform.NONE : postTransform, secondClass);
    }

    /** This function with {@code scale * c} added to its outputs, c a constant broadcast to {@code [batch, width]}. */
    LinearModel plus(final Tensor c, final float scale, final NodeProto node) throws UnsupportedGraphException
    {
        if (postTransform != PostTransform.NONE || secondClass)
        {
            throw new UnsupportedGraphException(Graph.describe(node) + ": adding after a post transform");
        }
        final float[] values = broadcastRow(c, bias.length, node);
        final double[] sum = bias.clone();
        for (int k = 0; k < sum.length; k++)
        {
            sum[k] += (double)scale * values[k];
        }
        return new LinearModel(featureCount, weights, alpha, sum, postTransform, secondClass);
    }

    @Override
    String runtimeName()
    {
        return "native-linear";
    }

    @Override
    float evaluate(final float[] input, final int offset)
    {
        return finishOne(dot(input, offset, 0));
    }

    @Override
    void evaluate(final float[] input, final int offset, final Scratch scratch)
    {
        classIndex(input, offset, scratch);
    }

    /**
     * {@link #evaluate(float[], int, Scratch)}, returning the index of the class label ONNX Runtime's
     * {@code LinearClassifier} picks, from the raw scores before the post transform (a saturated logistic
     * may tie them): with one score, 1 when it is above 0, else 0; with several, the first largest.
     */
    int classIndex(final float[] input, final int offset, final Scratch scratch)
    {
        final float[] values = scratch.values;
        final int outputs = bias.length;
        if (outputs == 1)
        {
            final float raw = dot(input, offset, 0);
            final float score = finishOne(raw);
            if (secondClass)
            {
                values[0] = 1f - score;
                values[1] = score;
            }
            else
            {
                values[0] = score;
            }
            return raw > 0 ? 1 : 0;
        }
        int best = 0;
        for (int k = 0; k < outputs; k++)
        {
            values[k] = dot(input, offset, k);
            best = values[k] > values[best] ? k : best;
        }
        postTransform.applyTo(values, outputs);
        return best;
    }

    private float dot(final float[] input, final int offset, final int output)
    {
        final float[] weights = this.weights;
        final int featureCount = this.featureCount;
        final int row = output * featureCount;
        double sum = 0;
        for (int i = 0; i < featureCount; i++)
        {
            sum += (double)input[offset + i] * weights[row + i];
        }
        return (float)(alpha * sum + bias[output]);
    }

    /** One score's transform: with a single target or class, ONNX Runtime applies only PROBIT. */
    private float finishOne(final float score)
    {
        return postTransform == PostTransform.PROBIT ? PostTransform.probit(score) : score;
    }

    private static PostTransform transform(final Attributes attributes) throws UnsupportedGraphException
    {
        return PostTransform.parse(attributes.s("post_transform", "NONE"), attributes);
    }

    private static float[] coefficients(final Attributes attributes, final int outputs, final int featureCount)
        throws UnsupportedGraphException
    {
        final float[] coefficients = attributes.floats("coefficients");
        if (coefficients.length != (long)outputs * featureCount)
        {
            throw attributes.unsupported(coefficients.length + " coefficients for " + outputs + " x " + featureCount);
        }
        return coefficients;
    }

    /** A constant weight matrix as rows per output: {@code [features, K]}, or {@code [K, features]} when transposed. */
    private static float[] rowsOf(final Tensor w, final boolean transposed, final int featureCount, final NodeProto node)
        throws UnsupportedGraphException
    {
        final long[] dims = w.dims();
        if (dims.length != 2 || dims[transposed ? 1 : 0] != featureCount || dims[transposed ? 0 : 1] < 1 || !w.isFloat())
        {
            throw new UnsupportedGraphException(Graph.describe(node) + ": weights must be float [" + featureCount +
                ", K]" + (transposed ? " transposed" : "") + ", not " + Arrays.toString(dims));
        }
        final float[] values = w.floats();
        if (transposed)
        {
            return values;
        }
        final int outputs = (int)dims[1];
        final float[] rows = new float[values.length];
        for (int i = 0; i < featureCount; i++)
        {
            for (int k = 0; k < outputs; k++)
            {
                rows[k * featureCount + i] = values[i * outputs + k];
            }
        }
        return rows;
    }

    private static int columns(final Tensor w, final boolean transposed)
    {
        return (int)w.dims()[transposed ? 0 : 1];
    }

    /** A constant that broadcasts to {@code [batch, width]} without growing it, as one value per column. */
    static float[] broadcastRow(final Tensor c, final int width, final NodeProto node) throws UnsupportedGraphException
    {
        final long[] dims = c.dims();
        final boolean fits = c.isFloat() && dims.length <= 2 &&
            (dims.length < 2 || dims[0] == 1) &&
            (dims.length == 0 || dims[dims.length - 1] == 1 || dims[dims.length - 1] == width);
        if (!fits)
        {
            throw new UnsupportedGraphException(Graph.describe(node) + ": a constant of shape " + Arrays.toString(dims) +
                " does not broadcast to [batch, " + width + "]");
        }
        final float[] values = c.floats();
        final float[] row = new float[width];
        for (int k = 0; k < width; k++)
        {
            row[k] = values[values.length == 1 ? 0 : k];
        }
        return row;
    }
}
