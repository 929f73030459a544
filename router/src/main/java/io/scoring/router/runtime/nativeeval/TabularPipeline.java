package io.scoring.router.runtime.nativeeval;

import io.scoring.proto.onnx.NodeProto;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.InputSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.OutputForm;
import io.scoring.router.runtime.Scorer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the graphs skl2onnx writes for tabular pipelines (several typed inputs, string columns
 * one-hot encoded inside the graph, a linear classifier, a ZipMap) to a list of per-row steps over one
 * float scratch array, so that such a model is served without ONNX Runtime and without its string
 * tensors: a string column's value is the category's index in the assembled row, mapped at compile
 * time to its position in the OneHotEncoder's {@code cats_strings}.
 *
 * <p>Supported nodes, with ONNX Runtime's semantics: ai.onnx.ml {@code Scaler}, {@code Imputer} (float),
 * {@code Binarizer}, {@code Normalizer} (MAX, L1, L2), {@code ArrayFeatureExtractor} (constant indices),
 * {@code OneHotEncoder} ({@code zeros} = 1), {@code LabelEncoder} (string, int64 or float keys to int64
 * or float values, opset 1's {@code classes_strings} and opset 2's {@code keys_*} / {@code values_*}; string
 * keys mapped at compile time to the column's category codes), {@code LinearClassifier} (labels and
 * scores), {@code TreeEnsembleClassifier} (int64 labels and scores, or scores alone for string labels) and
 * {@code TreeEnsembleRegressor} (every target), both evaluated by {@link TreeEnsemble} as the whole-model
 * evaluator does, {@code ZipMap}; standard {@code Concat} (on the last axis), {@code Reshape} /
 * {@code Flatten} to one row per batch entry, {@code Identity}, {@code Cast} to float or int64, and what
 * onnxmltools writes around trees: {@code Mul} and {@code Div} by a constant (a scalar or one per column),
 * {@code Exp}. Anything else throws {@link UnsupportedGraphException} and ONNX Runtime serves the version:
 * string outputs (a LabelEncoder to strings, a tree classifier's string label) among them.
 *
 * <p>Load time only; the {@link Scorer} it builds allocates nothing per call.
 */
final class TabularPipeline
{
    private static final Set<String> SCALER = Set.of("offset", "scale");
    private static final Set<String> IMPUTER = Set.of("imputed_value_floats", "replaced_value_float");
    private static final Set<String> BINARIZER = Set.of("threshold");
    private static final Set<String> NORMALIZER = Set.of("norm");
    private static final Set<String> ONE_HOT = Set.of("cats_strings", "cats_int64s", "zeros");
    private static final Set<String> ZIPMAP = Set.of("classlabels_int64s", "classlabels_strings");
    private static final Set<String> CONCAT = Set.of("axis");
    private static final Set<String> CAST = Set.of("to", "saturate");
    private static final Set<String> FLATTEN = Set.of("axis");
    private static final Set<String> LABEL_ENCODER = Set.of("classes_strings", "keys_strings", "keys_int64s",
        "keys_floats", "values_strings", "values_int64s", "values_floats", "default_string", "default_int64",
        "default_float");
    private static final Set<String> NONE = Set.of();
    private static final int TENSOR_FLOAT = 1;
    private static final int TENSOR_INT64 = 7;
    /** Integers up to this magnitude are exact in the float scratch. */
    private static final long FLOAT_EXACT = 1L << 24;

    /** Where a value lives in the scratch, how wide it is per row, and, for string columns, whose categories. */
    private record Value(int offset, int width, FeatureSpec[] strings)
    {
        boolean isStrings()
        {
            return null != strings;
        }
    }

    private final Graph graph;
    private final ModelConfig config;
    private final NativeEvaluators.TreeLayout treeLayout;
    private final Map<String, Value> values = new HashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private int scratchSize;

    private TabularPipeline(final Graph graph, final ModelConfig config, final NativeEvaluators.TreeLayout treeLayout)
    {
        this.graph = graph;
        this.config = config;
        this.treeLayout = treeLayout;
    }

    /** A scorer computing the outputs' fetched values natively, or the first obstacle. */
    static Scorer compile(final Graph graph, final ModelConfig config, final int maxRows,
        final NativeEvaluators.TreeLayout treeLayout, final List<OutputForm> forms) throws UnsupportedGraphException
    {
        return new TabularPipeline(graph, config, treeLayout).scorer(maxRows, forms);
    }

    private Scorer scorer(final int maxRows, final List<OutputForm> forms) throws UnsupportedGraphException
    {
        final List<int[]> inputColumns = new ArrayList<>();
        final List<Integer> inputOffsets = new ArrayList<>();
        for (final InputSpec input : config.inputs())
        {
            final boolean strings = input.type() == InputSpec.ElementType.STRING;
            final Value value = allocate(input.width(), strings ? input.features().toArray(new FeatureSpec[0]) : null);
            values.put(input.name(), value);
            inputColumns.add(input.features().stream().mapToInt(FeatureSpec::index).toArray());
            inputOffsets.add(value.offset);
        }
        for (final NodeProto node : graph.nodes())
        {
            compile(node);
        }
        final int[] outputOffsets = new int[forms.size()];
        for (int j = 0; j < forms.size(); j++)
        {
            final OutputForm form = forms.get(j);
            final Value value = values.get(form.fetched());
            if (null == value || value.isStrings() || value.width != form.width())
            {
                throw new UnsupportedGraphException("output '" + form.fetched() + "' is not a computed number column");
            }
            outputOffsets[j] = value.offset + form.column();
        }
        return new PipelineScorer(inputColumns.toArray(new int[0][]),
            inputOffsets.stream().mapToInt(Integer::intValue).toArray(), steps.toArray(new Step[0]), scratchSize,
            outputOffsets, config.featureCount(), maxRows, forms);
    }

    private Value allocate(final int width, final FeatureSpec[] strings)
    {
        final Value value = new Value(scratchSize, width, strings);
        scratchSize += width;
        return value;
    }

    private Value input(final NodeProto node, final int i) throws UnsupportedGraphException
    {
        final Value value = values.get(node.getInput(i));
        if (null == value)
        {
            throw new UnsupportedGraphException(Graph.describe(node) + ": input '" + node.getInput(i) +
                "' is not computed before it (or is not a row value)");
        }
        return value;
    }

    private Value numbers(final NodeProto node) throws UnsupportedGraphException
    {
        final Value in = input(node, 0);
        if (in.isStrings())
        {
            throw new UnsupportedGraphException(Graph.describe(node) + " on strings");
        }
        return in;
    }

    private void define(final NodeProto node, final int output, final Value value)
    {
        values.put(node.getOutput(output), value);
    }

    private void compile(final NodeProto node) throws UnsupportedGraphException
    {
        final String op = (Graph.isMl(node) ? "ml." : Graph.isStandard(node) ? "" : "?") + node.getOpType();
        switch (op)
        {
            case "Identity" -> alias(node, NONE);
            case "ml.ZipMap" -> alias(node, ZIPMAP);
            case "Reshape" -> reshape(node);
            case "Flatten" -> alias(node, FLATTEN);
            case "Cast" -> cast(node);
            case "ml.Scaler" -> scaler(node);
            case "ml.Imputer" -> imputer(node);
            case "ml.Binarizer" -> binarizer(node);
            case "ml.Normalizer" -> normalizer(node);
            case "ml.ArrayFeatureExtractor" -> extractor(node);
            case "ml.OneHotEncoder" -> oneHot(node);
            case "Concat" -> concat(node);
            case "ml.LinearClassifier" -> linearClassifier(node);
            case "ml.TreeEnsembleClassifier" -> treeClassifier(node);
            case "ml.TreeEnsembleRegressor" -> treeRegressor(node);
            case "ml.LabelEncoder" -> labelEncoder(node);
            case "Mul", "Div" -> byConstant(node);
            case "Exp" -> exp(node);
            default -> throw new UnsupportedGraphException(Graph.describe(node) + " is not a supported pipeline step");
        }
    }

    private void alias(final NodeProto node, final Set<String> attributes) throws UnsupportedGraphException
    {
        new Attributes(node, attributes);
        define(node, 0, input(node, 0));
    }

    private void reshape(final NodeProto node) throws UnsupportedGraphException
    {
        new Attributes(node, Set.of("allowzero"));
        final Value in = input(node, 0);
        final long[] shape = graph.constant(node.getInput(1), node).longs();
        if (shape.length != 2 || shape[0] != -1 || shape[1] != in.width)
        {
            throw new UnsupportedGraphException(Graph.describe(node) + ": only to [-1, " + in.width + "], got " +
                Arrays.toString(shape));
        }
        define(node, 0, in);
    }

    private void cast(final NodeProto node) throws UnsupportedGraphException
    {
        final long to = new Attributes(node, CAST).i("to", 0);
        final Value in = input(node, 0);
        if (in.isStrings() || to != TENSOR_FLOAT && to != TENSOR_INT64)
        {
            throw new UnsupportedGraphException(Graph.describe(node) + ": only numbers to float or int64");
        }
        if (to == TENSOR_INT64)
        {
            final Value out = allocate(in.width, null);
            steps.add((s) ->
            {
                for (int k = 0; k < in.width; k++)
                {
                    s[out.offset + k] = (long)s[in.offset + k];
                }
            });
            define(node, 0, out);
            return;
        }
        define(node, 0, in);
    }

    private void scaler(final NodeProto node) throws UnsupportedGraphException
    {
        final Attributes attributes = new Attributes(node, SCALER);
        final Value in = numbers(node);
        final float[] offset = broadcast(attributes.floats("offset"), in.width, 0f, attributes);
        final float[] scale = broadcast(attributes.floats("scale"), in.width, 1f, attributes);
        final Value out = allocate(in.width, null);
        steps.add((s) ->
        {
            for (int k = 0; k < in.width; k++)
            {
                s[out.offset + k] = (s[in.offset + k] - offset[k]) * scale[k];
            }
        });
        define(node, 0, out);
    }

    private void imputer(final NodeProto node) throws UnsupportedGraphException
    {
        final Attributes attributes = new Attributes(node, IMPUTER);
        final Value in = numbers(node);
        final float[] imputed = broadcast(attributes.floats("imputed_value_floats"), in.width, Float.NaN, attributes);
        final float replaced = attributes.f("replaced_value_float", Float.NaN);
        final Value out = allocate(in.width, null);
        steps.add((s) ->
        {
            for (int k = 0; k < in.width; k++)
            {
                final float v = s[in.offset + k];
                s[out.offset + k] = Float.isNaN(v) && Float.isNaN(replaced) || v == replaced ? imputed[k] : v;
            }
        });
        define(node, 0, out);
    }

    private void binarizer(final NodeProto node) throws UnsupportedGraphException
    {
        final float threshold = new Attributes(node, BINARIZER).f("threshold", 0f);
        final Value in = numbers(node);
        final Value out = allocate(in.width, null);
        steps.add((s) ->
        {
            for (int k = 0; k < in.width; k++)
            {
                final float v = s[in.offset + k];
                s[out.offset + k] = Float.isNaN(v) ? v : v > threshold ? 1f : 0f;
            }
        });
        define(node, 0, out);
    }

    private void normalizer(final NodeProto node) throws UnsupportedGraphException
    {
        final String norm = new Attributes(node, NORMALIZER).s("norm", "MAX");
        final Value in = numbers(node);
        final Value out = allocate(in.width, null);
        final int kind = switch (norm)
        {
            case "MAX" -> 0;
            case "L1" -> 1;
            case "L2" -> 2;
            default -> throw new UnsupportedGraphException(Graph.describe(node) + ": norm " + norm);
        };
        steps.add((s) ->
        {
            float total = kind == 0 ? Float.NEGATIVE_INFINITY : 0f;
            for (int k = 0; k < in.width; k++)
            {
                final float v = s[in.offset + k];
                total = kind == 0 ? Math.max(total, v) : kind == 1 ? total + Math.abs(v) : total + v * v;
            }
            final float divisor = kind == 2 ? (float)Math.sqrt(total) : total;
            for (int k = 0; k < in.width; k++)
            {
                s[out.offset + k] = s[in.offset + k] / divisor;
            }
        });
        define(node, 0, out);
    }

    private void extractor(final NodeProto node) throws UnsupportedGraphException
    {
        new Attributes(node, NONE);
        final Value in = input(node, 0);
        final long[] indices = graph.constant(node.getInput(1), node).longs();
        FeatureSpec[] strings = null;
        if (in.isStrings())
        {
            strings = new FeatureSpec[indices.length];
        }
        for (int k = 0; k < indices.length; k++)
        {
            if (indices[k] < 0 || indices[k] >= in.width)
            {
                throw new UnsupportedGraphException(Graph.describe(node) + ": index " + indices[k] + " of " + in.width);
            }
            if (null != strings)
            {
                strings[k] = in.strings[(int)indices[k]];
            }
        }
        final Value out = allocate(indices.length, strings);
        steps.add((s) ->
        {
            for (int k = 0; k < indices.length; k++)
            {
                s[out.offset + k] = s[in.offset + (int)indices[k]];
            }
        });
        define(node, 0, out);
    }

    /** Per input column, the one-hot position of each category index (-1: not among the encoder's categories). */
    private void oneHot(final NodeProto node) throws UnsupportedGraphException
    {
        final Attributes attributes = new Attributes(node, ONE_HOT);
        if (attributes.i("zeros", 1) != 1)
        {
            throw attributes.unsupported("zeros = 0 (ONNX Runtime fails the call on an unknown category)");
        }
        final Value in = input(node, 0);
        final String[] names = attributes.strings("cats_strings");
        final long[] numbers = attributes.ints("cats_int64s");
        if (in.isStrings() != (names.length > 0) || names.length > 0 == numbers.length > 0)
        {
            throw attributes.unsupported("string categories for a string input, int64 categories for a number");
        }
        final int categories = names.length + numbers.length;
        final int[][] positions = new int[in.width][];
        for (int c = 0; c < in.width; c++)
        {
            if (in.isStrings())
            {
                final List<String> featureCategories = in.strings[c].categories();
                positions[c] = new int[featureCategories.size()];
                for (int code = 0; code < positions[c].length; code++)
                {
                    positions[c][code] = Arrays.asList(names).indexOf(featureCategories.get(code));
                }
            }
        }
        final Value out = allocate(in.width * categories, null);
        final boolean strings = in.isStrings();
        steps.add((s) ->
        {
            Arrays.fill(s, out.offset, out.offset + out.width, 0f);
            for (int c = 0; c < in.width; c++)
            {
                final float v = s[in.offset + c];
                int position = -1;
                if (strings)
                {
                    position = v >= 0 && v < positions[c].length && v == (int)v ? positions[c][(int)v] : -1;
                }
                else
                {
                    for (int k = 0; k < numbers.length && position < 0; k++)
                    {
                        position = numbers[k] == (long)v ? k : -1;
                    }
                }
                if (position >= 0)
                {
                    s[out.offset + c * categories + position] = 1f;
                }
            }
        });
        define(node, 0, out);
    }

    private void concat(final NodeProto node) throws UnsupportedGraphException
    {
        new Attributes(node, CONCAT);
        final Value[] ins = new Value[node.getInputCount()];
        int width = 0;
        for (int i = 0; i < ins.length; i++)
        {
            ins[i] = numbers(node.toBuilder().setInput(0, node.getInput(i)).build());
            width += ins[i].width;
        }
        final long axis = new Attributes(node, CONCAT).i("axis", 1);
        if (axis < 1)
        {
            throw new UnsupportedGraphException(Graph.describe(node) + ": only along a row (axis >= 1 or -1)");
        }
        final Value out = allocate(width, null);
        steps.add((s) ->
        {
            int at = out.offset;
            for (final Value in : ins)
            {
                System.arraycopy(s, in.offset, s, at, in.width);
                at += in.width;
            }
        });
        define(node, 0, out);
    }

    private void linearClassifier(final NodeProto node) throws UnsupportedGraphException
    {
        final Value in = numbers(node);
        final LinearModel scores = LinearModel.classifier(node, in.width);
        final Attributes attributes = new Attributes(node, Set.of("coefficients", "intercepts", "classlabels_ints",
            "classlabels_strings", "multi_class", "post_transform"));
        final int stringLabels = attributes.strings("classlabels_strings").length;
        // A string label is carried as its index in classlabels_strings (OutputForm.Kind.STRING_LABEL)
        final long[] labels = stringLabels > 0 ? java.util.stream.LongStream.range(0, stringLabels).toArray() :
            attributes.ints("classlabels_ints");
        if (labels.length != scores.width() || scores.width() < 2)
        {
            throw new UnsupportedGraphException(Graph.describe(node) + ": labels need one intercept per class");
        }
        classifierStep(node, in, scores.width(), (row, offset, scratch) -> labels[scores.classIndex(row, offset, scratch)]);
    }

    /** A row's label, its class scores left in the scratch. */
    @FunctionalInterface
    private interface Classification
    {
        long label(float[] row, int offset, RowFunction.Scratch scratch);
    }

    /** A classifier's step: its label (output 0) and its class scores (output 1), through one scratch per thread. */
    private void classifierStep(final NodeProto node, final Value in, final int classes, final Classification classification)
    {
        final Value label = allocate(1, null);
        final Value out = allocate(classes, null);
        final ThreadLocal<RowFunction.Scratch> scratchOfThread = ThreadLocal.withInitial(() -> new RowFunction.Scratch(classes));
        steps.add((s) ->
        {
            final RowFunction.Scratch scratch = scratchOfThread.get();
            s[label.offset] = classification.label(s, in.offset, scratch);
            System.arraycopy(scratch.values, 0, s, out.offset, out.width);
        });
        define(node, 0, label);
        if (node.getOutputCount() > 1)
        {
            define(node, 1, out);
        }
    }

    /**
     * The label and the class scores, both from the one {@link TreeEnsemble} the whole-model evaluator
     * uses, reading the row where the input value sits. A string label is carried as its index in
     * {@code classlabels_strings} (OutputForm.Kind.STRING_LABEL), which is what {@link TreeEnsemble#classify}
     * returns for string labels.
     */
    private void treeClassifier(final NodeProto node) throws UnsupportedGraphException
    {
        final Value in = numbers(node);
        checkTreeOpset(node);
        final TreeEnsemble trees = TreeEnsemble.classifier(node, in.width, treeLayout);
        classifierStep(node, in, trees.width(), trees::classify);
    }

    private void treeRegressor(final NodeProto node) throws UnsupportedGraphException
    {
        final Value in = numbers(node);
        checkTreeOpset(node);
        final TreeEnsemble trees = TreeEnsemble.regressor(node, in.width, treeLayout);
        final Value out = allocate(trees.width(), null);
        if (trees.width() == 1)
        {
            // the single-target path walks the trees side by side and needs no scratch
            steps.add((s) -> s[out.offset] = trees.evaluate(s, in.offset));
        }
        else
        {
            final ThreadLocal<RowFunction.Scratch> scratchOfThread =
                ThreadLocal.withInitial(() -> new RowFunction.Scratch(trees.width()));
            steps.add((s) ->
            {
                final RowFunction.Scratch scratch = scratchOfThread.get();
                trees.evaluate(s, in.offset, scratch);
                System.arraycopy(scratch.values, 0, s, out.offset, out.width);
            });
        }
        define(node, 0, out);
    }

    private void checkTreeOpset(final NodeProto node) throws UnsupportedGraphException
    {
        if (graph.opset(node) < 1 || graph.opset(node) > NativeEvaluators.MAX_ML_OPSET)
        {
            throw new UnsupportedGraphException(Graph.describe(node) + ": ai.onnx.ml opset " + graph.opset(node));
        }
    }

    /**
     * ai.onnx.ml {@code LabelEncoder} to numbers: opset 1's {@code classes_strings} (a string's index, else
     * {@code default_int64}) and opset 2's {@code keys_*} / {@code values_int64s} or {@code values_floats}
     * (else {@code default_int64}, -1, or {@code default_float}, -0). String keys are mapped at compile time to
     * each column's category codes, as ONNX Runtime would see the names: a code outside the categories
     * reaches it as "". Numbers are looked up by binary search of the sorted keys; int64 keys match the
     * input truncated as the gateway truncates it for an int64 tensor. String values, NaN or duplicate
     * keys, and int64 values a float cannot hold exactly are refused.
     */
    private void labelEncoder(final NodeProto node) throws UnsupportedGraphException
    {
        final Attributes attributes = new Attributes(node, LABEL_ENCODER);
        final Value in = input(node, 0);
        final String[] classes = attributes.strings("classes_strings");
        final String[] stringKeys;
        final float[] mapped;
        final float absent;
        if (classes.length > 0)
        {
            if (hasAny(attributes, "keys_strings", "keys_int64s", "keys_floats", "values_strings", "values_int64s",
                "values_floats", "default_float"))
            {
                throw attributes.unsupported("classes_strings mixed with keys or values");
            }
            stringKeys = classes;
            mapped = new float[classes.length];
            for (int k = 0; k < mapped.length; k++)
            {
                mapped[k] = k;
            }
            absent = exactInteger(attributes.i("default_int64", -1), attributes);
        }
        else
        {
            final long[] intValues = attributes.ints("values_int64s");
            final float[] floatValues = attributes.floats("values_floats");
            if (attributes.strings("values_strings").length > 0 || intValues.length > 0 == floatValues.length > 0)
            {
                throw attributes.unsupported("only int64 or float values (a string output is not a number column)");
            }
            mapped = intValues.length > 0 ? new float[intValues.length] : floatValues;
            for (int k = 0; k < intValues.length; k++)
            {
                mapped[k] = exactInteger(intValues[k], attributes);
            }
            absent = intValues.length > 0 ? exactInteger(attributes.i("default_int64", -1), attributes) :
                attributes.f("default_float", -0f);
            stringKeys = attributes.strings("keys_strings");
        }
        final long[] intKeys = attributes.ints("keys_int64s");
        final float[] floatKeys = attributes.floats("keys_floats");
        final int keyCount = stringKeys.length + intKeys.length + floatKeys.length;
        if (keyCount != mapped.length || keyCount != Math.max(stringKeys.length, Math.max(intKeys.length, floatKeys.length)))
        {
            throw attributes.unsupported("one list of keys, as long as the values");
        }
        if (in.isStrings() != (stringKeys.length > 0))
        {
            throw attributes.unsupported("string keys for a string input, numbers for a number");
        }
        final Value out = allocate(in.width, null);
        if (in.isStrings())
        {
            final Map<String, Float> valueOfKey = new HashMap<>();
            for (int k = 0; k < stringKeys.length; k++)
            {
                if (null != valueOfKey.put(stringKeys[k], mapped[k]))
                {
                    throw attributes.unsupported("key '" + stringKeys[k] + "' is listed twice");
                }
            }
            final float[][] valueOfCode = new float[in.width][];
            for (int c = 0; c < in.width; c++)
            {
                final List<String> categories = in.strings[c].categories();
                valueOfCode[c] = new float[categories.size()];
                for (int code = 0; code < categories.size(); code++)
                {
                    valueOfCode[c][code] = valueOfKey.getOrDefault(categories.get(code), absent);
                }
            }
            final float unknown = valueOfKey.getOrDefault("", absent);
            steps.add((s) ->
            {
                for (int c = 0; c < in.width; c++)
                {
                    final float v = s[in.offset + c];
                    final float[] values = valueOfCode[c];
                    s[out.offset + c] = v >= 0 && v < values.length && v == (int)v ? values[(int)v] : unknown;
                }
            });
        }
        else if (intKeys.length > 0)
        {
            final Integer[] order = sortedOrder(keyCount, (a, b) -> Long.compare(intKeys[a], intKeys[b]));
            final long[] keys = new long[keyCount];
            final float[] values = new float[keyCount];
            for (int k = 0; k < keyCount; k++)
            {
                keys[k] = intKeys[order[k]];
                values[k] = mapped[order[k]];
                if (k > 0 && keys[k] == keys[k - 1])
                {
                    throw attributes.unsupported("key " + keys[k] + " is listed twice");
                }
            }
            steps.add((s) ->
            {
                for (int c = 0; c < in.width; c++)
                {
                    final int at = Arrays.binarySearch(keys, (long)s[in.offset + c]);
                    s[out.offset + c] = at >= 0 ? values[at] : absent;
                }
            });
        }
        else
        {
            // -0 and 0 are one key, as in ONNX Runtime's hash map; binarySearch would tell them apart
            final Integer[] order = sortedOrder(keyCount, (a, b) -> Float.compare(floatKeys[a] + 0f, floatKeys[b] + 0f));
            final float[] keys = new float[keyCount];
            final float[] values = new float[keyCount];
            for (int k = 0; k < keyCount; k++)
            {
                keys[k] = floatKeys[order[k]] + 0f;
                values[k] = mapped[order[k]];
                if (Float.isNaN(keys[k]) || k > 0 && keys[k] == keys[k - 1])
                {
                    throw attributes.unsupported("a NaN or twice-listed key");
                }
            }
            steps.add((s) ->
            {
                for (int c = 0; c < in.width; c++)
                {
                    final int at = Arrays.binarySearch(keys, s[in.offset + c] + 0f);
                    s[out.offset + c] = at >= 0 ? values[at] : absent;
                }
            });
        }
        define(node, 0, out);
    }

    private static boolean hasAny(final Attributes attributes, final String... names)
    {
        for (final String name : names)
        {
            if (attributes.has(name))
            {
                return true;
            }
        }
        return false;
    }

    private static float exactInteger(final long value, final Attributes attributes) throws UnsupportedGraphException
    {
        if (Math.abs(value) > FLOAT_EXACT)
        {
            throw attributes.unsupported("value " + value + " is not exact in the float a row carries");
        }
        return value;
    }

    private static Integer[] sortedOrder(final int count, final java.util.Comparator<Integer> byKey)
    {
        final Integer[] order = new Integer[count];
        for (int k = 0; k < count; k++)
        {
            order[k] = k;
        }
        Arrays.sort(order, byKey);
        return order;
    }

    /**
     * A row value times or divided by a constant (a scalar or one per column), as onnxmltools writes them
     * around trees: LightGBM's probabilities times 1 without a ZipMap, a random forest's sums divided by
     * 100, XGBoost's log-link regressors' {@code Exp} times the base score.
     */
    private void byConstant(final NodeProto node) throws UnsupportedGraphException
    {
        new Attributes(node, NONE);
        final boolean divide = "Div".equals(node.getOpType());
        final int valueAt = !divide && !values.containsKey(node.getInput(0)) ? 1 : 0;
        final Value in = numbers(node.toBuilder().setInput(0, node.getInput(valueAt)).build());
        final float[] factors = LinearModel.broadcastRow(graph.constant(node.getInput(1 - valueAt), node), in.width, node);
        final Value out = allocate(in.width, null);
        steps.add(divide ? (s) ->
        {
            for (int k = 0; k < in.width; k++)
            {
                s[out.offset + k] = s[in.offset + k] / factors[k];
            }
        } : (s) ->
        {
            for (int k = 0; k < in.width; k++)
            {
                s[out.offset + k] = s[in.offset + k] * factors[k];
            }
        });
        define(node, 0, out);
    }

    private void exp(final NodeProto node) throws UnsupportedGraphException
    {
        new Attributes(node, NONE);
        final Value in = numbers(node);
        final Value out = allocate(in.width, null);
        steps.add((s) ->
        {
            for (int k = 0; k < in.width; k++)
            {
                s[out.offset + k] = (float)Math.exp(s[in.offset + k]);
            }
        });
        define(node, 0, out);
    }

    private static float[] broadcast(final float[] values, final int width, final float absent,
        final Attributes attributes) throws UnsupportedGraphException
    {
        if (values.length == width)
        {
            return values;
        }
        if (values.length > 1)
        {
            throw attributes.unsupported(values.length + " values for " + width + " columns");
        }
        final float[] all = new float[width];
        Arrays.fill(all, values.length == 1 ? values[0] : absent);
        return all;
    }

    /** One node's work on a row, over the row's scratch. */
    @FunctionalInterface
    interface Step
    {
        void run(float[] scratch);
    }

    /**
     * Runs the steps row by row. Threading: immutable but for the per-thread scratch; allocates nothing
     * per call once a thread has its scratch.
     */
    static final class PipelineScorer implements Scorer
    {
        private final int[][] inputColumns;
        private final int[] inputOffsets;
        private final Step[] steps;
        private final int[] outputOffsets;
        private final int featureCount;
        private final int maxRows;
        private final List<OutputForm> forms;
        private final ThreadLocal<float[]> scratchOfThread;

        PipelineScorer(final int[][] inputColumns, final int[] inputOffsets, final Step[] steps, final int scratchSize,
            final int[] outputOffsets, final int featureCount, final int maxRows, final List<OutputForm> forms)
        {
            this.inputColumns = inputColumns;
            this.inputOffsets = inputOffsets;
            this.steps = steps;
            this.outputOffsets = outputOffsets;
            this.featureCount = featureCount;
            this.maxRows = maxRows;
            this.forms = List.copyOf(forms);
            this.scratchOfThread = ThreadLocal.withInitial(() -> new float[scratchSize]);
        }

        @Override
        public int score(final float[] input, final int rows, final float[] output)
        {
            final int outputCount = outputOffsets.length;
            if (rows < 0 || rows > maxRows || input.length < rows * featureCount || output.length < rows * outputCount)
            {
                return FAILED;
            }
            final float[] s = scratchOfThread.get();
            for (int row = 0; row < rows; row++)
            {
                final int base = row * featureCount;
                for (int i = 0; i < inputColumns.length; i++)
                {
                    final int[] columns = inputColumns[i];
                    for (int c = 0; c < columns.length; c++)
                    {
                        s[inputOffsets[i] + c] = input[base + columns[c]];
                    }
                }
                for (final Step step : steps)
                {
                    step.run(s);
                }
                for (int j = 0; j < outputCount; j++)
                {
                    output[row * outputCount + j] = s[outputOffsets[j]];
                }
            }
            return OK;
        }

        @Override
        public List<OutputForm> outputForms()
        {
            return forms;
        }

        @Override
        public String runtimeName()
        {
            return "native-pipeline";
        }

        @Override
        public int maxRows()
        {
            return maxRows;
        }

        @Override
        public void close()
        {
            // nothing held outside the heap
        }
    }
}
