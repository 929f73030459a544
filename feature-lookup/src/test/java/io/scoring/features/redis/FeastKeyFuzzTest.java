package io.scoring.features.redis;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Feast's entity key encoding ({@link FeastKeys}) under Jazzer, on the entity key a request carries: any text,
 * for a STRING or an INT64 join key. It never throws nor writes past {@link FeastKeys#maxLength}; an INT64 key is
 * refused exactly when it is not an ASCII decimal int64 (the oracle: {@link Long#parseLong}), else encoded as
 * that number; a STRING key is encoded as its UTF-8. Seeds and kept findings: {@code FeastKeyFuzzTestInputs/}.
 */
class FeastKeyFuzzTest
{
    private static final Pattern ASCII_DECIMAL = Pattern.compile("-?[0-9]+");
    private static final FeastKeys STRING_KEYS = new FeastKeys("applicant_id", RedisFeatureStore.EntityKeyType.STRING, "demo");
    private static final FeastKeys INT64_KEYS = new FeastKeys("applicant_id", RedisFeatureStore.EntityKeyType.INT64, "demo");

    @FuzzTest(maxDuration = "5s")
    void anyEntityKeyEncodesWithinItsBoundsOrIsRefused(final FuzzedDataProvider data)
    {
        final boolean int64 = data.consumeBoolean();
        final String key = data.consumeRemainingAsString();
        final FeastKeys keys = int64 ? INT64_KEYS : STRING_KEYS;
        final int max = keys.maxLength(key);
        final byte[] dst = new byte[max + 8];
        Arrays.fill(dst, (byte)0x5A);
        final int length = keys.encode(key, dst, 4);
        // a refused key may leave a partial key behind (nothing useful), but never past maxLength
        for (int i = 4 + (length == FeastKeys.NOT_AN_INT64 ? max : length); i < dst.length; i++)
        {
            assertEquals((byte)0x5A, dst[i], "nothing written past the key");
        }
        assertTrue(length <= max, length + " > " + max);

        final byte[] project = "demo".getBytes(StandardCharsets.UTF_8);
        if (int64)
        {
            final Long expected = parsedOrNull(key);
            assertEquals(null == expected, length == FeastKeys.NOT_AN_INT64, "refused iff not an int64: '" + key + "'");
            if (null != expected)
            {
                final ByteBuffer value = ByteBuffer.wrap(dst, 4 + length - project.length - Long.BYTES, Long.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(expected.longValue(), value.getLong());
            }
        }
        else if (StandardCharsets.UTF_8.newEncoder().canEncode(key)) // a lone surrogate has no UTF-8
        {
            final byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
            final int valueAt = 4 + length - project.length - utf8.length;
            assertArrayEquals(utf8, Arrays.copyOfRange(dst, valueAt, valueAt + utf8.length));
            assertEquals(utf8.length, ByteBuffer.wrap(dst, valueAt - Integer.BYTES, Integer.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN).getInt(), "the value's length");
        }
    }

    private static Long parsedOrNull(final String key)
    {
        if (!ASCII_DECIMAL.matcher(key).matches())
        {
            return null;
        }
        try
        {
            return Long.parseLong(key);
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }
}
