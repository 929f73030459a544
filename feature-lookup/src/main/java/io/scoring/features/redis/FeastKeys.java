package io.scoring.features.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Names in Feast's Redis online store: the key of an entity's hash, and the fields in it.
 *
 * <p><b>Key</b>: the entity key serialized as Feast's {@code serialize_entity_key} does with
 * {@code entity_key_serialization_version: 3} ({@code feast/infra/key_encoding_utils.py}), then the project's
 * name ({@code _redis_key} in {@code feast/infra/online_stores/helpers.py}). For one join key, little-endian:
 * <pre>
 *   +---------------------------------------------+
 *   | uint32  number of join keys = 1              |   version 3 adds this count...
 *   | uint32  ValueType.STRING = 2                 |   the join key's name is a string
 *   | uint32  length of the join key's name        |   ...and this length
 *   | join key name, UTF-8                          |
 *   +---------------------------------------------+
 *   | uint32  the value's type: STRING 2, INT64 4  |
 *   | uint32  the value's length in bytes: n or 8  |
 *   | the value: UTF-8, or int64 little-endian     |
 *   +---------------------------------------------+
 *   | project name, UTF-8                           |   no separator
 *   +---------------------------------------------+
 * </pre>
 * Feast writes the name's {@code len()} in characters, which equals its UTF-8 length only for ASCII: join key
 * names must be ASCII ({@link RedisFeatureStore.Context} checks). Compound entity keys (several join keys, sorted by
 * name) are not supported.
 *
 * <p><b>Fields</b>: a feature's value lives in the 4-byte field {@code mmh3("<feature_view>:<feature>")}
 * little-endian ({@code _mmh3} in the same helpers), its feature view's event time in {@code "_ts:<feature_view>"}.
 *
 * <p>{@link #encode} writes into a caller's array and allocates nothing; the rest is for setup and loading.
 * Immutable.
 */
final class FeastKeys
{
    /** feast.types.ValueType.Enum numbers (Value.proto). */
    static final int VALUE_TYPE_STRING = 2;
    static final int VALUE_TYPE_INT64 = 4;

    /** What {@link #encode} answers for an INT64 entity key that is not a decimal int64. */
    static final int NOT_AN_INT64 = -1;

    private static final String TIMESTAMP_FIELD_PREFIX = "_ts:";

    private final byte[] prefix;
    private final RedisFeatureStore.EntityKeyType type;
    private final byte[] project;

    /** The keys of one Feast project's entities with this join key and key type. */
    FeastKeys(final String joinKey, final RedisFeatureStore.EntityKeyType type, final String project)
    {
        final byte[] name = joinKey.getBytes(StandardCharsets.UTF_8);
        prefix = new byte[4 * Integer.BYTES + name.length];
        int offset = putIntLittleEndian(prefix, 0, 1);
        offset = putIntLittleEndian(prefix, offset, VALUE_TYPE_STRING);
        offset = putIntLittleEndian(prefix, offset, name.length);
        System.arraycopy(name, 0, prefix, offset, name.length);
        offset += name.length;
        putIntLittleEndian(prefix, offset, type == RedisFeatureStore.EntityKeyType.INT64 ? VALUE_TYPE_INT64 : VALUE_TYPE_STRING);
        this.type = type;
        this.project = project.getBytes(StandardCharsets.UTF_8);
    }

    /** The most bytes {@link #encode} can write for this entity key: size the destination with it. */
    int maxLength(final CharSequence entityKey)
    {
        return prefix.length + Integer.BYTES + Math.max(Long.BYTES, 3 * entityKey.length()) + project.length;
    }

    /**
     * Writes the Redis key of {@code entityKey} at {@code dst[offset]}, which has room for {@link #maxLength} bytes.
     *
     * @return the key's length, or {@link #NOT_AN_INT64} (nothing useful written) for an INT64 key type and a key
     * that is not a decimal int64.
     */
    int encode(final CharSequence entityKey, final byte[] dst, final int offset)
    {
        System.arraycopy(prefix, 0, dst, offset, prefix.length);
        final int lengthAt = offset + prefix.length;
        final int valueAt = lengthAt + Integer.BYTES;
        final int valueLength;
        if (type == RedisFeatureStore.EntityKeyType.INT64)
        {
            if (!isInt64(entityKey))
            {
                return NOT_AN_INT64;
            }
            putLongLittleEndian(dst, valueAt, parseInt64(entityKey));
            valueLength = Long.BYTES;
        }
        else
        {
            valueLength = putUtf8(entityKey, dst, valueAt);
        }
        putIntLittleEndian(dst, lengthAt, valueLength);
        System.arraycopy(project, 0, dst, valueAt + valueLength, project.length);

        return valueAt + valueLength + project.length - offset;
    }

    /** The Redis key of {@code entityKey} as an exact array, for the loader. */
    byte[] redisKey(final CharSequence entityKey)
    {
        final byte[] buffer = new byte[maxLength(entityKey)];
        final int length = encode(entityKey, buffer, 0);
        if (length == NOT_AN_INT64)
        {
            throw new IllegalArgumentException("entity key '" + entityKey + "' is not an int64");
        }

        return Arrays.copyOf(buffer, length);
    }

    /** The hash field of a feature's value: mmh3 of its reference {@code "<featureView>:<feature>"}, 4 bytes little-endian. */
    static byte[] featureField(final String reference)
    {
        final byte[] name = reference.getBytes(StandardCharsets.UTF_8);
        final byte[] field = new byte[Integer.BYTES];
        putIntLittleEndian(field, 0, Murmur3.hash32(name, 0, name.length, 0));

        return field;
    }

    /** The hash field holding a feature view's event time, a google.protobuf.Timestamp. */
    static byte[] timestampField(final String featureView)
    {
        return (TIMESTAMP_FIELD_PREFIX + featureView).getBytes(StandardCharsets.UTF_8);
    }

    /** As {@code String.getBytes(UTF_8)} does, an unpaired surrogate becomes '?'. Returns the bytes written. */
    static int putUtf8(final CharSequence chars, final byte[] dst, final int offset)
    {
        int p = offset;
        for (int i = 0, length = chars.length(); i < length; i++)
        {
            final char c = chars.charAt(i);
            if (c < 0x80)
            {
                dst[p++] = (byte)c;
            }
            else if (c < 0x800)
            {
                dst[p++] = (byte)(0xC0 | c >>> 6);
                dst[p++] = (byte)(0x80 | c & 0x3F);
            }
            else if (Character.isSurrogate(c))
            {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(chars.charAt(i + 1)))
                {
                    final int codePoint = Character.toCodePoint(c, chars.charAt(++i));
                    dst[p++] = (byte)(0xF0 | codePoint >>> 18);
                    dst[p++] = (byte)(0x80 | codePoint >>> 12 & 0x3F);
                    dst[p++] = (byte)(0x80 | codePoint >>> 6 & 0x3F);
                    dst[p++] = (byte)(0x80 | codePoint & 0x3F);
                }
                else
                {
                    dst[p++] = '?';
                }
            }
            else
            {
                dst[p++] = (byte)(0xE0 | c >>> 12);
                dst[p++] = (byte)(0x80 | c >>> 6 & 0x3F);
                dst[p++] = (byte)(0x80 | c & 0x3F);
            }
        }

        return p - offset;
    }

    /** An optional '-' then decimal digits, within int64's range: what {@code Long.parseLong} accepts, less '+'. */
    static boolean isInt64(final CharSequence chars)
    {
        final int length = chars.length();
        final boolean negative = length > 0 && chars.charAt(0) == '-';
        final int start = negative ? 1 : 0;
        if (length == start)
        {
            return false;
        }

        // accumulate negatively, as Long.parseLong does, so that Long.MIN_VALUE fits
        final long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long value = 0;
        for (int i = start; i < length; i++)
        {
            final int digit = chars.charAt(i) - '0';
            if (digit < 0 || digit > 9 || value < limit / 10 || value * 10 < limit + digit)
            {
                return false;
            }
            value = value * 10 - digit;
        }

        return true;
    }

    /** Of a key {@link #isInt64} accepts. */
    static long parseInt64(final CharSequence chars)
    {
        final boolean negative = chars.charAt(0) == '-';
        long value = 0;
        for (int i = negative ? 1 : 0, length = chars.length(); i < length; i++)
        {
            value = value * 10 - (chars.charAt(i) - '0');
        }

        return negative ? value : -value;
    }

    static int putIntLittleEndian(final byte[] dst, final int offset, final int value)
    {
        dst[offset] = (byte)value;
        dst[offset + 1] = (byte)(value >>> 8);
        dst[offset + 2] = (byte)(value >>> 16);
        dst[offset + 3] = (byte)(value >>> 24);

        return offset + Integer.BYTES;
    }

    private static void putLongLittleEndian(final byte[] dst, final int offset, final long value)
    {
        putIntLittleEndian(dst, offset, (int)value);
        putIntLittleEndian(dst, offset + Integer.BYTES, (int)(value >>> 32));
    }
}
