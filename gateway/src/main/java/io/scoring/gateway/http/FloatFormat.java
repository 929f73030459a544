package io.scoring.gateway.http;

import io.netty.buffer.ByteBuf;

/**
 * Writes a float as a JSON number that reads back as the same float, without allocating: nine
 * significant digits, trailing zeros trimmed, in Float.toString's layout (plain from 10^-3 up to
 * 10^7, else {@code d.dddE±x}; {@code 0.0} and {@code -0.0}; whole numbers keep a {@code .0}).
 *
 * <p><b>Why nine digits round-trip.</b> A float has a 24-bit significand: near a value v its
 * neighbours are at least v·2^-24 ≈ v·5.96e-8 away, the one below a power of two half that. Nine
 * significant digits are spaced at most v·1e-8 apart, so the nearest nine-digit decimal is within
 * v·0.5e-8 of v: well inside half the gap to either neighbour (≥ v·1.49e-8), and {@code Float.parseFloat}
 * returns v. Subnormals have fewer bits and wider gaps, which only helps. Those margins (about three
 * units of the ninth digit) are also why the scaling below may be one rounded double operation: its
 * relative error (≤ 2^-52 each for the power of ten and the product) moves the ninth digit by ~1e-7
 * of a unit. The digits themselves are long arithmetic. Shortest digits (as Float.toString writes)
 * would be nicer to read but needs Ryu or Schubfach; nine is what {@code %.9g} gives, minus zeros.
 *
 * <p>NaN and the infinities have no JSON form: they are written as {@code null}.
 */
final class FloatFormat
{
    /** Significant digits written before trimming: enough for any float, see above. */
    private static final int DIGITS = 9;
    private static final long SMALLEST_NINE_DIGITS = 100_000_000L;
    private static final long TEN_DIGITS = 1_000_000_000L;

    /** Decimal exponents written plainly, as Float.toString does: 10^-3 <= |v| < 10^7. */
    private static final int PLAIN_MIN_EXPONENT = -3;
    private static final int PLAIN_MAX_EXPONENT = 6;

    /** 10^0 .. 10^54 as doubles, each correctly rounded: scales any finite float to nine digits. */
    private static final double[] POWERS_OF_TEN = new double[55];
    /** 10^0 .. 10^8 as longs, to pick digits. */
    private static final long[] LONG_POWERS_OF_TEN = new long[DIGITS];

    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    static
    {
        for (int i = 0; i < POWERS_OF_TEN.length; i++)
        {
            POWERS_OF_TEN[i] = Double.parseDouble("1e" + i); // once, at class initialisation
        }
        long power = 1;
        for (int i = 0; i < LONG_POWERS_OF_TEN.length; i++)
        {
            LONG_POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    private FloatFormat()
    {
    }

    static void write(final ByteBuf out, final float value)
    {
        if (!Float.isFinite(value))
        {
            out.writeBytes(NULL);
            return;
        }
        if (Float.floatToRawIntBits(value) < 0)
        {
            out.writeByte('-');
        }
        final double magnitude = Math.abs((double)value);
        if (magnitude == 0)
        {
            out.writeByte('0').writeByte('.').writeByte('0');
            return;
        }

        int exponent = (int)Math.floor(Math.log10(magnitude)); // may be one off: corrected below
        long digits = scaled(magnitude, DIGITS - 1 - exponent);
        if (digits >= TEN_DIGITS)
        {
            exponent++;
            digits = scaled(magnitude, DIGITS - 1 - exponent);
        }
        else if (digits < SMALLEST_NINE_DIGITS)
        {
            exponent--;
            digits = scaled(magnitude, DIGITS - 1 - exponent);
        }
        if (digits >= TEN_DIGITS) // 999999999.5 and up rounded to ten digits
        {
            exponent++;
            digits = SMALLEST_NINE_DIGITS;
        }

        int count = DIGITS;
        while (digits % 10 == 0)
        {
            digits /= 10;
            count--;
        }
        if (exponent >= PLAIN_MIN_EXPONENT && exponent <= PLAIN_MAX_EXPONENT)
        {
            writePlain(out, digits, count, exponent);
        }
        else
        {
            writeScientific(out, digits, count, exponent);
        }
    }

    /** round(magnitude * 10^power). */
    private static long scaled(final double magnitude, final int power)
    {
        final double product = power >= 0 ? magnitude * POWERS_OF_TEN[power] : magnitude / POWERS_OF_TEN[-power];
        return Math.round(product);
    }

    /** {@code digits} (count of them) times 10^(exponent - count + 1), as 123.45 or 0.0012345. */
    private static void writePlain(final ByteBuf out, final long digits, final int count, final int exponent)
    {
        if (exponent < 0)
        {
            out.writeByte('0').writeByte('.');
            for (int i = -1; i > exponent; i--)
            {
                out.writeByte('0');
            }
            writeDigits(out, digits, count, 0, count);
            return;
        }
        final int whole = exponent + 1;
        writeDigits(out, digits, count, 0, Math.min(whole, count));
        for (int i = count; i < whole; i++)
        {
            out.writeByte('0');
        }
        out.writeByte('.');
        if (count > whole)
        {
            writeDigits(out, digits, count, whole, count);
        }
        else
        {
            out.writeByte('0');
        }
    }

    /** As 1.2345E-5: Float.toString's layout. */
    private static void writeScientific(final ByteBuf out, final long digits, final int count, final int exponent)
    {
        writeDigits(out, digits, count, 0, 1);
        out.writeByte('.');
        if (count > 1)
        {
            writeDigits(out, digits, count, 1, count);
        }
        else
        {
            out.writeByte('0');
        }
        out.writeByte('E');
        int power = exponent;
        if (power < 0)
        {
            out.writeByte('-');
            power = -power;
        }
        if (power >= 10)
        {
            out.writeByte('0' + power / 10);
        }
        out.writeByte('0' + power % 10);
    }

    /** Digits {@code from} (inclusive) to {@code to} (exclusive) of the {@code count}-digit number, most significant first. */
    private static void writeDigits(final ByteBuf out, final long digits, final int count, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            out.writeByte('0' + (int)(digits / LONG_POWERS_OF_TEN[count - 1 - i] % 10));
        }
    }
}
