package io.scoring.features.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The float a decimal number written as text spells: a numeric feature Feast stores as {@code String}
 * ({@code string_val "35"}, {@code "-1.5"}, {@code "2.5e3"}).
 *
 * <p>Grammar: {@code [+-]? digits? ('.' digits?)? ([eE] [+-]? digits)?} with at least one digit before the exponent;
 * nothing else (no spaces, no {@code NaN}, {@code Infinity}, hex or type suffixes, which {@link Float#parseFloat}
 * would take).
 *
 * <p>Correctly rounded, as {@link Float#parseFloat}: up to 18 significant digits go into a long; when that long is
 * at most 2^53 and the power of ten at most 10^22, both are exact doubles, so one IEEE multiplication or division
 * gives the correctly rounded double (Clinger's fast path), and rounding that double to float is correct unless
 * it lies exactly halfway between two floats (double rounding). Those halfway cases and numbers outside the fast
 * path (more digits, larger exponents) go to {@link Float#parseFloat}, which allocates a String: rare text, never
 * what Feast writes for a float or an integer column.
 *
 * <p>Stateless; the fast path allocates nothing and nothing throws.
 */
final class DecimalText
{
    /** What {@link #parse} answers for text that is not a decimal number. */
    static final float NOT_A_NUMBER = Float.NaN;

    private static final int MAX_DIGITS = 18;
    private static final long MAX_EXACT_MANTISSA = 1L << 53;
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    /** Exponents are clamped here: far past any float, small enough not to overflow an int. */
    private static final int EXPONENT_CLAMP = 100_000;

    private DecimalText()
    {
    }

    /** The number the {@code length} ASCII bytes at {@code src[offset]} spell, or {@link #NOT_A_NUMBER}. */
    static float parse(final ByteBuffer src, final int offset, final int length)
    {
        final int end = offset + length;
        int p = offset;
        boolean negative = false;
        if (p < end && (src.get(p) == '-' || src.get(p) == '+'))
        {
            negative = src.get(p) == '-';
            p++;
        }

        long mantissa = 0;
        int significant = 0;
        int exponent = 0;
        boolean anyDigit = false;
        boolean inexact = false;
        boolean fraction = false;
        for (; p < end; p++)
        {
            final int c = src.get(p);
            if (c == '.' && !fraction)
            {
                fraction = true;
                continue;
            }
            if (c < '0' || c > '9')
            {
                break;
            }
            anyDigit = true;
            if (mantissa == 0 && c == '0')
            {
                exponent -= fraction ? 1 : 0;
            }
            else if (significant < MAX_DIGITS)
            {
                mantissa = mantissa * 10 + (c - '0');
                significant++;
                exponent -= fraction ? 1 : 0;
            }
            else
            {
                inexact |= c != '0';
                exponent += fraction ? 0 : 1;
            }
        }
        if (!anyDigit)
        {
            return NOT_A_NUMBER;
        }

        if (p < end && (src.get(p) == 'e' || src.get(p) == 'E'))
        {
            p++;
            boolean negativeExponent = false;
            if (p < end && (src.get(p) == '-' || src.get(p) == '+'))
            {
                negativeExponent = src.get(p) == '-';
                p++;
            }
            final int digitsAt = p;
            int written = 0;
            for (; p < end && src.get(p) >= '0' && src.get(p) <= '9'; p++)
            {
                written = Math.min(EXPONENT_CLAMP, written * 10 + (src.get(p) - '0'));
            }
            if (p == digitsAt)
            {
                return NOT_A_NUMBER;
            }
            exponent += negativeExponent ? -written : written;
        }
        if (p != end)
        {
            return NOT_A_NUMBER;
        }

        if (mantissa == 0)
        {
            return negative ? -0.0f : 0.0f;
        }
        if (!inexact && mantissa <= MAX_EXACT_MANTISSA && Math.abs(exponent) < POWERS_OF_TEN.length)
        {
            final double exact = exponent >= 0 ? mantissa * POWERS_OF_TEN[exponent] : mantissa / POWERS_OF_TEN[-exponent];
            final float rounded = (float)exact;
            if (!isHalfway(exact, rounded))
            {
                return negative ? -rounded : rounded;
            }
        }

        return slowPath(src, offset, length);
    }

    /** Whether {@code value} lies exactly between {@code rounded} and its neighbour away from it. */
    private static boolean isHalfway(final double value, final float rounded)
    {
        if (value == rounded || Float.isInfinite(rounded))
        {
            return false;
        }
        final float neighbour = value > rounded ? Math.nextUp(rounded) : Math.nextDown(rounded);

        return value == ((double)rounded + (double)neighbour) / 2;
    }

    private static float slowPath(final ByteBuffer src, final int offset, final int length)
    {
        final byte[] text = new byte[length];
        for (int i = 0; i < length; i++)
        {
            text[i] = src.get(offset + i);
        }

        return Float.parseFloat(new String(text, StandardCharsets.US_ASCII));
    }
}
