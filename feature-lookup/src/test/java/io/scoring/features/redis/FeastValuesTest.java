package io.scoring.features.redis;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Timestamp;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static io.scoring.features.FeatureStore.STATUS_FEATURE_MISSING;
import static io.scoring.features.FeatureStore.STATUS_FOUND;
import static io.scoring.features.FeatureStore.STATUS_INVALID_VALUE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The hex vectors were made with the Python protobuf runtime (a message class built from Value.proto's field
 * numbers, and {@code google.protobuf.timestamp_pb2}), an implementation independent of both this code and
 * protobuf-java; each is also worked by hand in a comment. protobuf-java's {@code CodedOutputStream} and
 * {@code Timestamp} then check many more values.
 */
class FeastValuesTest
{
    private static final CategoryCodes CHECKING = new CategoryCodes(List.of("A11", "A12", "A13", "A14"));

    @Test
    void shouldDecodeEveryNumericMemberAsFloat()
    {
        assertFound(1.5f, "350000c03f");            // tag (6 << 3 | 5) = 0x35, float32 LE 0x3FC00000
        assertFound(2.25f, "290000000000000240");   // tag (5 << 3 | 1) = 0x29, float64 LE 0x4002000000000000
        assertFound(-1f, "18ffffffffffffffffff01"); // tag (3 << 3 | 0) = 0x18, int32 -1 sign-extended: 10-byte varint
        assertFound(300f, "20ac02");                // tag (4 << 3 | 0) = 0x20, 300 = 0b10_0101100 -> 0xAC 0x02
        assertFound(1f, "3801");                    // tag (7 << 3 | 0) = 0x38, true
        assertFound(67f, "3500008642");             // the demo applicant's age, as the loader writes it
    }

    @Test
    void shouldDecodeAStringAsItsCategoryCode()
    {
        // tag (2 << 3 | 2) = 0x12, length 3, "A11"
        assertEquals(packed(STATUS_FOUND, 0), FeastValues.decodeValue(buffer("1203413131"), CHECKING));
        assertEquals(packed(STATUS_FOUND, 3), FeastValues.decodeValue(utf8Value("A14"), CHECKING));
    }

    @Test
    void shouldCallAStringOutsideTheCategoriesInvalid()
    {
        assertEquals(STATUS_INVALID_VALUE, FeastValues.status(FeastValues.decodeValue(utf8Value("A15"), CHECKING)));
        assertEquals(STATUS_INVALID_VALUE, FeastValues.status(FeastValues.decodeValue(utf8Value(""), CHECKING)));
        assertEquals(STATUS_INVALID_VALUE, FeastValues.status(FeastValues.decodeValue(utf8Value("a11"), CHECKING)));
    }

    @Test
    void shouldTakeANumberOrABoolOfACategoricalColumnAsTheCodeIfItIsOne()
    {
        assertEquals(packed(STATUS_FOUND, 2), FeastValues.decodeValue(buffer("1802"), CHECKING));         // int32 2
        assertEquals(packed(STATUS_FOUND, 3), FeastValues.decodeValue(buffer("2003"), CHECKING));         // int64 3
        assertEquals(packed(STATUS_FOUND, 1), FeastValues.decodeValue(buffer("350000803f"), CHECKING));   // float 1.0
        assertEquals(packed(STATUS_FOUND, 0), FeastValues.decodeValue(buffer("290000000000000000"), CHECKING)); // double 0
        assertEquals(packed(STATUS_FOUND, 1), FeastValues.decodeValue(buffer("3801"), CHECKING));         // true
        assertEquals(packed(STATUS_FOUND, 0), FeastValues.decodeValue(buffer("3500000080"), CHECKING));   // -0.0: code 0

        assertStatus(STATUS_INVALID_VALUE, "2004", CHECKING);                   // 4 of 4 categories: no such code
        assertStatus(STATUS_INVALID_VALUE, "18ffffffffffffffffff01", CHECKING); // -1
        assertStatus(STATUS_INVALID_VALUE, "350000c03f", CHECKING);             // 1.5: not an integer
        assertStatus(STATUS_FEATURE_MISSING, "350000c07f", CHECKING);           // NaN: no value, as for a number
    }

    @Test
    void shouldReadANumericColumnsStringAsTheDecimalNumberItSpells()
    {
        assertEquals(packed(STATUS_FOUND, 35f), FeastValues.decodeValue(utf8Value("35"), null));
        assertEquals(packed(STATUS_FOUND, -1.5f), FeastValues.decodeValue(utf8Value("-1.5"), null));
        assertEquals(packed(STATUS_FOUND, 0.1f), FeastValues.decodeValue(utf8Value("0.1"), null));
        assertEquals(packed(STATUS_FOUND, 2500f), FeastValues.decodeValue(utf8Value("2.5e3"), null));
        for (final String notANumber : new String[]{ "", "-", ".", "1e", "35 ", " 35", "NaN", "Infinity", "0x10", "1f", "A11" })
        {
            assertEquals(STATUS_INVALID_VALUE, FeastValues.status(FeastValues.decodeValue(utf8Value(notANumber), null)),
                "'" + notANumber + "'");
        }
    }

    @Test
    void shouldCallAnEmptyValueANullOrANaNMissing()
    {
        assertStatus(STATUS_FEATURE_MISSING, "", null);           // no member set: what Feast writes for a null
        assertStatus(STATUS_FEATURE_MISSING, "980100", null);     // null_val: tag 19 << 3 = 152 -> 0x98 0x01, NULL = 0
        assertStatus(STATUS_FEATURE_MISSING, "350000c07f", null); // float_val NaN
    }

    @Test
    void shouldCallMembersThatAreNoModelInputInvalid()
    {
        assertStatus(STATUS_INVALID_VALUE, "0a0101", null);       // bytes_val = {0x01}
        assertStatus(STATUS_INVALID_VALUE, "4080e2cfaa06", null); // unix_timestamp_val
        assertStatus(STATUS_INVALID_VALUE, "820100", null);       // float_list_val (16), empty
        assertStatus(STATUS_INVALID_VALUE, "f2010131", null);     // uuid_val (30) = "1"
    }

    @Test
    void shouldCallAMemberItCannotReadInvalidNotMissingAndLetTheLastMemberWin()
    {
        assertStatus(STATUS_INVALID_VALUE, "c00201", null);          // field 40 varint 1: a member of a later Feast
        assertStatus(STATUS_INVALID_VALUE, "92020531322e3530", null); // field 34 "12.50": a decimal, say
        assertStatus(STATUS_INVALID_VALUE, "3001", null);            // field 6 as a varint is not float_val
        assertFound(300f, "350000c03f20ac02");   // float_val 1.5, then int64_val 300: the last wins
        assertFound(1.5f, "c00201350000c03f");   // field 40 varint 1, then float_val 1.5
        assertFound(1.5f, "d2020378797a350000c03f"); // field 42 length-delimited "xyz", then float_val
    }

    @Test
    void shouldCallMalformedBytesInvalidNotThrow()
    {
        assertStatus(STATUS_INVALID_VALUE, hex("not a protobuf!".getBytes(StandardCharsets.US_ASCII)), null);
        assertStatus(STATUS_INVALID_VALUE, "350000c0", null);               // float cut short
        assertStatus(STATUS_INVALID_VALUE, "29000000", null);               // double cut short
        assertStatus(STATUS_INVALID_VALUE, "20", null);                     // tag without its varint
        assertStatus(STATUS_INVALID_VALUE, "2080808080808080808080", null); // varint of 11 bytes
        assertStatus(STATUS_INVALID_VALUE, "120541", null);                 // string of 5 bytes, 1 present
        assertStatus(STATUS_INVALID_VALUE, "0b", null);                     // wire type 3: a group
        assertStatus(STATUS_INVALID_VALUE, "0600", null);                   // field 0
        assertStatus(STATUS_INVALID_VALUE, "80808080800100", null);         // tag 2^35: beyond any field number
    }

    @Test
    void shouldAgreeWithProtobufJavaOnRandomValues() throws IOException
    {
        final SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < 2_000; i++)
        {
            final float f = Float.intBitsToFloat(random.nextInt());
            final double d = random.nextDouble(-1e9, 1e9);
            final int n = random.nextInt();
            final long l = random.nextLong();
            final float expectedF = Float.isNaN(f) ? Float.NaN : f;

            assertDecodes(expectedF, encode((out) -> out.writeFloat(FeastValues.FLOAT_VAL, f)));
            assertDecodes((float)d, encode((out) -> out.writeDouble(FeastValues.DOUBLE_VAL, d)));
            assertDecodes(n, encode((out) -> out.writeInt32(FeastValues.INT32_VAL, n)));
            assertDecodes(l, encode((out) -> out.writeInt64(FeastValues.INT64_VAL, l)));
            assertArrayEquals(encode((out) -> out.writeFloat(FeastValues.FLOAT_VAL, f)), FeastValues.encodeFloat(f));
        }
    }

    @Test
    void shouldEncodeAndDecodeTimestampsAsProtobufJavaDoes()
    {
        // seconds 1_700_000_000: tag 0x08, varint 80 e2 cf aa 06; nanos 500_000_000: tag 0x10, varint 80 ca b5 ee 01
        assertEquals("0880e2cfaa06", hex(FeastValues.encodeTimestamp(1_700_000_000L, 0)));
        assertEquals(1_700_000_000_500L, FeastValues.decodeTimestampMillis(buffer("0880e2cfaa061080cab5ee01")));

        final SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 2_000; i++)
        {
            final long seconds = i == 0 ? 0 : random.nextLong(-62_135_596_800L, 253_402_300_800L);
            final int nanos = i % 3 == 0 ? 0 : random.nextInt(1_000_000_000);
            final byte[] reference = Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build().toByteArray();
            assertArrayEquals(reference, FeastValues.encodeTimestamp(seconds, nanos));
            assertEquals(seconds * 1000 + nanos / 1_000_000, FeastValues.decodeTimestampMillis(ByteBuffer.wrap(reference)));
        }
    }

    @Test
    void shouldCallMalformedOrOutOfRangeTimestampsInvalid()
    {
        for (final String bad : new String[]{ "08", "0880", "10ffffffff0f", "08ffffffffffffffff7f", "0b", "6e6f74" })
        {
            assertEquals(FeastValues.INVALID_TIMESTAMP, FeastValues.decodeTimestampMillis(buffer(bad)), bad);
        }
        assertEquals(0, FeastValues.decodeTimestampMillis(buffer("")));
    }

    @Test
    void shouldDecodeFromADirectBufferBetweenItsPositionAndLimit()
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(16);
        direct.put(HexFormat.of().parseHex("ffff350000c03fffff"));
        direct.position(2).limit(7);
        assertEquals(packed(STATUS_FOUND, 1.5f), FeastValues.decodeValue(direct, null));
        assertEquals(2, direct.position());

        final ByteBuffer string = ByteBuffer.allocateDirect(8);
        string.put(HexFormat.of().parseHex("001203413134"));
        string.position(1).limit(6);
        assertEquals(packed(STATUS_FOUND, 3), FeastValues.decodeValue(string, CHECKING));
    }

    private static void assertFound(final float expected, final String hex)
    {
        assertEquals(packed(STATUS_FOUND, expected), FeastValues.decodeValue(buffer(hex), null), hex);
    }

    private static void assertDecodes(final float expected, final byte[] value)
    {
        final long decoded = FeastValues.decodeValue(ByteBuffer.wrap(value), null);
        if (Float.isNaN(expected))
        {
            assertEquals(STATUS_FEATURE_MISSING, FeastValues.status(decoded));
        }
        else
        {
            assertEquals(packed(STATUS_FOUND, expected), decoded, hex(value));
        }
    }

    private static void assertStatus(final byte expected, final String hex, final CategoryCodes categories)
    {
        final long decoded = FeastValues.decodeValue(buffer(hex), categories);
        assertEquals(expected, FeastValues.status(decoded), hex);
        if (expected != STATUS_FOUND)
        {
            assertEquals(Float.NaN, FeastValues.value(decoded), hex);
        }
    }

    private static long packed(final byte status, final float value)
    {
        return (long)status << 32 | Float.floatToRawIntBits(value) & 0xFFFF_FFFFL;
    }

    private static ByteBuffer utf8Value(final String text)
    {
        return ByteBuffer.wrap(encodeUnchecked((out) -> out.writeString(FeastValues.STRING_VAL, text)));
    }

    private static ByteBuffer buffer(final String hex)
    {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex));
    }

    private static String hex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }

    private interface Writer
    {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] encode(final Writer writer) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        writer.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] encodeUnchecked(final Writer writer)
    {
        try
        {
            return encode(writer);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
