package io.scoring.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloatFormatTest
{
    /** RFC 8259's number grammar. */
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");

    private final ByteBuf out = Unpooled.buffer(32);

    @Test
    void shouldReadBackAsTheSameFloatForTenMillionRandomBitPatterns()
    {
        final SplittableRandom random = new SplittableRandom(42);
        int checked = 0;
        while (checked < 10_000_000)
        {
            final float value = Float.intBitsToFloat(random.nextInt());
            if (Float.isFinite(value))
            {
                assertRoundTrip(value, checked % 1000 == 0);
                checked++;
            }
        }
    }

    @Test
    void shouldReadBackAsTheSameFloatAtTheEdges()
    {
        final float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.intBitsToFloat(0x007FFFFF),
            Float.MIN_NORMAL, Math.nextDown(Float.MIN_NORMAL), Math.nextUp(Float.MIN_NORMAL), Float.MAX_VALUE,
            -Float.MAX_VALUE, Math.nextDown(Float.MAX_VALUE), 0.1f, 0.7f, 0.3f, 1f / 3, 2f / 3, 0.5f, 1f, 1e-3f,
            Math.nextDown(1e-3f), 1e7f, Math.nextDown(1e7f), 9.999999e-4f, 16777216f, 16777217f, 0.16666667f,
            1.0000001f, 0.99999994f, 123456.79f, 3.4028235e38f, 1.17549435E-38f};
        for (final float value : edges)
        {
            assertRoundTrip(value, true);
        }
        for (int power = -45; power <= 38; power++)
        {
            final float value = Float.parseFloat("1e" + power);
            assertRoundTrip(value, true);
            assertRoundTrip(Math.nextUp(value), true);
            assertRoundTrip(Math.nextDown(value), true);
        }
        for (int power = -149; power <= 127; power++)
        {
            final float value = (float)Math.scalb(1.0, power);
            assertRoundTrip(value, true);
            assertRoundTrip(Math.nextDown(value), true);
        }
    }

    @Test
    void shouldWriteProbabilitiesAsPlainDecimals()
    {
        assertEquals("0.0", text(0f));
        assertEquals("-0.0", text(-0f));
        assertEquals("1.0", text(1f));
        assertEquals("0.5", text(0.5f));
        assertEquals("0.100000001", text(0.1f));
        assertEquals("0.001953125", text(0.001953125f));
        assertEquals("0.00123000005", text(0.00123f));
        assertEquals("1234567.0", text(1234567f));
        assertEquals("1.0E7", text(1e7f));
        assertEquals("9.99999975E-5", text(1e-4f));
        assertEquals("1.52587891E-5", text(0x1p-16f));
        assertEquals("1.40129846E-45", text(Float.MIN_VALUE));
        assertEquals("3.40282347E38", text(Float.MAX_VALUE));
    }

    @Test
    void shouldWriteNullForWhatJsonCannotCarry()
    {
        assertEquals("null", text(Float.NaN));
        assertEquals("null", text(Float.POSITIVE_INFINITY));
        assertEquals("null", text(Float.NEGATIVE_INFINITY));
    }

    private void assertRoundTrip(final float value, final boolean checkGrammar)
    {
        final String text = text(value);
        if (Float.floatToRawIntBits(Float.parseFloat(text)) != Float.floatToRawIntBits(value))
        {
            throw new AssertionError(text + " reads back as " + Float.parseFloat(text) + ", not " + value +
                " (bits " + Integer.toHexString(Float.floatToRawIntBits(value)) + ")");
        }
        if (checkGrammar)
        {
            assertTrue(JSON_NUMBER.matcher(text).matches(), text);
        }
    }

    private String text(final float value)
    {
        out.clear();
        FloatFormat.write(out, value);
        return out.toString(StandardCharsets.US_ASCII);
    }
}
