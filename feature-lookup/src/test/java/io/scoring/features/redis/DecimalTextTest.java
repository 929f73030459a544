package io.scoring.features.redis;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DecimalText} against {@link Float#parseFloat}, the JDK's correctly rounded parser. */
class DecimalTextTest
{
    @Test
    void shouldParseWhatPythonWritesForNumbersAsTheJdkDoes()
    {
        for (final String text : new String[]{ "0", "-0", "35", "35.0", "-1.5", "0.1", "1e-07", "1.5e+20", "3.4028235e38",
            "1.17549435e-38", "123456789012345678901234567890", "0.000000000000000000000000000001", "16777217",
            "1.00000005960464477539062500", "9007199254740993", "+7", ".5", "5." })
        {
            assertParsed(text);
        }
    }

    @Test
    void shouldParseRandomDecimalsAsTheJdkDoes()
    {
        final SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 200_000; i++)
        {
            final String text = switch (i % 4)
            {
                case 0 -> Float.toString(Float.intBitsToFloat(random.nextInt()));       // every float, shortest text
                case 1 -> Double.toString(random.nextDouble(-1e6, 1e6));                // 17 digits: rounded twice
                case 2 -> random.nextLong(-100_000_000L, 100_000_000L) + "." + random.nextInt(1_000_000);
                default -> (random.nextInt(20_000_000) + "e" + (random.nextInt(60) - 30));
            };
            if (!text.contains("NaN") && !text.contains("Infinity"))
            {
                assertParsed(text);
            }
        }
    }

    @Test
    void shouldRoundHalfwayCasesToEvenAsTheJdkDoes()
    {
        // 2^24 + 1 lies halfway between the floats 2^24 and 2^24 + 2; ties go to the even 2^24
        assertParsed("16777217");
        assertParsed("16777217.000000001"); // just above halfway: up
        assertParsed("16777219");           // halfway between 2^24 + 2 and 2^24 + 4: to the even 2^24 + 4
    }

    @Test
    void shouldRefuseTextThatIsNoDecimalNumber()
    {
        for (final String text : new String[]{ "", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "1,5", " 1", "1 ", "NaN",
            "Infinity", "0x1p3", "1d", "1f", "--1", "1e5.5" })
        {
            assertTrue(Float.isNaN(parse(text)), "'" + text + "'");
        }
    }

    private static void assertParsed(final String text)
    {
        assertEquals(Float.floatToRawIntBits(Float.parseFloat(text)), Float.floatToRawIntBits(parse(text)), text);
    }

    private static float parse(final String text)
    {
        final byte[] bytes = ("#" + text + "#").getBytes(StandardCharsets.US_ASCII);
        return DecimalText.parse(ByteBuffer.wrap(bytes), 1, bytes.length - 2);
    }
}
