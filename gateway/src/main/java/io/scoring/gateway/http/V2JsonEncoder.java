package io.scoring.gateway.http;

import io.netty.buffer.ByteBuf;
import io.scoring.gateway.pipeline.InferTensors;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.gateway.v2.FeatureStatusText;
import io.scoring.router.runtime.OutputForm;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the answer to a {@code POST /v2/models/{m}/infer} (the Open Inference Protocol's inference
 * response) straight into a ByteBuf, without allocating: fixed parts are precomputed bytes, strings
 * are escaped from their CharSequences ({@link PredictJsonEncoder#writeEscaped}), scores go through
 * {@link FloatFormat}.
 *
 * <pre>
 * {"model_name":"credit-risk","model_version":"1","id":"r-1",
 *  "parameters":{"role":"champion","feature_status":"[{\"row\":0,...}]"},
 *  "outputs":[{"name":"probability","datatype":"FP32","shape":[1,1],"data":[0.12]}]}
 * (each output's datatype and shape are the version's OutputForm: FP32 [N,1] or [N], INT64 [N] for labels,
 *  BYTES [N] for string labels, written as JSON strings from their pre-built UTF-8 bytes)
 * </pre>
 * The id only when the request had one, feature_status only when a feature took a default, the
 * outputs the caller asked for (all when it named none), in the model's order.
 *
 * <p>Threading: one per thread (it reuses a builder for the feature statuses).
 */
public final class V2JsonEncoder
{
    private static final byte[] MODEL_NAME = ascii("{\"model_name\":\"");
    private static final byte[] MODEL_VERSION = ascii("\",\"model_version\":\"");
    private static final byte[] ID = ascii("\",\"id\":\"");
    private static final byte[] ROLE = ascii("\",\"parameters\":{\"role\":\"");
    private static final byte[] FEATURE_STATUS = ascii("\",\"feature_status\":\"");
    private static final byte[] OUTPUTS = ascii("\"},\"outputs\":[");
    private static final byte[] NAME = ascii("{\"name\":\"");
    private static final byte[] DATATYPE = ascii("\",\"datatype\":\"");
    private static final byte[] SHAPE = ascii("\",\"shape\":[");
    private static final byte[] SECOND_DIMENSION = ascii(",1");
    private static final byte[] DATA = ascii("],\"data\":[");
    /** Ends an output (its data, then the output) and the answer (its outputs, then the answer). */
    private static final byte[] END_ARRAY_AND_OBJECT = ascii("]}");

    private final StringBuilder featureStatus = new StringBuilder(256);

    /** Appends the answer for the scored request in {@code ctx} to {@code out}. */
    public void encode(final ScoringContext ctx, final ByteBuf out)
    {
        out.writeBytes(MODEL_NAME);
        PredictJsonEncoder.writeEscaped(out, ctx.model().name());
        out.writeBytes(MODEL_VERSION);
        PredictJsonEncoder.writeEscaped(out, ctx.version().version());
        if (ctx.requestId().length() > 0)
        {
            out.writeBytes(ID);
            PredictJsonEncoder.writeEscaped(out, ctx.requestId());
        }
        out.writeBytes(ROLE);
        PredictJsonEncoder.writeEscaped(out, ctx.role().wireName());
        if (ctx.defaultedCount() > 0)
        {
            out.writeBytes(FEATURE_STATUS);
            PredictJsonEncoder.writeEscaped(out, FeatureStatusText.write(ctx, featureStatus));
        }
        out.writeBytes(OUTPUTS);
        final InferTensors tensors = ctx.tensors();
        final List<OutputForm> outputs = ctx.version().scorer().outputForms();
        final int rows = ctx.rowCount();
        boolean first = true;
        for (int j = 0; j < outputs.size(); j++)
        {
            if (!tensors.outputRequested(j))
            {
                continue;
            }
            if (!first)
            {
                out.writeByte(',');
            }
            first = false;
            out.writeBytes(NAME);
            final OutputForm form = outputs.get(j);
            PredictJsonEncoder.writeEscaped(out, form.name());
            out.writeBytes(DATATYPE);
            out.writeCharSequence(form.datatype(), StandardCharsets.US_ASCII);
            out.writeBytes(SHAPE);
            writeInt(out, rows);
            if (form.shape().length == 2)
            {
                out.writeBytes(SECOND_DIMENSION);
            }
            out.writeBytes(DATA);
            final boolean label = form.kind() == OutputForm.Kind.LABEL;
            for (int row = 0; row < rows; row++)
            {
                if (row > 0)
                {
                    out.writeByte(',');
                }
                if (form.isStringLabel())
                {
                    out.writeByte('"');
                    PredictJsonEncoder.writeEscaped(out, form.labels().utf8(ctx.score(row, j)));
                    out.writeByte('"');
                }
                else if (label)
                {
                    writeLong(out, (long)ctx.score(row, j));
                }
                else
                {
                    FloatFormat.write(out, ctx.score(row, j));
                }
            }
            out.writeBytes(END_ARRAY_AND_OBJECT);
        }
        out.writeBytes(END_ARRAY_AND_OBJECT);
    }

    /** A label in decimal. */
    private static void writeLong(final ByteBuf out, final long value)
    {
        if (value < 0)
        {
            out.writeByte('-');
        }
        final long magnitude = Math.abs(value);
        long divisor = 1;
        while (magnitude / divisor >= 10)
        {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10)
        {
            out.writeByte((int)('0' + magnitude / divisor % 10));
        }
    }

    /** A non-negative int in decimal. */
    private static void writeInt(final ByteBuf out, final int value)
    {
        int divisor = 1;
        while (value / divisor >= 10)
        {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10)
        {
            out.writeByte('0' + value / divisor % 10);
        }
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
