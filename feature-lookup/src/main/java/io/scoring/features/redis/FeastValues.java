package io.scoring.features.redis;

import io.scoring.features.FeatureStore;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The two protobuf messages Feast keeps in a Redis hash, read and written by hand: {@code feast.types.Value} (a
 * feature's value) and {@code google.protobuf.Timestamp} (its feature view's event time).
 *
 * <p>Why by hand, not protoc: the store reads 8 scalar members of one oneof and 2 fields of Timestamp. Generated
 * classes would add a native protoc step to this module's build and a message (plus a String for
 * {@code string_val}) per value read; {@code CodedInputStream} throws on malformed bytes and allocates a decoder
 * per value. These few lines decode straight from the reply buffer Lettuce hands over, allocate nothing, and
 * turn malformed bytes into {@link FeatureStore#STATUS_INVALID_VALUE}. The tests check them against
 * protobuf-java's own encoder.
 *
 * <p>Field numbers, from Feast's {@code protos/feast/types/Value.proto} and protobuf's {@code timestamp.proto}:
 * <pre>
 *   message Value { oneof val {                       message Timestamp {
 *     bytes  bytes_val  = 1;   string string_val = 2;     int64 seconds = 1;
 *     int32  int32_val  = 3;   int64  int64_val  = 4;     int32 nanos   = 2;
 *     double double_val = 5;   float  float_val  = 6;   }
 *     bool   bool_val   = 7;   int64  unix_timestamp_val = 8;
 *     11..18: lists   Null null_val = 19   20, 21: maps   22..29: sets   30..33: uuids   } }
 * </pre>
 * A tag is the varint {@code field << 3 | wire type}; wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited,
 * 5 fixed 32-bit. Of several members the last wins, as protobuf parsers do; a field whose number or wire type is
 * not a member this decoder reads is not skipped but makes the value invalid: Value holds nothing but its oneof,
 * so such a field is a value with no model input (a member a later Feast adds, a decimal, ...), never an absent
 * one.
 *
 * <p>What a Value becomes, as a model input, whatever Feast type the column was declared with:
 * <ul>
 *   <li>a numeric feature: float, double, int32, int64 → the number as float; bool → 1 or 0; string → the decimal
 *       number it spells ({@link DecimalText}), else invalid;</li>
 *   <li>a categorical feature (its {@link CategoryCodes}): string → the code of the category so named, else invalid;
 *       a number or a bool → the code itself, valid only if it is one (an integer from 0 to the categories'
 *       count - 1);</li>
 *   <li>no member, {@code null_val} or a NaN → {@link FeatureStore#STATUS_FEATURE_MISSING};</li>
 *   <li>any other member (bytes, lists, maps, unix_timestamp, ...), a member Value.proto does not have (a newer
 *       Feast's decimal, say), or malformed bytes → {@link FeatureStore#STATUS_INVALID_VALUE}.</li>
 * </ul>
 *
 * <p>Stateless; decoding never allocates nor throws.
 */
final class FeastValues
{
    static final int BYTES_VAL = 1;
    static final int STRING_VAL = 2;
    static final int INT32_VAL = 3;
    static final int INT64_VAL = 4;
    static final int DOUBLE_VAL = 5;
    static final int FLOAT_VAL = 6;
    static final int BOOL_VAL = 7;
    static final int UNIX_TIMESTAMP_VAL = 8;
    static final int NULL_VAL = 19;

    static final int TIMESTAMP_SECONDS = 1;
    static final int TIMESTAMP_NANOS = 2;

    static final int WIRE_VARINT = 0;
    static final int WIRE_FIXED64 = 1;
    static final int WIRE_LENGTH_DELIMITED = 2;
    static final int WIRE_FIXED32 = 5;

    /** {@link #decodeTimestampMillis} of bytes that are not a valid Timestamp. */
    static final long INVALID_TIMESTAMP = Long.MIN_VALUE;

    /** Timestamp's documented range, 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, in seconds. */
    private static final long MIN_SECONDS = -62_135_596_800L;
    private static final long MAX_SECONDS = 253_402_300_799L;
    private static final int MAX_NANOS = 999_999_999;
    /**
     * Field numbers are at most 2^29 - 1, so a tag fits 32 bits. Compared unsigned: a ten-byte varint can set the
     * sign bit, and such a "tag" passed a signed comparison (a fuzz finding, ten-byte-tag-sets-the-sign-bit).
     */
    private static final long MAX_TAG = 0xFFFF_FFFFL;
    private static final int MAX_VARINT_BYTES = 10;

    private static final long MISSING = pack(FeatureStore.STATUS_FEATURE_MISSING, Float.NaN);
    private static final long INVALID = pack(FeatureStore.STATUS_INVALID_VALUE, Float.NaN);

    private FeastValues()
    {
    }

    /**
     * Decodes the Value in {@code src} from its position to its limit (neither is moved).
     *
     * @param categories the column's category codes if it is categorical, or null if it is numeric.
     * @return the status and the value, packed: read them with {@link #status} and {@link #value}.
     */
    static long decodeValue(final ByteBuffer src, final CategoryCodes categories)
    {
        final int limit = src.limit();
        int pos = src.position();
        long result = MISSING;
        while (pos < limit)
        {
            final int tagLength = varintLength(src, pos, limit);
            if (tagLength < 0)
            {
                return INVALID;
            }
            final long tag = varint(src, pos, tagLength);
            pos += tagLength;
            final int field = (int)(tag >>> 3);
            final int span = skipOrRead(src, pos, limit, (int)tag & 7);
            if (field == 0 || Long.compareUnsigned(tag, MAX_TAG) > 0 || span < 0)
            {
                return INVALID;
            }
            result = member(src, pos, span, field, (int)tag & 7, categories);
            pos += span;
        }

        return null == categories ? result : asCode(result, categories);
    }

    static byte status(final long decoded)
    {
        return (byte)(decoded >>> 32);
    }

    static float value(final long decoded)
    {
        return Float.intBitsToFloat((int)decoded);
    }

    /**
     * Decodes the Timestamp in {@code src} from its position to its limit (neither is moved).
     *
     * @return epoch milliseconds, or {@link #INVALID_TIMESTAMP}.
     */
    static long decodeTimestampMillis(final ByteBuffer src)
    {
        final int limit = src.limit();
        int pos = src.position();
        long seconds = 0;
        long nanos = 0;
        while (pos < limit)
        {
            final int tagLength = varintLength(src, pos, limit);
            if (tagLength < 0)
            {
                return INVALID_TIMESTAMP;
            }
            final long tag = varint(src, pos, tagLength);
            pos += tagLength;
            if (tag >>> 3 == 0 || Long.compareUnsigned(tag, MAX_TAG) > 0)
            {
                return INVALID_TIMESTAMP;
            }

            final int span = skipOrRead(src, pos, limit, (int)tag & 7);
            if (span < 0)
            {
                return INVALID_TIMESTAMP;
            }
            if (tag == (TIMESTAMP_SECONDS << 3 | WIRE_VARINT))
            {
                seconds = varint(src, pos, span);
            }
            else if (tag == (TIMESTAMP_NANOS << 3 | WIRE_VARINT))
            {
                nanos = (int)varint(src, pos, span);
            }
            pos += span;
        }

        if (seconds < MIN_SECONDS || seconds > MAX_SECONDS || nanos < 0 || nanos > MAX_NANOS)
        {
            return INVALID_TIMESTAMP;
        }

        return seconds * 1000 + nanos / 1_000_000;
    }

    /** A Value holding {@code float_val}: what the loader writes. */
    static byte[] encodeFloat(final float value)
    {
        final byte[] bytes = new byte[1 + Float.BYTES];
        bytes[0] = (byte)(FLOAT_VAL << 3 | WIRE_FIXED32);
        FeastKeys.putIntLittleEndian(bytes, 1, Float.floatToRawIntBits(value));

        return bytes;
    }

    /** A Timestamp; as proto3 does, a zero field is left out. */
    static byte[] encodeTimestamp(final long seconds, final int nanos)
    {
        final byte[] buffer = new byte[2 * (1 + MAX_VARINT_BYTES)];
        int length = 0;
        if (seconds != 0)
        {
            buffer[length++] = TIMESTAMP_SECONDS << 3 | WIRE_VARINT;
            length = putVarint(buffer, length, seconds);
        }
        if (nanos != 0)
        {
            buffer[length++] = TIMESTAMP_NANOS << 3 | WIRE_VARINT;
            length = putVarint(buffer, length, nanos);
        }

        return Arrays.copyOf(buffer, length);
    }

    /**
     * What the field of {@code span} bytes at {@code pos} makes the value: Value is one oneof, so every field is a
     * member, and one this decoder has no model input for (a list, a map, one a later Feast adds) is invalid. As in
     * protobuf, the last member wins.
     */
    private static long member(
        final ByteBuffer src,
        final int pos,
        final int span,
        final int field,
        final int wireType,
        final CategoryCodes categories)
    {
        switch (wireType)
        {
            case WIRE_VARINT:
                return varintMember(field, varint(src, pos, span));
            case WIRE_FIXED64:
                return field == DOUBLE_VAL ? number((float)Double.longBitsToDouble(longLittleEndian(src, pos))) : INVALID;
            case WIRE_FIXED32:
                return field == FLOAT_VAL ? number(Float.intBitsToFloat(intLittleEndian(src, pos))) : INVALID;
            default: // length-delimited: skipOrRead refused the rest
            {
                if (field == STRING_VAL)
                {
                    final int lengthLength = varintLength(src, pos, pos + span);
                    return null == categories ? decimal(src, pos + lengthLength, span - lengthLength) :
                        category(categories.code(src, pos + lengthLength, span - lengthLength));
                }
                // bytes, a list, a map, a set, a uuid or an unknown member: not a model input
                return INVALID;
            }
        }
    }

    private static long decimal(final ByteBuffer src, final int offset, final int length)
    {
        final float number = DecimalText.parse(src, offset, length);
        return Float.isNaN(number) ? INVALID : pack(FeatureStore.STATUS_FOUND, number);
    }

    private static long category(final int code)
    {
        return code == CategoryCodes.UNKNOWN ? INVALID : pack(FeatureStore.STATUS_FOUND, code);
    }

    /** A found value of a categorical column: valid only if it is one of the codes. */
    private static long asCode(final long decoded, final CategoryCodes categories)
    {
        if (status(decoded) != FeatureStore.STATUS_FOUND)
        {
            return decoded;
        }
        final float value = value(decoded);
        final int code = (int)value;

        return code == value && code >= 0 && code < categories.count() ? pack(FeatureStore.STATUS_FOUND, code) : INVALID;
    }

    private static long varintMember(final int field, final long bits)
    {
        switch (field)
        {
            case INT32_VAL:
                return number((int)bits);
            case INT64_VAL:
                return number(bits);
            case BOOL_VAL:
                return pack(FeatureStore.STATUS_FOUND, bits != 0 ? 1 : 0);
            case NULL_VAL:
                return MISSING;
            case UNIX_TIMESTAMP_VAL: // a time, not a model input
                return INVALID;
            default: // a member this decoder has no model input for, or a known one with another wire type
                return INVALID;
        }
    }

    private static long number(final float value)
    {
        return Float.isNaN(value) ? MISSING : pack(FeatureStore.STATUS_FOUND, value);
    }

    private static long pack(final byte status, final float value)
    {
        return (long)status << 32 | Float.floatToRawIntBits(value) & 0xFFFF_FFFFL;
    }

    /**
     * The bytes a field's payload spans from {@code pos}, or -1 if they overrun {@code limit} or the wire type
     * is not one proto3 writes. For a varint that is its length, for the others their fixed or prefixed size.
     */
    private static int skipOrRead(final ByteBuffer src, final int pos, final int limit, final int wireType)
    {
        switch (wireType)
        {
            case WIRE_VARINT:
                return varintLength(src, pos, limit);
            case WIRE_FIXED64:
                return limit - pos >= Long.BYTES ? Long.BYTES : -1;
            case WIRE_FIXED32:
                return limit - pos >= Integer.BYTES ? Integer.BYTES : -1;
            case WIRE_LENGTH_DELIMITED:
            {
                final int lengthLength = varintLength(src, pos, limit);
                if (lengthLength < 0)
                {
                    return -1;
                }
                final long length = varint(src, pos, lengthLength);
                return length >= 0 && length <= limit - pos - lengthLength ? lengthLength + (int)length : -1;
            }
            default:
                return -1;
        }
    }

    /** The length of the varint at {@code pos}: 1 to 10 bytes, or -1 if it is longer or runs past {@code limit}. */
    private static int intLittleEndian(final ByteBuffer src, final int pos)
    {
        return src.get(pos) & 0xFF | (src.get(pos + 1) & 0xFF) << 8 | (src.get(pos + 2) & 0xFF) << 16 | src.get(pos + 3) << 24;
    }

    private static long longLittleEndian(final ByteBuffer src, final int pos)
    {
        return intLittleEndian(src, pos) & 0xFFFF_FFFFL | (long)intLittleEndian(src, pos + Integer.BYTES) << 32;
    }

    private static int varintLength(final ByteBuffer src, final int pos, final int limit)
    {
        final int end = Math.min(limit, pos + MAX_VARINT_BYTES);
        for (int p = pos; p < end; p++)
        {
            if (src.get(p) >= 0)
            {
                return p - pos + 1;
            }
        }

        return -1;
    }

    private static long varint(final ByteBuffer src, final int pos, final int length)
    {
        long value = 0;
        for (int i = 0; i < length; i++)
        {
            value |= (long)(src.get(pos + i) & 0x7F) << (7 * i);
        }

        return value;
    }

    private static int putVarint(final byte[] dst, final int offset, final long value)
    {
        int p = offset;
        long v = value;
        while ((v & ~0x7FL) != 0)
        {
            dst[p++] = (byte)(v & 0x7F | 0x80);
            v >>>= 7;
        }
        dst[p++] = (byte)v;

        return p;
    }
}
