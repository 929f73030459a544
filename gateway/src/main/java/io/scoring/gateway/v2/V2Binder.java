package io.scoring.gateway.v2;

import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.model.ModelConfig;

import java.util.Arrays;

/**
 * Reads a V2 (Open Inference Protocol) request's input tensors into the scoring context. Two forms:
 *
 * <ul>
 *   <li><b>named inputs</b>: one tensor per request-time feature, named after it, plus optionally a
 *   BYTES tensor named after the model's entity key; shape {@code [N]} or {@code [N, 1]}. The gateway
 *   looks the other features up in the store. This is the form ModelMetadata describes.</li>
 *   <li><b>complete input</b>: a single tensor named after the model's input (e.g. {@code features}),
 *   FP32 or FP64 {@code [N, F]}, scored as sent, categorical features already encoded.</li>
 * </ul>
 *
 * Every mismatch (shape against data, datatype against feature type, rows that disagree) ends the
 * request with INVALID_ARGUMENT naming the input.
 */
public final class V2Binder
{
    private V2Binder()
    {
    }

    /**
     * Binds one input tensor. The first tensor fixes the row count; the others must agree with it.
     *
     * @return {@link Outcome#OK} or the failure, also recorded in the context
     */
    public static Outcome bind(
        final ScoringContext ctx,
        final ModelConfig config,
        final int inputCount,
        final String name,
        final String datatype,
        final long[] shape,
        final TensorData data)
    {
        final long elements = elementCount(shape);
        if (elements < 0)
        {
            return invalid(ctx, name, "shape " + Arrays.toString(shape) + " has a negative dimension");
        }
        if (elements != data.size())
        {
            return invalid(ctx, name, "shape " + Arrays.toString(shape) + " holds " + elements +
                " elements, but its data has " + data.size());
        }
        if (data.isText() != "BYTES".equals(datatype))
        {
            return invalid(ctx, name, "datatype " + datatype + " does not match its data (" +
                (data.isText() ? "text" : "numbers") + ")");
        }

        if (name.equals(config.inputName()))
        {
            return bindCompleteInput(ctx, config, inputCount, name, shape, data);
        }

        if (shape.length == 0 || shape.length > 2 || (shape.length == 2 && shape[1] != 1))
        {
            return invalid(ctx, name, "shape must be [N] or [N, 1], got " + Arrays.toString(shape));
        }
        final int rows = (int)shape[0];
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

        if (name.equals(config.entityKey()))
        {
            if (!data.isText())
            {
                return invalid(ctx, name, "the entity key must be BYTES");
            }
            for (int row = 0; row < rows; row++)
            {
                ctx.entityKey(row, data.text(row));
            }
            return Outcome.OK;
        }

        for (int row = 0; row < rows; row++)
        {
            if (data.isText())
            {
                ctx.addText(row, name, data.text(row));
            }
            else
            {
                ctx.addNumber(row, name, data.number(row));
            }
        }
        return Outcome.OK;
    }

    private static Outcome bindCompleteInput(
        final ScoringContext ctx,
        final ModelConfig config,
        final int inputCount,
        final String name,
        final long[] shape,
        final TensorData data)
    {
        final int featureCount = config.featureCount();
        if (inputCount != 1)
        {
            return invalid(ctx, name, "the complete input must be the request's only input");
        }
        if (data.isText())
        {
            return invalid(ctx, name, "the complete input must be FP32 or FP64");
        }
        if (shape.length != 2 || shape[1] != featureCount)
        {
            return invalid(ctx, name, "shape must be [N, " + featureCount + "], got " + Arrays.toString(shape));
        }
        final int rows = (int)shape[0];
        final float[] input = ctx.completeTensor(rows, featureCount);
        for (int i = 0; i < rows * featureCount; i++)
        {
            input[i] = (float)data.number(i);
        }
        return Outcome.OK;
    }

    private static long elementCount(final long[] shape)
    {
        long count = 1;
        for (final long dim : shape)
        {
            if (dim < 0)
            {
                return -1;
            }
            count *= dim;
        }
        return count;
    }

    private static Outcome invalid(final ScoringContext ctx, final String input, final String problem)
    {
        return ctx.fail(Outcome.INVALID_ARGUMENT, "input '" + input + "': " + problem);
    }
}
