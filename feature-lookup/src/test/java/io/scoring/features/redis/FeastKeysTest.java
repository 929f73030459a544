package io.scoring.features.redis;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.scoring.features.redis.RedisFeatureStore.EntityKeyType.INT64;
import static io.scoring.features.redis.RedisFeatureStore.EntityKeyType.STRING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keys below were worked out by hand from Feast's {@code serialize_entity_key} (version 3) and
 * {@code _redis_key}, then checked with Python's {@code struct.pack} applied exactly as Feast's code applies it.
 */
class FeastKeysTest
{
    @Test
    void shouldSerializeAStringEntityKeyAsFeastVersionThreeThenTheProject()
    {
        final byte[] expected = bytes(
            0x01, 0x00, 0x00, 0x00,             // uint32 LE: 1 join key
            0x02, 0x00, 0x00, 0x00,             // uint32 LE: its name is ValueType.STRING (2)
            0x0C, 0x00, 0x00, 0x00,             // uint32 LE: the name is 12 bytes long
            'a', 'p', 'p', 'l', 'i', 'c', 'a', 'n', 't', '_', 'i', 'd',
            0x02, 0x00, 0x00, 0x00,             // uint32 LE: the value is ValueType.STRING (2)
            0x05, 0x00, 0x00, 0x00,             // uint32 LE: the value is 5 bytes long
            'A', '0', '0', '0', '1',            // the value, UTF-8
            'c', 'r', 'e', 'd', 'i', 't');      // the project, UTF-8, no separator

        assertArrayEquals(expected, new FeastKeys("applicant_id", STRING, "credit").redisKey("A0001"));
        assertEquals("01000000020000000c0000006170706c6963616e745f696402000000050000004130303031637265646974",
            hex(expected)); // what struct.pack gave
    }

    @Test
    void shouldSerializeAnInt64EntityKeyAsEightLittleEndianBytes()
    {
        final byte[] expected = bytes(
            0x01, 0x00, 0x00, 0x00,             // 1 join key
            0x02, 0x00, 0x00, 0x00,             // its name is a STRING
            0x09, 0x00, 0x00, 0x00,             // of 9 bytes
            'd', 'r', 'i', 'v', 'e', 'r', '_', 'i', 'd',
            0x04, 0x00, 0x00, 0x00,             // the value is ValueType.INT64 (4)
            0x08, 0x00, 0x00, 0x00,             // of 8 bytes
            0xE9, 0x03, 0, 0, 0, 0, 0, 0,       // 1001 = 0x03E9, int64 little-endian
            'f', 'e', 'a', 's', 't', '_', 'd', 'e', 'm', 'o');

        assertArrayEquals(expected, new FeastKeys("driver_id", INT64, "feast_demo").redisKey("1001"));
        final byte[] negative = new FeastKeys("driver_id", INT64, "p").redisKey("-2");
        assertEquals("0100000002000000090000006472697665725f69640400000008000000feffffffffffffff70", hex(negative));
    }

    @Test
    void shouldRefuseAnInt64KeyThatIsNotADecimalInt64()
    {
        final FeastKeys keys = new FeastKeys("driver_id", INT64, "p");
        final byte[] buffer = new byte[64];
        for (final String bad : new String[]{ "", "-", "+1", "12a", "9223372036854775808", "-9223372036854775809", "1.0" })
        {
            assertEquals(FeastKeys.NOT_AN_INT64, keys.encode(bad, buffer, 0), bad);
        }
        assertTrue(FeastKeys.isInt64("9223372036854775807"));
        assertTrue(FeastKeys.isInt64("-9223372036854775808"));
        assertEquals(Long.MIN_VALUE, FeastKeys.parseInt64("-9223372036854775808"));
        assertEquals(Long.MAX_VALUE, FeastKeys.parseInt64("9223372036854775807"));
        assertFalse(FeastKeys.isInt64("00000000000000000000000000001x"));
        assertEquals(1, FeastKeys.parseInt64("00000000000000000000000000001"));
    }

    @Test
    void shouldEncodeAnyCharSequenceAsUtf8LikeStringGetBytes()
    {
        final FeastKeys keys = new FeastKeys("id", STRING, "p");
        for (final String key : new String[]{ "zürich", "東京", "\uD83D\uDE80", "lone\uD800surrogate", "x\uDC00" })
        {
            final byte[] viaString = key.getBytes(StandardCharsets.UTF_8);
            final byte[] viaBuilder = keys.redisKey(new StringBuilder(key));
            final byte[] value = Arrays.copyOfRange(viaBuilder, 4 * 5 + 2, viaBuilder.length - 1);
            assertArrayEquals(viaString, value, key);
        }
    }

    @Test
    void shouldNameFieldsAsFeastDoes()
    {
        // mmh3.hash("applicants:age", signed=False) = 0xbe19c27c, stored little-endian
        assertArrayEquals(bytes(0x7C, 0xC2, 0x19, 0xBE), FeastKeys.featureField("applicants:age"));
        // 0x0836d486: the leading zero byte lands last
        assertArrayEquals(bytes(0x86, 0xD4, 0x36, 0x08), FeastKeys.featureField("applicants:checking_status"));
        assertArrayEquals("_ts:applicants".getBytes(StandardCharsets.US_ASCII), FeastKeys.timestampField("applicants"));
    }

    @Test
    void shouldWriteAtTheGivenOffsetAndSayHowLong()
    {
        final FeastKeys keys = new FeastKeys("applicant_id", STRING, "credit");
        final byte[] buffer = new byte[7 + keys.maxLength("A0001")];
        final int length = keys.encode("A0001", buffer, 7);
        assertArrayEquals(keys.redisKey("A0001"), Arrays.copyOfRange(buffer, 7, 7 + length));
        assertThrows(IllegalArgumentException.class, () -> new FeastKeys("id", INT64, "p").redisKey("abc"));
    }

    static byte[] bytes(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }

    static String hex(final byte[] bytes)
    {
        final StringBuilder hex = new StringBuilder();
        for (final byte b : bytes)
        {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }
}
