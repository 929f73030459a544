package io.scoring.gateway.v2;

import io.scoring.gateway.pipeline.InferTensors;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.model.FeatureSpec;
import io.scoring.router.model.InputSpec;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.model.OutputSpec;

import java.util.List;

/**
 * Reads a V2 (Open Inference Protocol) request's input tensors, as its decoder left them in the
 * context's {@link InferTensors}, into the scoring context. Two forms:
 *
 * <ul>
 *   <li><b>named inputs</b>: one tensor per request-time feature, named after it, plus optionally a
 *   BYTES tensor named after the model's entity key; shape {@code [N]} or {@code [N, 1]}. The gateway
 *   looks the other features up in the store. This is the form ModelMetadata describes.</li>
 *   <li><b>complete input</b>: one tensor per graph input, named after it (e.g. {@code features}, or
 *   skl2onnx's {@code numeric} and {@code categorical}), {@code [N, width]}, typed or raw, scored as
 *   sent. A numeric input takes any numeric datatype (a categorical feature in it as its category's
 *   index); a string input takes BYTES, each cell a category name.</li>
 * </ul>
 *
 * Every mismatch (shape against data, datatype against feature type, rows that disagree) ends the
 * request with INVALID_ARGUMENT naming the input. The rules live here once for every V2 decoder.
 *
 * <p>Stateless. Allocates nothing unless it fails the request (the message is made then).
 */
public final class V2Binder
{
    private static final String BYTES = "BYTES";

    private V2Binder()
    {
    }

    /**
     * Binds every input, in order, stopping at the first that fails.
     *
     * @return {@link Outcome#OK} or the failure, also recorded in the context
     */
    public static Outcome bindAll(final ScoringContext ctx)
    {
        final ModelConfig config = ctx.model().config();
        for (int input = 0, count = ctx.tensors().count(); input < count; input++)
        {
            if (bind(ctx, config, input) != Outcome.OK)
            {
                return ctx.outcome();
            }
        }
        return Outcome.OK;
    }

    /**
     * Binds one input tensor. The first tensor fixes the row count; the others must agree with it.
     *
     * @return {@link Outcome#OK} or the failure, also recorded in the context
     */
    public static Outcome bind(final ScoringContext ctx, final ModelConfig config, final int input)
    {
        final InferTensors tensors = ctx.tensors();
        final CharSequence name = tensors.name(input);
        final long elements = elementCount(tensors, input);
        final int size = tensors.size(input);
        final boolean text = tensors.isText(input);
        if (elements < 0)
        {
            return invalid(ctx, name, "shape " + tensors.shapeText(input) + " has a negative dimension");
        }
        if (elements != size)
        {
            return invalid(ctx, name, "shape " + tensors.shapeText(input) + " holds " + elements +
                " elements, but its data has " + size);
        }
        if (text != BYTES.contentEquals(tensors.datatype(input)))
        {
            return invalid(ctx, name, "datatype " + tensors.datatype(input) + " does not match its data (" +
                (text ? "text" : "numbers") + ")");
        }

        final InputSpec modelInput = config.input(name);
        if (null != modelInput)
        {
            return bindCompleteInput(ctx, config, modelInput, input);
        }
        if (ctx.isCompleteTensor())
        {
            return invalid(ctx, name, "is not one of the model's inputs " + inputNames(config) +
                ", which this request sends complete");
        }

        final int rank = tensors.rank(input);
        if (rank == 0 || rank > 2 || (rank == 2 && tensors.dimension(input, 1) != 1))
        {
            return invalid(ctx, name, "shape must be [N] or [N, 1], got " + tensors.shapeText(input));
        }
        final int rows = (int)tensors.dimension(input, 0);
        if (ctx.rowCount() == 0)
        {
            for (int i = 0; i < rows; i++)
            {
                ctx.addRow("");
            }
        }
        else if (ctx.rowCount() != rows)
        {
            return invalid(ctx, name, "has " + rows + " rows, other inputs have " + ctx.rowCount());
        }

        if (config.entityKey().contentEquals(name))
        {
            if (!text)
            {
                return invalid(ctx, name, "the entity key must be BYTES");
            }
            for (int row = 0; row < rows; row++)
            {
                ctx.entityKey(row, tensors.text(input, row));
            }
            return Outcome.OK;
        }

        for (int row = 0; row < rows; row++)
        {
            if (text)
            {
                ctx.addText(row, name, tensors.text(input, row));
            }
            else
            {
                ctx.addNumber(row, name, tensors.number(input, row));
            }
        }
        return Outcome.OK;
    }

    /**
     * Asks for the model's output of this name in the answer.
     *
     * @return {@link Outcome#OK}, or INVALID_ARGUMENT (also recorded in the context) when the model has none
     */
    public static Outcome requestOutput(final ScoringContext ctx, final CharSequence name)
    {
        final List<OutputSpec> outputs = ctx.model().config().outputs();
        for (int j = 0; j < outputs.size() && j < InferTensors.MAX_REQUESTABLE_OUTPUTS; j++)
        {
            if (outputs.get(j).name().contentEquals(name))
            {
                ctx.tensors().requestOutput(j);
                return Outcome.OK;
            }
        }
        return ctx.fail(Outcome.INVALID_ARGUMENT, "outputs: model '" + ctx.model().name() + "' has no output '" +
            name + "'");
    }

    private static Outcome bindCompleteInput(
        final ScoringContext ctx, final ModelConfig config, final InputSpec modelInput, final int input)
    {
        final InferTensors tensors = ctx.tensors();
        final CharSequence name = tensors.name(input);
        final int width = modelInput.width();
        if (tensors.count() != config.inputs().size())
        {
            return invalid(ctx, name, "a complete input comes with the model's other inputs and nothing else: " +
                inputNames(config) + ", the request has " + tensors.count() + " inputs");
        }
        for (int earlier = 0; earlier < input; earlier++)
        {
            if (CharSequence.compare(tensors.name(earlier), name) == 0)
            {
                return invalid(ctx, name, "is sent twice");
            }
        }
        if (!ctx.isCompleteTensor() && ctx.rowCount() > 0)
        {
            return invalid(ctx, name, "the request mixes the model's inputs with named features");
        }
        final boolean strings = modelInput.type() == InputSpec.ElementType.STRING;
        if (tensors.isText(input) != strings)
        {
            return invalid(ctx, name, strings ? "a string input takes BYTES, one category name per cell" :
                "a " + modelInput.type().configName() + " input takes numbers, not BYTES");
        }
        final int rank = tensors.rank(input);
        if (rank != 2 || tensors.dimension(input, 1) != width)
        {
            return invalid(ctx, name, "shape must be [N, " + width + "], got " + tensors.shapeText(input));
        }
        final int rows = (int)tensors.dimension(input, 0);
        if (ctx.isCompleteTensor() && ctx.rowCount() != rows)
        {
            return invalid(ctx, name, "has " + rows + " rows, other inputs have " + ctx.rowCount());
        }
        final int featureCount = config.featureCount();
        final float[] vectors = ctx.completeTensor(rows, featureCount);
        final List<FeatureSpec> features = modelInput.features();
        for (int row = 0; row < rows; row++)
        {
            for (int c = 0; c < width; c++)
            {
                final FeatureSpec feature = features.get(c);
                final int cell = row * width + c;
                final float value;
                if (strings)
                {
                    final int code = feature.categoryCode(tensors.text(input, cell));
                    if (code == FeatureSpec.UNKNOWN_CATEGORY)
                    {
                        return invalid(ctx, name, "row " + row + ", feature '" + feature.name() + "': unknown category '" +
                            tensors.text(input, cell) + "', expected one of " + feature.categories());
                    }
                    value = code;
                }
                else
                {
                    value = (float)tensors.number(input, cell);
                }
                vectors[row * featureCount + feature.index()] = value;
            }
        }
        return Outcome.OK;
    }

    private static List<String> inputNames(final ModelConfig config)
    {
        return config.inputs().stream().map(InputSpec::name).toList();
    }

    private static long elementCount(final InferTensors tensors, final int input)
    {
        long count = 1;
        for (int axis = 0, rank = tensors.rank(input); axis < rank; axis++)
        {
            final long dimension = tensors.dimension(input, axis);
            if (dimension < 0)
            {
                return -1;
            }
            count *= dimension;
        }
        return count;
    }

    private static Outcome invalid(final ScoringContext ctx, final CharSequence input, final String problem)
    {
        return ctx.fail(Outcome.INVALID_ARGUMENT, "input '" + input + "': " + problem);
    }
}
