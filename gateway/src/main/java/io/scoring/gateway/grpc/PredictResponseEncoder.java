package io.scoring.gateway.grpc;

import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.LabelVocabulary;
import io.scoring.router.runtime.OutputForm;

import java.io.InputStream;
import java.util.List;

/**
 * Writes a scored request's {@code scoring.v1.PredictResponse} in protobuf wire format into a reused
 * buffer, byte for byte what the generated classes would serialize, without building a message or a
 * String: characters are encoded to UTF-8 straight from their CharSequences.
 *
 * <pre>
 *   PredictResponse  1 request_id  2 model  3 version  4 role: string     5 results: RowResult (repeated)
 *   RowResult        1 scores: packed floats            2 feature_status: FeatureStatus (repeated)
 *                    3 labels: entry {1 key: output name, 2 value: label} (repeated)
 *   FeatureStatus    1 feature: string                  2 reason: enum (varint)
 * </pre>
 * Empty strings, empty score lists and reason 0 are left out, as proto3 leaves out defaults; a row
 * lists its feature statuses only when some cell of the request took a default, and its labels only
 * when the version has string label outputs (each label's UTF-8 bytes built at load, {@link LabelVocabulary}).
 *
 * <p>The answer is handed to gRPC as a Drainable, KnownLength stream over the same buffer, request
 * after request ({@link ProtoWriter} says why that is safe).
 *
 * <p>Threading: not thread-safe; one per transport thread. Allocation-free once the buffer has grown
 * to the largest answer.
 */
public final class PredictResponseEncoder extends ProtoWriter
{
    private static final int REQUEST_ID = 1 << 3 | 2;
    private static final int MODEL = 2 << 3 | 2;
    private static final int VERSION = 3 << 3 | 2;
    private static final int ROLE = 4 << 3 | 2;
    private static final int RESULTS = 5 << 3 | 2;
    private static final int SCORES = 1 << 3 | 2;
    private static final int FEATURE_STATUS = 2 << 3 | 2;
    private static final int FEATURE = 1 << 3 | 2;
    private static final int REASON = 2 << 3;
    private static final int LABELS = 3 << 3 | 2;
    private static final int ENTRY_KEY = 1 << 3 | 2;
    private static final int ENTRY_VALUE = 2 << 3 | 2;

    /** Each row's RowResult size, computed before writing, as each is written after its length. */
    private int[] rowSizes = new int[8];

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
        final CharSequence requestId = ctx.requestId();
        final String model = ctx.model().name();
        final String version = ctx.version().version();
        final String role = ctx.role().wireName();
        final int rows = ctx.rowCount();
        if (rowSizes.length < rows)
        {
            rowSizes = new int[Math.max(rows, rowSizes.length * 2)];
        }

        int size = stringFieldSize(requestId) + stringFieldSize(model) + stringFieldSize(version) + stringFieldSize(role);
        for (int row = 0; row < rows; row++)
        {
            final int rowSize = rowResultSize(ctx, row);
            rowSizes[row] = rowSize;
            size += 1 + varintSize(rowSize) + rowSize;
        }
        start(size);
        writeStringField(REQUEST_ID, requestId);
        writeStringField(MODEL, model);
        writeStringField(VERSION, version);
        writeStringField(ROLE, role);
        for (int row = 0; row < rows; row++)
        {
            buffer[position++] = RESULTS;
            writeVarint(rowSizes[row]);
            writeRowResult(ctx, row);
        }
        return position;
    }

    private static int rowResultSize(final ScoringContext ctx, final int row)
    {
        final int outputs = ctx.outputCount();
        int size = outputs > 0 ? 1 + varintSize(4 * outputs) + 4 * outputs : 0;
        if (ctx.defaultedCount() > 0)
        {
            final ModelConfig config = ctx.model().config();
            for (int f = 0, count = config.featureCount(); f < count; f++)
            {
                final byte status = ctx.status(row, f);
                if (status != 0)
                {
                    final int statusSize = featureStatusSize(config.features().get(f).name(), status);
                    size += 1 + varintSize(statusSize) + statusSize;
                }
            }
        }
        final List<OutputForm> forms = ctx.version().scorer().outputForms();
        for (int j = 0; j < outputs; j++)
        {
            final OutputForm form = forms.get(j);
            if (form.isStringLabel())
            {
                final int entrySize = labelEntrySize(form, ctx.score(row, j));
                size += 1 + varintSize(entrySize) + entrySize;
            }
        }
        return size;
    }

    private static int labelEntrySize(final OutputForm form, final float index)
    {
        return stringSize(form.name()) + bytesSize(form.labels().utf8(index));
    }

    private static int featureStatusSize(final String feature, final byte reason)
    {
        return stringFieldSize(feature) + 1 + varintSize(reason);
    }

    private void writeRowResult(final ScoringContext ctx, final int row)
    {
        final int outputs = ctx.outputCount();
        if (outputs > 0)
        {
            buffer[position++] = SCORES;
            writeVarint(4 * outputs);
            for (int j = 0; j < outputs; j++)
            {
                writeFloat(ctx.score(row, j));
            }
        }
        if (ctx.defaultedCount() > 0)
        {
            final ModelConfig config = ctx.model().config();
            for (int f = 0, count = config.featureCount(); f < count; f++)
            {
                final byte status = ctx.status(row, f);
                if (status != 0)
                {
                    final String feature = config.features().get(f).name();
                    buffer[position++] = FEATURE_STATUS;
                    writeVarint(featureStatusSize(feature, status));
                    writeStringField(FEATURE, feature);
                    buffer[position++] = REASON;
                    writeVarint(status);
                }
            }
        }
        final List<OutputForm> forms = ctx.version().scorer().outputForms();
        for (int j = 0; j < outputs; j++)
        {
            final OutputForm form = forms.get(j);
            if (form.isStringLabel())
            {
                final float index = ctx.score(row, j);
                buffer[position++] = LABELS;
                writeVarint(labelEntrySize(form, index));
                writeString(ENTRY_KEY, form.name());
                writeBytes(ENTRY_VALUE, form.labels().utf8(index));
            }
        }
    }
}
