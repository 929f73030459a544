package io.scoring.gateway.grpc;

import io.scoring.gateway.pipeline.InferTensors;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.gateway.v2.FeatureStatusText;
import io.scoring.router.runtime.OutputForm;

import java.io.InputStream;
import java.util.List;

/**
 * Writes a scored V2 request's {@code inference.ModelInferResponse} in protobuf wire format into a
 * reused buffer, byte for byte what the generated classes serialize for the same answer, without
 * building a message or a String.
 *
 * <pre>
 *   ModelInferResponse  1 model_name  2 model_version  3 id: string
 *                       4 parameters: entry {1 key, 2 InferParameter {3 string_param}} (repeated)
 *                       5 outputs: InferOutputTensor (repeated)   6 raw_output_contents: bytes (repeated)
 *   InferOutputTensor   1 name  2 datatype "FP32" | "INT64" | "BYTES"  3 shape: packed int64 [N, 1] or [N]
 *                       5 contents: InferTensorContents {6 fp32_contents: packed floats
 *                                                        | 3 int64_contents: packed varints
 *                                                        | 8 bytes_contents: bytes (repeated)}  (typed answers only)
 * </pre>
 * Parameters in the order the generated path put them ({@code role}, then {@code feature_status}
 * when a feature took a default); outputs in the model's order, those the caller asked for (all when
 * it named none); their scores typed, or in {@code raw_output_contents} (little-endian FP32) when
 * the request came with raw input contents (little-endian INT64 for labels; for string labels each
 * label's UTF-8 bytes after their little-endian 4-byte length, as Triton lays out BYTES). String labels
 * are copied from bytes built at load ({@code LabelVocabulary}). Each output's datatype and
 * shape are the version's {@link OutputForm}. An empty id is left out, as proto3 leaves out defaults.
 *
 * <p>Threading: not thread-safe; one per transport thread. Allocation-free once its buffers have
 * grown to the largest answer.
 */
public final class ModelInferResponseEncoder extends ProtoWriter
{
    private static final int MODEL_NAME = 1 << 3 | 2;
    private static final int MODEL_VERSION = 2 << 3 | 2;
    private static final int ID = 3 << 3 | 2;
    private static final int PARAMETERS = 4 << 3 | 2;
    private static final int OUTPUTS = 5 << 3 | 2;
    private static final int RAW_OUTPUT_CONTENTS = 6 << 3 | 2;
    private static final int NAME = 1 << 3 | 2;
    private static final int DATATYPE = 2 << 3 | 2;
    private static final int SHAPE = 3 << 3 | 2;
    private static final int CONTENTS = 5 << 3 | 2;
    private static final int FP32_CONTENTS = 6 << 3 | 2;
    private static final int INT64_CONTENTS = 3 << 3 | 2;
    private static final int BYTES_CONTENTS = 8 << 3 | 2;
    private static final int ENTRY_KEY = 1 << 3 | 2;
    private static final int ENTRY_VALUE = 2 << 3 | 2;
    private static final int STRING_PARAM = 3 << 3 | 2;

    private static final String ROLE = "role";
    private static final String FEATURE_STATUS = "feature_status";

    private final StringBuilder featureStatus = new StringBuilder(256);

    /**
     * Encodes the answer of a request the pipeline scored and returns it as a stream over this
     * encoder's buffer, valid until the next call.
     */
    public InputStream encode(final ScoringContext ctx)
    {
        encodeToBuffer(ctx);
        return written();
    }

    /** Encodes the answer into {@link #buffer()} and returns its length. */
    int encodeToBuffer(final ScoringContext ctx)
    {
        final InferTensors tensors = ctx.tensors();
        final boolean raw = tensors.rawAnswer();
        final boolean defaulted = ctx.defaultedCount() > 0;
        final String role = ctx.role().wireName();
        if (defaulted)
        {
            FeatureStatusText.write(ctx, featureStatus);
        }
        final List<OutputForm> outputs = ctx.version().scorer().outputForms();
        final int rows = ctx.rowCount();

        int size = stringFieldSize(ctx.model().name()) + stringFieldSize(ctx.version().version()) +
            stringFieldSize(ctx.requestId()) + entryFieldSize(ROLE, role) +
            (defaulted ? entryFieldSize(FEATURE_STATUS, featureStatus) : 0);
        for (int j = 0; j < outputs.size(); j++)
        {
            if (tensors.outputRequested(j))
            {
                final OutputForm form = outputs.get(j);
                final int valueBytes = valueBytes(ctx, j, form, raw);
                final int tensorSize = tensorSize(form, rows, raw ? -1 : valueBytes);
                size += 1 + varintSize(tensorSize) + tensorSize + (raw ? 1 + varintSize(valueBytes) + valueBytes : 0);
            }
        }

        start(size);
        writeStringField(MODEL_NAME, ctx.model().name());
        writeStringField(MODEL_VERSION, ctx.version().version());
        writeStringField(ID, ctx.requestId());
        writeEntry(ROLE, role);
        if (defaulted)
        {
            writeEntry(FEATURE_STATUS, featureStatus);
        }
        for (int j = 0; j < outputs.size(); j++)
        {
            if (tensors.outputRequested(j))
            {
                final OutputForm form = outputs.get(j);
                final int valueBytes = valueBytes(ctx, j, form, raw);
                buffer[position++] = OUTPUTS;
                writeVarint(tensorSize(form, rows, raw ? -1 : valueBytes));
                writeStringField(NAME, form.name());
                writeStringField(DATATYPE, form.datatype());
                buffer[position++] = SHAPE;
                writeVarint(shapeSize(form, rows));
                writeVarint(rows);
                if (form.shape().length == 2)
                {
                    buffer[position++] = 1;
                }
                if (!raw)
                {
                    buffer[position++] = CONTENTS;
                    writeVarint(contentsSize(form, valueBytes));
                    if (form.isStringLabel())
                    {
                        writeValues(ctx, j, form, false); // unpacked: each element a field of its own
                    }
                    else if (rows > 0)
                    {
                        buffer[position++] = (byte)(isLabel(form) ? INT64_CONTENTS : FP32_CONTENTS);
                        writeVarint(valueBytes);
                        writeValues(ctx, j, form, false);
                    }
                }
            }
        }
        for (int j = 0; raw && j < outputs.size(); j++)
        {
            if (tensors.outputRequested(j))
            {
                buffer[position++] = RAW_OUTPUT_CONTENTS;
                writeVarint(valueBytes(ctx, j, outputs.get(j), true));
                writeValues(ctx, j, outputs.get(j), true);
            }
        }
        return position;
    }

    private static boolean isLabel(final OutputForm form)
    {
        return form.kind() == OutputForm.Kind.LABEL;
    }

    /**
     * The bytes of an output's values: FP32 4 each; INT64 8 each raw, a varint each typed; BYTES a
     * length and the label each (typed, the whole repeated field: its tags included).
     */
    private static int valueBytes(final ScoringContext ctx, final int output, final OutputForm form, final boolean raw)
    {
        final int rows = ctx.rowCount();
        if (form.isStringLabel())
        {
            int bytes = 0;
            for (int row = 0; row < rows; row++)
            {
                final byte[] label = form.labels().utf8(ctx.score(row, output));
                bytes += raw ? 4 + label.length : bytesSize(label);
            }
            return bytes;
        }
        if (!isLabel(form))
        {
            return 4 * rows;
        }
        if (raw)
        {
            return 8 * rows;
        }
        int bytes = 0;
        for (int row = 0; row < rows; row++)
        {
            bytes += varintSize64((long)ctx.score(row, output));
        }
        return bytes;
    }

    private void writeValues(final ScoringContext ctx, final int output, final OutputForm form, final boolean raw)
    {
        for (int row = 0, rows = ctx.rowCount(); row < rows; row++)
        {
            final float value = ctx.score(row, output);
            if (form.isStringLabel())
            {
                final byte[] label = form.labels().utf8(value);
                if (raw)
                {
                    writeFixed32(label.length);
                    writeRaw(label);
                }
                else
                {
                    writeBytes(BYTES_CONTENTS, label);
                }
            }
            else if (!isLabel(form))
            {
                writeFloat(value);
            }
            else if (raw)
            {
                writeFixed64((long)value);
            }
            else
            {
                writeVarint64((long)value);
            }
        }
    }

    /** One {@code parameters} map entry with a string parameter: key and value are written even when empty. */
    private void writeEntry(final String key, final CharSequence value)
    {
        buffer[position++] = PARAMETERS;
        writeVarint(entrySize(key, value));
        writeString(ENTRY_KEY, key);
        buffer[position++] = ENTRY_VALUE;
        writeVarint(stringSize(value));
        writeString(STRING_PARAM, value);
    }

    private static int entryFieldSize(final String key, final CharSequence value)
    {
        final int entrySize = entrySize(key, value);
        return 1 + varintSize(entrySize) + entrySize;
    }

    private static int entrySize(final String key, final CharSequence value)
    {
        final int parameterSize = stringSize(value);
        return stringSize(key) + 1 + varintSize(parameterSize) + parameterSize;
    }

    private static int shapeSize(final OutputForm form, final int rows)
    {
        return varintSize64(rows) + (form.shape().length == 2 ? 1 : 0);
    }

    /** An InferOutputTensor's size; {@code scoreBytes} -1 when its values go in raw_output_contents. */
    private static int tensorSize(final OutputForm form, final int rows, final int scoreBytes)
    {
        final int shapeSize = shapeSize(form, rows);
        final int size = stringFieldSize(form.name()) + stringFieldSize(form.datatype()) + 1 + varintSize(shapeSize) +
            shapeSize;
        if (scoreBytes < 0)
        {
            return size;
        }
        final int contentsSize = contentsSize(form, scoreBytes);
        return size + 1 + varintSize(contentsSize) + contentsSize;
    }

    private static int packedSize(final int scoreBytes)
    {
        return scoreBytes > 0 ? 1 + varintSize(scoreBytes) + scoreBytes : 0;
    }

    /** InferTensorContents' size: a packed field around numbers, but string labels' repeated bytes as they are. */
    private static int contentsSize(final OutputForm form, final int valueBytes)
    {
        return form.isStringLabel() ? valueBytes : packedSize(valueBytes);
    }
}
