package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.scoring.gateway.pipeline.ScoringContext;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class PredictJsonDecoderTest
{
    private static final JsonFactory JACKSON = new JsonFactory();

    private static final String TYPICAL = "{\"model\": \"credit-risk\", \"request_id\": \"r-\\u00e9\\\"1\\\"\", " +
        "\"rows\": [{\"entity_key\": \"A0001\", \"features\": {\"duration\": 24, \"purpose\": \"radio/tv\", " +
        "\"credit_amount\": 2.5e3, \"installment_commitment\": -0.75E-2, \"note\": \"\u00fc\u20ac\ud83d\ude00\"}}]}";

    private final PredictJsonDecoder decoder = new PredictJsonDecoder();
    private final ScoringContext decoded = new ScoringContext();
    private final ScoringContext reference = new ScoringContext();

    @Test
    void shouldFillTheContextAsTheJacksonDecoderDidForRandomBodies() throws Exception
    {
        final Random random = new Random(20261127);
        for (int i = 0; i < 2_000; i++)
        {
            final String body = RandomBodies.body(random);
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try (JsonParser parser = JACKSON.createParser(bytes))
            {
                PredictJson.decode(parser, reference);
            }
            decoder.decode(bytes, 0, bytes.length, decoded);
            assertSameRequest(reference, decoded, body);
        }
    }

    @Test
    void shouldReadTheTypicalBodyFromAByteBufWithoutMovingItsReaderIndex() throws Exception
    {
        final ByteBuf body = Unpooled.copiedBuffer("  " + TYPICAL, StandardCharsets.UTF_8).skipBytes(2);
        decoder.decode(body, decoded);
        assertEquals(2, body.readerIndex());
        assertEquals("credit-risk", decoded.modelName().toString());
        assertEquals("r-\u00e9\"1\"", decoded.requestId().toString());
        assertEquals("A0001", decoded.entityKey(0).toString());
        assertEquals(5, decoded.requestFeatureCount());
        assertEquals(24.0, decoded.requestFeatureNumber(0));
        assertEquals("radio/tv", decoded.requestFeatureText(1).toString());
        assertEquals(2500.0, decoded.requestFeatureNumber(2));
        assertEquals(-0.0075, decoded.requestFeatureNumber(3));
        assertEquals("\u00fc\u20ac\ud83d\ude00", decoded.requestFeatureText(4).toString());
        assertNull(decoded.requestFeatureText(0));
    }

    @Test
    void shouldConvertEveryNumberFormToTheCorrectlyRoundedDouble() throws Exception
    {
        final Random random = new Random(7);
        for (int i = 0; i < 200_000; i++)
        {
            final String number = RandomBodies.number(random);
            final double value = number(number);
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(number)), Double.doubleToRawLongBits(value), number);
        }
        for (final String number : new String[] {"0", "-0", "-0.0", "0e0", "1e22", "1e23", "123456789012345e22",
            "1234567890123456", "999999999999999999", "9999999999999999999", "12345678901234567890123",
            "4.9e-324", "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623159e308", "1e400",
            "-1e-400", "0.1", "0.30000000000000004", "9007199254740993", "0.000000000000000000000000000001"})
        {
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(number)), Double.doubleToRawLongBits(number(number)),
                number);
        }
    }

    @Test
    void shouldRefuseNumbersOutsideTheJsonGrammar()
    {
        for (final String number : new String[] {"01", "-01", "+1", ".5", "1.", "1e", "1e+", "-", "--1", "1.e5",
            "NaN", "Infinity", "-Infinity", "0x10", "1_000", "1.5.2"})
        {
            final JsonBodyException ex = assertThrows(JsonBodyException.class, () -> number(number), number);
            assertTrue(ex.getMessage().startsWith("malformed JSON: ") && ex.getMessage().matches(".* at byte \\d+$"),
                number + " -> " + ex.getMessage());
        }
    }

    @Test
    void shouldRefuseNumbersLongerThanTheLimit()
    {
        final String digits = "1".repeat(PredictJsonDecoder.MAX_NUMBER_LENGTH + 1);
        assertMessage(features(digits), "malformed JSON: a number longer than 1000 characters at byte 38");
    }

    @Test
    void shouldDecodeEveryEscapeAndSurrogatePairs() throws Exception
    {
        decode("{\"model\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\ud83D\\uDE00\"}");
        assertEquals("\"\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00", decoded.modelName().toString());
    }

    @Test
    void shouldRefuseUnpairedSurrogateEscapes()
    {
        assertMessage("{\"model\": \"a\\ud83d\"}", "malformed JSON: unpaired surrogate \\ud83d at byte 12");
        assertMessage("{\"model\": \"a\\ud83dx\"}", "malformed JSON: unpaired surrogate \\ud83d at byte 12");
        assertMessage("{\"model\": \"a\\ud83d\\u0041\"}", "malformed JSON: unpaired surrogate \\ud83d at byte 12");
        assertMessage("{\"model\": \"\\ude00\"}", "malformed JSON: unpaired surrogate \\ude00 at byte 11");
    }

    @Test
    void shouldRefuseRawControlCharactersAndBadEscapes()
    {
        assertMessage("{\"model\": \"a\nb\"}", "malformed JSON: control character 0xa in a string (escape it) at byte 12");
        assertMessage("{\"model\": \"a\\x\"}", "malformed JSON: invalid escape 'x' at byte 12");
        assertMessage("{\"model\": \"\\u12G4\"}", "malformed JSON: expected a hex digit in a \\u escape but found 'G' at byte 15");
    }

    @Test
    void shouldRefuseInvalidUtf8()
    {
        for (final byte[] bad : new byte[][] {{(byte)0xC3}, {(byte)0xC0, (byte)0x80}, {(byte)0xED, (byte)0xA0, (byte)0x80},
            {(byte)0xF4, (byte)0x90, (byte)0x80, (byte)0x80}, {(byte)0x80}, {(byte)0xFF}, {(byte)0xE2, (byte)0x82}})
        {
            final byte[] body = new byte[13 + bad.length + 2];
            System.arraycopy("{\"model\": \"ab".getBytes(StandardCharsets.US_ASCII), 0, body, 0, 13);
            System.arraycopy(bad, 0, body, 13, bad.length);
            body[body.length - 2] = '"';
            body[body.length - 1] = '}';
            final JsonBodyException ex = assertThrows(JsonBodyException.class,
                () -> decoder.decode(body, 0, body.length, decoded));
            assertEquals("malformed JSON: invalid UTF-8 in a string at byte 13", ex.getMessage());
        }
    }

    @Test
    void shouldNameTheFieldOfEveryBodyThatIsJsonOfTheWrongShape()
    {
        assertMessage("{\"model\":\"m\",\"row\":[]}", "unknown field 'row'");
        assertMessage("{\"model\":\"m\",\"rows\":[{\"entity_key\":\"a\",\"feature\":{}}]}", "rows[0]: unknown field 'feature'");
        assertMessage("{\"model\":\"m\",\"rows\":[{},{\"features\":{\"age\":true}}]}", "rows[1].features.age: must be a number or a string");
        assertMessage("{\"model\":\"m\",\"rows\":[{\"features\":{\"age\":null}}]}", "rows[0].features.age: must be a number or a string");
        assertMessage("{\"model\":\"m\",\"rows\":[{\"features\":{\"age\":[1]}}]}", "rows[0].features.age: must be a number or a string");
        assertMessage("{\"model\":\"m\",\"rows\":[{\"features\":[]}]}", "rows[0].features: must be an object");
        assertMessage("{\"model\":\"m\",\"rows\":[{\"entity_key\":7}]}", "rows[0].entity_key: must be a string");
        assertMessage("{\"model\":\"m\",\"rows\":[7]}", "rows[0]: must be an object");
        assertMessage("{\"model\":\"m\",\"rows\":{}}", "rows: must be an array");
        assertMessage("{\"model\":1}", "model: must be a string");
        assertMessage("{\"model\":\"m\",\"version\":false}", "version: must be a string");
        assertMessage("{\"model\":\"m\",\"requestId\":{}}", "request_id: must be a string");
        assertMessage("{\"rows\":[]}", "'model' is required");
        assertMessage("{\"model\":\"\"}", "'model' is required");
        assertMessage("[]", "the body: must be an object");
        assertMessage("\"x\"", "the body: must be an object");
        assertMessage("", "the body: must be an object");
        assertMessage(" \n", "the body: must be an object");
    }

    @Test
    void shouldPointAtTheByteWhereJsonIsMalformed()
    {
        assertMessage("{\"model\": \"credit-risk\", ", "malformed JSON: the body ends early at byte 25");
        assertMessage("{\"model\": \"m\"} x", "malformed JSON: unexpected 'x' after the object at byte 15");
        assertMessage("{\"model\": \"m\"}{}", "malformed JSON: unexpected '{' after the object at byte 14");
        assertMessage("{\"model\": \"m\",}", "malformed JSON: expected a field name but found '}' at byte 14");
        assertMessage("{\"model\" \"m\"}", "malformed JSON: expected ':' but found '\"' at byte 9");
        assertMessage("{\"model\": \"m\" \"version\": \"1\"}", "malformed JSON: expected ',' or '}' but found '\"' at byte 14");
        assertMessage("{\"model\": tru}", "malformed JSON: expected 'true' at byte 13");
        assertMessage("not json", "malformed JSON: expected 'null' at byte 1");
        assertMessage("{\"model\": @}", "malformed JSON: expected a value but found '@' at byte 10");
        assertMessage("{\"model\":\"m\",\"rows\":[{} {}]}", "malformed JSON: expected ',' or ']' in rows but found '{' at byte 24");
    }

    @Test
    void shouldRefuseDeepNestingWhereItStartsWithoutDescending()
    {
        final String deep = "[".repeat(100_000);
        assertMessage(features(deep), "rows[0].features.x: must be a number or a string");
        assertMessage("{\"model\":" + "{".repeat(100_000), "model: must be a string");
    }

    @Test
    void shouldApplyDuplicateFieldsInOrderAsJacksonDid() throws Exception
    {
        final String body = "{\"model\":\"a\",\"model\":\"b\",\"rows\":[{\"entity_key\":\"k1\",\"entityKey\":\"k2\"," +
            "\"features\":{\"x\":1,\"x\":\"two\"}}],\"rows\":[{}]}";
        decode(body);
        try (JsonParser parser = JACKSON.createParser(body))
        {
            PredictJson.decode(parser, reference);
        }
        assertSameRequest(reference, decoded, body);
        assertEquals("b", decoded.modelName().toString());
        assertEquals(2, decoded.rowCount());
        assertEquals("k2", decoded.entityKey(0).toString());
    }

    @Test
    void shouldAnswerEveryTruncationOfAValidBodyWithAnErrorNamingWhere()
    {
        final byte[] body = TYPICAL.getBytes(StandardCharsets.UTF_8);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
        {
            for (int length = 0; length < body.length; length++)
            {
                final int cut = length;
                final JsonBodyException ex = assertThrows(JsonBodyException.class,
                    () -> decoder.decode(body, 0, cut, decoded), () -> "cut at " + cut);
                final String message = ex.getMessage();
                assertTrue(message.equals("the body: must be an object") ||
                    message.matches("malformed JSON: .* at byte " + cut), cut + " -> " + message);
            }
        });
    }

    @Test
    void shouldNeverLetAnythingButABodyErrorEscapeFromMutatedBodies()
    {
        final Random random = new Random(11);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
        {
            for (int i = 0; i < 20_000; i++)
            {
                final byte[] body = RandomBodies.body(random).getBytes(StandardCharsets.UTF_8);
                for (int m = random.nextInt(4); m >= 0; m--)
                {
                    body[random.nextInt(body.length)] = (byte)random.nextInt(256);
                }
                try
                {
                    decoder.decode(body, 0, body.length, decoded);
                }
                catch (final JsonBodyException expected)
                {
                    assertTrue(expected.getMessage().length() > 0);
                }
                catch (final RuntimeException ex)
                {
                    fail("escaped on " + new String(body, StandardCharsets.UTF_8), ex);
                }
            }
        });
    }

    @Test
    void shouldAllocateNothingOnceWarm() throws Exception
    {
        final ByteBuf body = Unpooled.directBuffer().writeBytes(TYPICAL.getBytes(StandardCharsets.UTF_8));
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++)
        {
            decoder.decode(body, decoded);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            decoder.decode(body, decoded);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 100,000 decodes");
        body.release();
    }

    private double number(final String number) throws JsonBodyException
    {
        decode(features(number));
        return decoded.requestFeatureNumber(0);
    }

    private static String features(final String value)
    {
        return "{\"model\":\"m\",\"rows\":[{\"features\":{\"x\":" + value + "}}]}";
    }

    private void decode(final String body) throws JsonBodyException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        decoder.decode(bytes, 0, bytes.length, decoded);
    }

    private void assertMessage(final String body, final String message)
    {
        final JsonBodyException ex = assertThrows(JsonBodyException.class, () -> decode(body), body);
        assertEquals(message, ex.getMessage(), body);
    }

    /** Equal but for the sign of zero: Jackson reads the integer -0 as 0.0, the decoder as -0.0. */
    static void assertSameRequest(final ScoringContext expected, final ScoringContext actual, final String body)
    {
        assertEquals(expected.modelName().toString(), actual.modelName().toString(), body);
        assertEquals(expected.versionPin().toString(), actual.versionPin().toString(), body);
        assertEquals(expected.requestId().toString(), actual.requestId().toString(), body);
        assertEquals(expected.rowCount(), actual.rowCount(), body);
        for (int row = 0; row < expected.rowCount(); row++)
        {
            assertEquals(expected.entityKey(row).toString(), actual.entityKey(row).toString(), body);
        }
        assertEquals(expected.requestFeatureCount(), actual.requestFeatureCount(), body);
        for (int i = 0; i < expected.requestFeatureCount(); i++)
        {
            assertEquals(expected.requestFeatureRow(i), actual.requestFeatureRow(i), body);
            assertEquals(expected.requestFeatureName(i).toString(), actual.requestFeatureName(i).toString(), body);
            assertEquals(expected.requestFeatureNumber(i), actual.requestFeatureNumber(i), 0.0, body);
            assertEquals(String.valueOf(expected.requestFeatureText(i)), String.valueOf(actual.requestFeatureText(i)), body);
        }
    }

    /** Valid request bodies in every form JSON allows, seeded. */
    static final class RandomBodies
    {
        private static final String[] WHITESPACE = {"", "", "", " ", "  ", "\n", "\r\n", "\t", " \n\t "};

        static String body(final Random random)
        {
            final StringBuilder json = new StringBuilder(256);
            final List<Runnable> fields = new ArrayList<>();
            json.append(ws(random)).append('{');
            fields.add(() -> field(json, random, "model").append(string(random, 1)));
            if (random.nextBoolean())
            {
                fields.add(() -> field(json, random, "version").append(string(random, 0)));
            }
            if (random.nextBoolean())
            {
                fields.add(() -> field(json, random, random.nextBoolean() ? "request_id" : "requestId").append(string(random, 0)));
            }
            fields.add(() -> rows(json, random));
            java.util.Collections.shuffle(fields, random);
            for (int i = 0; i < fields.size(); i++)
            {
                if (i > 0)
                {
                    json.append(ws(random)).append(',');
                }
                fields.get(i).run();
            }
            return json.append(ws(random)).append('}').append(ws(random)).toString();
        }

        private static void rows(final StringBuilder json, final Random random)
        {
            field(json, random, "rows").append('[');
            final int rows = random.nextInt(4);
            for (int row = 0; row < rows; row++)
            {
                json.append(row > 0 ? "," : "").append(ws(random)).append('{');
                final boolean key = random.nextInt(4) > 0;
                if (key)
                {
                    field(json, random, random.nextBoolean() ? "entity_key" : "entityKey").append(string(random, 0));
                }
                if (random.nextInt(5) > 0)
                {
                    if (key)
                    {
                        json.append(ws(random)).append(',');
                    }
                    field(json, random, "features").append('{');
                    final int features = random.nextInt(8);
                    for (int f = 0; f < features; f++)
                    {
                        json.append(f > 0 ? "," : "").append(ws(random)).append(string(random, 1)).append(ws(random))
                            .append(':').append(ws(random))
                            .append(random.nextInt(3) == 0 ? string(random, 0) : number(random));
                    }
                    json.append(ws(random)).append('}');
                }
                json.append(ws(random)).append('}');
            }
            json.append(ws(random)).append(']');
        }

        private static StringBuilder field(final StringBuilder json, final Random random, final String name)
        {
            return json.append(ws(random)).append('"').append(name).append('"').append(ws(random)).append(':').append(ws(random));
        }

        private static String ws(final Random random)
        {
            return WHITESPACE[random.nextInt(WHITESPACE.length)];
        }

        /** A JSON string literal of at least {@code min} characters: ASCII, escapes, 2-, 3- and 4-byte UTF-8. */
        static String string(final Random random, final int min)
        {
            final StringBuilder text = new StringBuilder("\"");
            final int length = min + random.nextInt(12);
            for (int i = 0; i < length; i++)
            {
                switch (random.nextInt(10))
                {
                    case 0 -> text.append(new String[] {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"}[random.nextInt(8)]);
                    case 1 -> text.append(unicodeEscape(random));
                    case 2 -> text.append((char)(0x80 + random.nextInt(0x780)));
                    case 3 -> text.append((char)(random.nextBoolean() ? 0x800 + random.nextInt(0xD800 - 0x800) : 0xE000 + random.nextInt(0x2000)));
                    case 4 -> text.appendCodePoint(0x10000 + random.nextInt(0x10FFFF - 0x10000));
                    default ->
                    {
                        final char c = (char)(0x20 + random.nextInt(0x5F));
                        text.append(c == '"' || c == '\\' ? 'q' : c);
                    }
                }
            }
            return text.append('"').toString();
        }

        private static String unicodeEscape(final Random random)
        {
            if (random.nextInt(4) == 0)
            {
                final int codePoint = 0x10000 + random.nextInt(0x10FFFF - 0x10000);
                return String.format("\\u%04x\\u%04X", (int)Character.highSurrogate(codePoint), (int)Character.lowSurrogate(codePoint));
            }
            int unit = random.nextInt(0x10000);
            if (Character.isSurrogate((char)unit))
            {
                unit = 0x41;
            }
            return String.format(random.nextBoolean() ? "\\u%04x" : "\\u%04X", unit);
        }

        /** A JSON number in any of the grammar's forms, from small integers to magnitudes past the fast path. */
        static String number(final Random random)
        {
            final StringBuilder number = new StringBuilder();
            if (random.nextInt(3) == 0)
            {
                number.append('-');
            }
            final int digits = random.nextInt(5) == 0 ? 1 + random.nextInt(25) : 1 + random.nextInt(6);
            if (random.nextInt(6) == 0)
            {
                number.append('0');
            }
            else
            {
                number.append((char)('1' + random.nextInt(9)));
                for (int i = 1; i < digits; i++)
                {
                    number.append((char)('0' + random.nextInt(10)));
                }
            }
            if (random.nextBoolean())
            {
                number.append('.');
                final int fraction = random.nextInt(5) == 0 ? 1 + random.nextInt(25) : 1 + random.nextInt(6);
                for (int i = 0; i < fraction; i++)
                {
                    number.append((char)('0' + random.nextInt(10)));
                }
            }
            if (random.nextInt(3) == 0)
            {
                number.append(random.nextBoolean() ? 'e' : 'E');
                final int pick = random.nextInt(3);
                number.append(pick == 0 ? "" : pick == 1 ? "+" : "-");
                number.append(random.nextInt(4) == 0 ? random.nextInt(400) : random.nextInt(30));
            }
            return number.toString();
        }
    }
}
