package io.scoring.gateway.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.model.ModelConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Writes a scored request's {@code scoring.v1.PredictResponse} in protobuf wire format into a reused
 * buffer, byte for byte what the generated classes would serialize, without building a message or a
 * String: characters are encoded to UTF-8 straight from their CharSequences.
 *
 * <pre>
 *   PredictResponse  1 request_id  2 model  3 version  4 role: string     5 results: RowResult (repeated)
 *   RowResult        1 scores: packed floats            2 feature_status: FeatureStatus (repeated)
 *   FeatureStatus    1 feature: string                  2 reason: enum (varint)
 * </pre>
 * Empty strings, empty score lists and reason 0 are left out, as proto3 leaves out defaults; a row
 * lists its feature statuses only when some cell of the request took a default.
 *
 * <p>The answer is handed to gRPC as an {@link InputStream} that is {@link Drainable} and
 * {@link KnownLength} over the same buffer, request after request. That reuse is safe because gRPC
 * consumes the stream before {@code ServerCall.sendMessage} returns, on the calling thread:
 * {@code ServerCallImpl.sendMessage} calls {@code method.streamResponse(message)} and hands the
 * stream to {@code stream.writeMessage}, whose {@code MessageFramer.writePayload} reads
 * {@code available()} (KnownLength) and, uncompressed, calls {@code drainTo} on it to copy the bytes
 * into the transport's own buffer; compressed, it copies through the compressor, also right there
 * (grpc-java core/src/main/java/io/grpc/internal/ServerCallImpl.java and MessageFramer.java). The
 * stream is then closed; nothing keeps it.
 *
 * <p>Threading: not thread-safe; one per transport thread. Allocation-free once the buffer has grown
 * to the largest answer.
 */
public final class PredictResponseEncoder
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

    private final EncodedMessage message = new EncodedMessage();
    private byte[] buffer = new byte[1024];
    private int position;
    /** Each row's RowResult size, computed before writing, as each is written after its length. */
    private int[] rowSizes = new int[8];

    /**
     * Encodes the answer of a request the pipeline scored and returns it as a stream over this
     * encoder's buffer, valid until the next call.
     */
    public InputStream encode(final ScoringContext ctx)
    {
        final int length = encodeToBuffer(ctx); // first: it may grow the buffer
        return message.wrap(buffer, length);
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
        if (buffer.length < size)
        {
            buffer = new byte[Math.max(size, buffer.length * 2)];
        }

        position = 0;
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

    /** The buffer {@link #encodeToBuffer} wrote into. */
    byte[] buffer()
    {
        return buffer;
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
        return size;
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
                final int bits = Float.floatToRawIntBits(ctx.score(row, j));
                buffer[position++] = (byte)bits;
                buffer[position++] = (byte)(bits >>> 8);
                buffer[position++] = (byte)(bits >>> 16);
                buffer[position++] = (byte)(bits >>> 24);
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
    }

    private void writeStringField(final int tag, final CharSequence value)
    {
        if (value.length() == 0)
        {
            return;
        }
        buffer[position++] = (byte)tag;
        writeVarint(utf8Length(value));
        writeUtf8(value);
    }

    /**
     * Writes the characters as UTF-8. A lone surrogate becomes '?', as {@code String.getBytes(UTF_8)}
     * has it, which is protobuf's own fallback for such strings.
     */
    private void writeUtf8(final CharSequence value)
    {
        final byte[] out = buffer;
        int p = position;
        for (int i = 0, length = value.length(); i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                out[p++] = (byte)c;
            }
            else if (c < 0x800)
            {
                out[p++] = (byte)(0xC0 | c >>> 6);
                out[p++] = (byte)(0x80 | c & 0x3F);
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                final int codePoint = Character.toCodePoint(c, value.charAt(++i));
                out[p++] = (byte)(0xF0 | codePoint >>> 18);
                out[p++] = (byte)(0x80 | codePoint >>> 12 & 0x3F);
                out[p++] = (byte)(0x80 | codePoint >>> 6 & 0x3F);
                out[p++] = (byte)(0x80 | codePoint & 0x3F);
            }
            else if (Character.isSurrogate(c))
            {
                out[p++] = '?';
            }
            else
            {
                out[p++] = (byte)(0xE0 | c >>> 12);
                out[p++] = (byte)(0x80 | c >>> 6 & 0x3F);
                out[p++] = (byte)(0x80 | c & 0x3F);
            }
        }
        position = p;
    }

    private void writeVarint(final int value)
    {
        long v = value; // a negative int is written sign-extended, in 10 bytes, as protobuf does
        while ((v & ~0x7FL) != 0)
        {
            buffer[position++] = (byte)(v & 0x7F | 0x80);
            v >>>= 7;
        }
        buffer[position++] = (byte)v;
    }

    private static int stringFieldSize(final CharSequence value)
    {
        if (value.length() == 0)
        {
            return 0;
        }
        final int length = utf8Length(value);
        return 1 + varintSize(length) + length;
    }

    private static int utf8Length(final CharSequence value)
    {
        int bytes = 0;
        for (int i = 0, length = value.length(); i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                bytes += 1;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                bytes += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                bytes += 1;
            }
            else
            {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static int varintSize(final int value)
    {
        if (value < 0)
        {
            return 10;
        }
        return (31 - Integer.numberOfLeadingZeros(value | 1)) / 7 + 1;
    }

    /** The encoded answer as gRPC's framer wants it: its length known, drained in one write. */
    static final class EncodedMessage extends InputStream implements Drainable, KnownLength
    {
        private byte[] bytes;
        private int position;
        private int limit;

        EncodedMessage wrap(final byte[] bytes, final int length)
        {
            this.bytes = bytes;
            position = 0;
            limit = length;
            return this;
        }

        @Override
        public int drainTo(final OutputStream target) throws IOException
        {
            final int count = limit - position;
            target.write(bytes, position, count);
            position = limit;
            return count;
        }

        @Override
        public int available()
        {
            return limit - position;
        }

        @Override
        public int read()
        {
            return position < limit ? bytes[position++] & 0xFF : -1;
        }

        @Override
        public int read(final byte[] target, final int offset, final int length)
        {
            if (length == 0)
            {
                return 0;
            }
            if (position == limit)
            {
                return -1;
            }
            final int count = Math.min(length, limit - position);
            System.arraycopy(bytes, position, target, offset, count);
            position += count;
            return count;
        }

        @Override
        public long skip(final long count)
        {
            final int skipped = (int)Math.max(0, Math.min(count, limit - position));
            position += skipped;
            return skipped;
        }
    }
}
