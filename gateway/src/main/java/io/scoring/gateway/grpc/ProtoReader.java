package io.scoring.gateway.grpc;

import io.scoring.gateway.pipeline.MutableText;
import io.scoring.gateway.pipeline.ScoringContext;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * What every hand-written protobuf decoder here shares: reading tags, varints, lengths, fixed-size
 * numbers and UTF-8 strings from a message's bytes, and skipping what it does not read the way
 * protobuf keeps unknown fields aside, refusing what protobuf refuses (truncation, a varint longer
 * than 10 bytes, a negative length, field number 0, wire types 6 and 7, a stray or mismatched
 * end-group, groups nested deeper than 100). A refusal sets {@link #problem}; the methods then return
 * false (or null, or 0) and the decoder stops.
 *
 * <p>Threading: not thread-safe; each decoder is one per transport thread. Allocation-free once the
 * copy of the message has grown to the largest message seen.
 */
abstract class ProtoReader
{
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int FIXED32 = 5;

    /** protobuf's default recursion limit: messages and groups nested deeper are refused. */
    static final int MAX_DEPTH = 100;

    // problems, named in the error
    static final String TRUNCATED = "truncated";
    static final String MALFORMED_VARINT = "malformed varint";
    static final String NEGATIVE_LENGTH = "negative length";
    static final String INVALID_UTF8 = "invalid UTF-8";
    static final String ZERO_FIELD_NUMBER = "field number 0";
    static final String INVALID_WIRE_TYPE = "invalid wire type";
    static final String UNEXPECTED_END_GROUP = "end-group tag without its start";
    static final String TOO_DEEP = "groups nested too deep";
    static final String UNREADABLE = "could not be read";

    /** The message's bytes when they come from a stream; grows to the largest message seen. */
    byte[] copy = new byte[1024];

    // the message being decoded
    byte[] bytes;
    int position;

    /** Why the message was refused; null while it is not. */
    String problem;

    /** Skips a field this decoder does not read, as protobuf keeps it aside as an unknown field. */
    final boolean skipUnknown(final int tag, final int end, final int depth)
    {
        switch (tag & 7)
        {
            case VARINT ->
            {
                readVarint(end);
                return null == problem;
            }
            case FIXED64 ->
            {
                return skip(8, end);
            }
            case LENGTH_DELIMITED ->
            {
                final int fieldEnd = readLength(end);
                if (null == problem)
                {
                    position = fieldEnd;
                }
                return null == problem;
            }
            case START_GROUP ->
            {
                return skipGroup(tag >>> 3, end, depth);
            }
            case END_GROUP ->
            {
                return fail(UNEXPECTED_END_GROUP);
            }
            case FIXED32 ->
            {
                return skip(4, end);
            }
            default ->
            {
                return fail(INVALID_WIRE_TYPE);
            }
        }
    }

    final boolean skipGroup(final int fieldNumber, final int end, final int depth)
    {
        if (depth >= MAX_DEPTH)
        {
            return fail(TOO_DEEP);
        }
        while (position < end)
        {
            final int tag = readTag(end);
            if (null != problem)
            {
                return false;
            }
            if ((tag & 7) == END_GROUP)
            {
                return tag >>> 3 == fieldNumber || fail(UNEXPECTED_END_GROUP);
            }
            if (!skipUnknown(tag, end, depth + 1))
            {
                return false;
            }
        }
        return fail(TRUNCATED);
    }

    final boolean skip(final int count, final int end)
    {
        if (end - position < count)
        {
            return fail(TRUNCATED);
        }
        position += count;
        return true;
    }

    final int readTag(final int end)
    {
        final int tag = (int)readVarint(end); // protobuf reads tags as 32-bit varints, dropping higher bits
        if (null == problem && tag >>> 3 == 0)
        {
            fail(ZERO_FIELD_NUMBER);
        }
        return tag;
    }

    /** Reads a length and checks it fits; returns where the delimited bytes end. */
    final int readLength(final int end)
    {
        final int length = (int)readVarint(end); // a 32-bit varint, as protobuf reads lengths
        if (null != problem)
        {
            return 0;
        }
        if (length < 0)
        {
            fail(NEGATIVE_LENGTH);
            return 0;
        }
        if (end - position < length)
        {
            fail(TRUNCATED);
            return 0;
        }
        return position + length;
    }

    /** A string field's characters in a fresh text of the context's pool, or null when it is malformed. */
    final MutableText readText(final ScoringContext ctx, final int end)
    {
        final int textEnd = readLength(end);
        if (null != problem)
        {
            return null;
        }
        final MutableText text = ctx.text();
        if (!text.appendUtf8(bytes, position, textEnd - position))
        {
            fail(INVALID_UTF8);
            return null;
        }
        position = textEnd;
        return text;
    }

    final long readVarint(final int end)
    {
        return readVarint(end, false);
    }

    final long readLittleEndianLong()
    {
        long value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | (bytes[position + i] & 0xFFL);
        }
        position += 8;
        return value;
    }

    final boolean fail(final String problem)
    {
        this.problem = problem;
        return false;
    }

    private int readFully(final InputStream message) throws IOException
    {
        final int expected = message.available() + 1; // exact for gRPC's KnownLength streams; +1 to see the end
        if (copy.length < expected)
        {
            copy = new byte[Math.max(expected, copy.length * 2)];
        }
        int length = 0;
        while (true)
        {
            if (length == copy.length)
            {
                copy = Arrays.copyOf(copy, length * 2);
            }
            final int read = message.read(copy, length, copy.length - length);
            if (read < 0)
            {
                return length;
            }
            length += read;
        }
    }

    /**
     * Reads a varint as protobuf reads an int64, uint64 or bool field's value. It differs from
     * {@link #readVarint} in one case: protobuf's fast path (taken whenever ten bytes remain, as they
     * must for a ten-byte varint) keeps a tenth byte whose continuation bit is set when its lowest bit
     * is set too, and refuses it otherwise; only that lowest bit reaches the value (bit 63).
     */
    final long readVarint64(final int end)
    {
        return readVarint(end, true);
    }

    private long readVarint(final int end, final boolean int64)
    {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= end)
            {
                fail(TRUNCATED);
                return 0;
            }
            final byte b = bytes[position++];
            value |= (long)(b & 0x7F) << shift;
            if (b >= 0)
            {
                return value;
            }
        }
        if (int64 && (bytes[position - 1] & 1) != 0)
        {
            return value;
        }
        fail(MALFORMED_VARINT);
        return 0;
    }

    /**
     * Reads the whole message from the stream gRPC hands the handler (its {@code available()} is the
     * message's size, so one read fills it) into {@link #copy}.
     *
     * @return its length, or -1 when the stream fails ({@link #problem} says so)
     */
    final int readMessage(final InputStream message)
    {
        try
        {
            return readFully(message);
        }
        catch (final IOException ex)
        {
            problem = UNREADABLE;
            return -1;
        }
    }

    /**
     * Reads field 1, 2 or 3 of a request, the same in both protocols: the model's name, the version
     * pinned, the request's id (strings) into the context.
     *
     * @return false when it is malformed
     */
    final boolean readRequestHeader(final int fieldNumber, final ScoringContext ctx, final int end)
    {
        final MutableText text = readText(ctx, end);
        if (null == text)
        {
            return false;
        }
        switch (fieldNumber)
        {
            case 1 -> ctx.modelName(text);
            case 2 -> ctx.versionPin(text);
            default -> ctx.requestId(text);
        }
        return true;
    }

    final int readLittleEndianInt()
    {
        int value = 0;
        for (int i = 3; i >= 0; i--)
        {
            value = (value << 8) | (bytes[position + i] & 0xFF);
        }
        position += 4;
        return value;
    }

    static int tag(final int fieldNumber, final int wireType)
    {
        return fieldNumber << 3 | wireType;
    }
}
