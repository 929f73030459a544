package io.scoring.gateway.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.Row;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-written decoder must fill the context exactly as the generated parser plus the old mapping
 * did, and refuse exactly what protobuf refuses: a client must not see a request scored differently,
 * or refused, because the gateway stopped using the generated classes.
 */
class PredictRequestDecoderTest
{
    private static final String[] PIECES = {"a", "Z", "7", " ", "_", "é", "ß", "日本", "Ω", "😀", "🚀", "\u0000", "\u07FF", "\uFFFD"};
    private static final double[] NUMBERS = {
        0.0, -0.0, 1.0, -1.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, Double.MIN_NORMAL, 1e300, -1e-300,
        Double.longBitsToDouble(0x7FF0000000000123L), Double.longBitsToDouble(0xFFF8000000000001L)};

    private final PredictRequestDecoder decoder = new PredictRequestDecoder();

    @Test
    void shouldFillTheContextAsTheGeneratedParserDoesForMessagesItBuilt()
    {
        final Random random = new Random(20261127L);
        for (int i = 0; i < 1_000; i++)
        {
            final byte[] bytes = generatedRequest(random).toByteArray();
            assertAgrees(bytes, "generated message #" + i);
        }
    }

    @Test
    void shouldFillTheContextAsTheGeneratedParserDoesWithFieldsReorderedRepeatedAndUnknown()
    {
        final Random random = new Random(42L);
        int accepted = 0;
        for (int i = 0; i < 2_000; i++)
        {
            final byte[] bytes = scrambledRequest(random);
            if (assertAgrees(bytes, "scrambled message #" + i))
            {
                accepted++;
            }
        }
        assertTrue(accepted > 1_500, "most scrambled messages are valid protobuf: " + accepted);
    }

    @Test
    void shouldAgreeWithProtobufOnEveryPrefixOfAMessage()
    {
        final Random random = new Random(7L);
        for (int i = 0; i < 60; i++)
        {
            final byte[] bytes = i % 2 == 0 ? generatedRequest(random).toByteArray() : scrambledRequest(random);
            for (int length = 0; length <= bytes.length; length++)
            {
                assertAgrees(Arrays.copyOf(bytes, length), "message #" + i + " cut to " + length + " bytes");
            }
        }
    }

    @Test
    void shouldKeepTheLastValueOfAFeatureSentTwiceInARowInThePlaceOfTheFirst()
    {
        final byte[] row = concat(
            entry("duration", number(1)), entry("purpose", text("car")), entry("duration", number(2)));
        final byte[] request = concat(field(1, utf8("credit-risk")), field(4, row));

        final ScoringContext ctx = decodeAgreeing(request);

        assertEquals(2, ctx.requestFeatureCount());
        assertEquals("duration", ctx.requestFeatureName(0).toString());
        assertEquals(2.0, ctx.requestFeatureNumber(0));
        assertEquals("car", ctx.requestFeatureText(1).toString());
    }

    @Test
    void shouldMergeAFeatureValueSentTwiceInOneEntryAsProtobufMergesEmbeddedMessages()
    {
        final byte[] entry = concat(field(1, utf8("duration")), field(2, number(3)), field(2, new byte[0]));
        final byte[] request = concat(field(1, utf8("credit-risk")), field(4, field(2, entry)));

        final ScoringContext ctx = decodeAgreeing(request);

        assertEquals(Outcome.OK, ctx.outcome());
        assertEquals(3.0, ctx.requestFeatureNumber(0));
    }

    @Test
    void shouldSayWhichFeatureHasNoValueWhenAnEntryCarriesNone()
    {
        final byte[] request = concat(field(1, utf8("credit-risk")), field(4, field(2, field(1, utf8("purpose")))));

        final ScoringContext ctx = decodeAgreeing(request);

        assertEquals(Outcome.INVALID_ARGUMENT, ctx.outcome());
        assertEquals("row 0, feature 'purpose': has no value", ctx.errorMessage());
    }

    @Test
    void shouldRejectInvalidUtf8InEveryStringFieldNamingIt()
    {
        final byte[] bad = {'a', (byte)0xC0, (byte)0x80};
        assertRejected(field(1, bad), "request: model: invalid UTF-8");
        assertRejected(field(2, bad), "request: version: invalid UTF-8");
        assertRejected(field(3, bad), "request: request_id: invalid UTF-8");
        assertRejected(field(4, field(1, bad)), "request: rows[0].entity_key: invalid UTF-8");
        assertRejected(concat(field(4, new byte[0]), field(4, field(2, field(1, bad)))),
            "request: rows[1].features: invalid UTF-8");
        assertRejected(field(4, field(2, field(2, field(2, new byte[] {(byte)0xED, (byte)0xA0, (byte)0x80})))),
            "request: rows[0].features: invalid UTF-8");
    }

    @Test
    void shouldRejectATruncatedFeatureNamingItsRow()
    {
        final byte[] cut = {0x12, 0x0A, 0x0A, 0x01, 'x'}; // an entry that claims 10 bytes in a row of 5
        final byte[] request = concat(field(4, new byte[0]), field(4, new byte[0]), field(4, cut));

        assertRejected(request, "malformed scoring.v1.ScoringService/Predict request: rows[2].features: truncated");
    }

    @Test
    void shouldRejectMalformedVarintsAndTagsAsProtobufDoes()
    {
        final byte[] elevenByteVarint = {(byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF,
            (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x01};
        assertRejected(elevenByteVarint, "request: malformed varint");
        assertRejected(concat(field(1, utf8("m")), elevenByteVarint), "Predict request: malformed varint");
        assertRejected(concat(new byte[] {0x08}, elevenByteVarint), "request: malformed varint");
        assertRejected(concat(new byte[] {0x0A}, elevenByteVarint), "request: model: malformed varint");
        assertRejected(new byte[] {0x0A, (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x0F}, "negative length");
        assertRejected(new byte[] {0x00}, "field number 0");
        assertRejected(new byte[] {0x0E, 0x00}, "invalid wire type");
        assertRejected(new byte[] {0x0F, 0x00}, "invalid wire type");
        assertRejected(new byte[] {0x0C}, "end-group");
        assertRejected(new byte[] {0x2B, 0x34}, "end-group"); // group 5 closed as 6
        assertRejected(new byte[] {0x2B}, "truncated");
    }

    @Test
    void shouldSkipGroupsNestedAsDeepAsProtobufAllowsAndNoDeeper()
    {
        assertTrue(assertAgrees(nestedGroups(100), "100 nested groups"));
        assertFalse(assertAgrees(nestedGroups(101), "101 nested groups"));
    }

    @Test
    void shouldReadTheMessageFromAStreamWhateverItsSize() throws IOException
    {
        final Random random = new Random(3L);
        for (int i = 0; i < 20; i++)
        {
            final PredictRequest request = generatedRequest(random);
            final byte[] bytes = request.toByteArray();
            final ScoringContext ctx = ScoringContext.ofThread();
            assertTrue(decoder.decode(new ByteArrayInputStream(bytes), ctx));
            final String fromStream = describe(ctx);
            mapTheOldWay(request, ctx);
            assertEquals(describe(ctx), fromStream);
        }
        final byte[] big = generatedRequest(random).toBuilder().setRequestId("x".repeat(100_000)).build().toByteArray();
        assertTrue(decoder.decode(new ByteArrayInputStream(big), ScoringContext.ofThread()));
        assertEquals(100_000, ScoringContext.ofThread().requestId().length());
    }

    // the reference: protobuf's parse, then the mapping ScoringGrpcService did

    /** Decodes with both and asserts they agree; returns whether the bytes were accepted. */
    private boolean assertAgrees(final byte[] bytes, final String what)
    {
        PredictRequest parsed;
        try
        {
            parsed = PredictRequest.parseFrom(bytes);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            parsed = null;
        }
        final ScoringContext ctx = ScoringContext.ofThread();
        final boolean decoded = decoder.decode(bytes, 0, bytes.length, ctx);
        if (null == parsed)
        {
            assertFalse(decoded, what + ": protobuf refuses it, the decoder took it");
            assertTrue(decoder.error().startsWith("malformed scoring.v1.ScoringService/Predict request: "), decoder.error());
            return false;
        }
        assertTrue(decoded, () -> what + ": protobuf takes it, the decoder refused it: " + decoder.error());
        final String actual = describe(ctx);
        mapTheOldWay(parsed, ctx);
        assertEquals(describe(ctx), actual, what);
        return true;
    }

    private ScoringContext decodeAgreeing(final byte[] bytes)
    {
        assertTrue(assertAgrees(bytes, "the request"));
        decoder.decode(bytes, 0, bytes.length, ScoringContext.ofThread());
        return ScoringContext.ofThread();
    }

    private void assertRejected(final byte[] bytes, final String message)
    {
        assertFalse(assertAgrees(bytes, "the request"));
        assertTrue(decoder.error().contains(message), decoder.error());
    }

    /** ScoringGrpcService's mapping of the parsed request, as it was. */
    private static void mapTheOldWay(final PredictRequest request, final ScoringContext ctx)
    {
        ctx.reset(request.getModel(), request.getVersion(), request.getRequestId());
        for (final Row row : request.getRowsList())
        {
            final int index = ctx.addRow(row.getEntityKey());
            for (final Map.Entry<String, FeatureValue> feature : row.getFeaturesMap().entrySet())
            {
                final FeatureValue value = feature.getValue();
                switch (value.getKindCase())
                {
                    case NUMBER_VALUE -> ctx.addNumber(index, feature.getKey(), value.getNumberValue());
                    case STRING_VALUE -> ctx.addText(index, feature.getKey(), value.getStringValue());
                    default -> ctx.fail(Outcome.INVALID_ARGUMENT,
                        "row " + index + ", feature '" + feature.getKey() + "': has no value");
                }
            }
        }
    }

    private static String describe(final ScoringContext ctx)
    {
        return GeneratedV2.describe(ctx);
    }

    // requests

    private static PredictRequest generatedRequest(final Random random)
    {
        final PredictRequest.Builder request = PredictRequest.newBuilder()
            .setModel(randomText(random)).setVersion(randomText(random)).setRequestId(randomText(random));
        final int rows = random.nextInt(9);
        for (int r = 0; r < rows; r++)
        {
            final Row.Builder row = request.addRowsBuilder().setEntityKey(randomText(random));
            final int features = random.nextInt(11);
            for (int f = 0; f < features; f++)
            {
                final int kind = random.nextInt(20);
                row.putFeatures(randomText(random), kind == 0 ? FeatureValue.getDefaultInstance()
                    : kind < 10 ? FeatureValue.newBuilder().setNumberValue(randomNumber(random)).build()
                    : FeatureValue.newBuilder().setStringValue(randomText(random)).build());
            }
        }
        return request.build();
    }

    /**
     * A request written field by field: in shuffled order, singular fields repeated, map keys repeated,
     * entries without key or value, values sent twice, known field numbers with other wire types, and
     * unknown fields of every wire type.
     */
    private static byte[] scrambledRequest(final Random random)
    {
        final List<byte[]> fields = new ArrayList<>();
        for (int field = 1; field <= 3; field++)
        {
            final int times = random.nextInt(3);
            for (int i = 0; i < times; i++)
            {
                fields.add(field(field, utf8(randomText(random))));
            }
        }
        final int rows = random.nextInt(9);
        for (int r = 0; r < rows; r++)
        {
            fields.add(field(4, scrambledRow(random)));
        }
        addUnknowns(random, fields);
        Collections.shuffle(fields, random);
        return concat(fields.toArray(new byte[0][]));
    }

    private static byte[] scrambledRow(final Random random)
    {
        final List<byte[]> fields = new ArrayList<>();
        final int keys = random.nextInt(3);
        for (int i = 0; i < keys; i++)
        {
            fields.add(field(1, utf8(randomText(random))));
        }
        final String[] names = {randomText(random), randomText(random), randomText(random), ""};
        final int entries = random.nextInt(11);
        for (int i = 0; i < entries; i++)
        {
            final List<byte[]> entry = new ArrayList<>();
            if (random.nextInt(8) != 0)
            {
                entry.add(field(1, utf8(random.nextBoolean() ? names[random.nextInt(names.length)] : randomText(random))));
            }
            final int values = random.nextInt(8) == 0 ? random.nextInt(3) : 1;
            for (int v = 0; v < values; v++)
            {
                entry.add(field(2, scrambledValue(random)));
            }
            addUnknowns(random, entry);
            Collections.shuffle(entry, random);
            fields.add(field(2, concat(entry.toArray(new byte[0][]))));
        }
        addUnknowns(random, fields);
        Collections.shuffle(fields, random);
        return concat(fields.toArray(new byte[0][]));
    }

    private static byte[] scrambledValue(final Random random)
    {
        final List<byte[]> fields = new ArrayList<>();
        final int members = random.nextInt(10) == 0 ? random.nextInt(3) : 1;
        for (int i = 0; i < members; i++)
        {
            fields.add(random.nextBoolean() ? number(randomNumber(random)) : text(randomText(random)));
        }
        addUnknowns(random, fields);
        Collections.shuffle(fields, random);
        return concat(fields.toArray(new byte[0][]));
    }

    /** Unknown fields, and known field numbers (1 to 4) with a wire type other than their own. */
    private static void addUnknowns(final Random random, final List<byte[]> fields)
    {
        final int count = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
        for (int i = 0; i < count; i++)
        {
            final int number = random.nextBoolean() ? 1 + random.nextInt(4) : 5 + random.nextInt(20_000);
            fields.add(write((out) ->
            {
                switch (random.nextInt(5))
                {
                    case 0 -> out.writeUInt64(number, random.nextLong());
                    case 1 -> out.writeFixed64(number, random.nextLong());
                    case 2 -> out.writeFixed32(number, random.nextInt());
                    case 3 -> out.writeByteArray(number + 100, randomBytes(random)); // length-delimited, unknown everywhere
                    default ->
                    {
                        out.writeTag(number, 3);
                        out.writeUInt32(number + 1, random.nextInt());
                        out.writeTag(number + 2, 3);
                        out.writeFixed32(1, 7);
                        out.writeTag(number + 2, 4);
                        out.writeTag(number, 4);
                    }
                }
            }));
        }
    }

    private static byte[] nestedGroups(final int depth)
    {
        return write((out) ->
        {
            for (int i = 0; i < depth; i++)
            {
                out.writeTag(9, 3);
            }
            for (int i = 0; i < depth; i++)
            {
                out.writeTag(9, 4);
            }
        });
    }

    private static String randomText(final Random random)
    {
        final int pieces = random.nextInt(4) == 0 ? 0 : random.nextInt(12);
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < pieces; i++)
        {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }

    private static double randomNumber(final Random random)
    {
        return random.nextBoolean() ? NUMBERS[random.nextInt(NUMBERS.length)] : random.nextGaussian() * 1e6;
    }

    private static byte[] randomBytes(final Random random)
    {
        final byte[] bytes = new byte[random.nextInt(12)];
        random.nextBytes(bytes);
        return bytes;
    }

    // wire writing

    private interface Writes
    {
        void to(CodedOutputStream out) throws IOException;
    }

    private static byte[] write(final Writes writes)
    {
        try
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            writes.to(out);
            out.flush();
            return bytes.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static byte[] field(final int number, final byte[] value)
    {
        return write((out) -> out.writeByteArray(number, value));
    }

    private static byte[] entry(final String name, final byte[] value)
    {
        return field(2, concat(field(1, utf8(name)), field(2, value)));
    }

    private static byte[] number(final double value)
    {
        return write((out) -> out.writeDouble(1, value));
    }

    private static byte[] text(final String value)
    {
        return field(2, utf8(value));
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
