package io.scoring.gateway.http;

import io.netty.buffer.ByteBuf;
import io.scoring.gateway.pipeline.MutableText;
import io.scoring.gateway.pipeline.ScoringContext;

import java.nio.charset.StandardCharsets;

/**
 * What the hand-written JSON request decoders share: a strict RFC 8259 reader over the body's bytes
 * that builds no tree, no token stream and no String. Each decoder knows its one shape and reads it
 * with these primitives in {@link #decodeBody}.
 *
 * <p><b>Input.</b> The body is first copied into a byte array owned by the decoder (grown to the
 * largest body seen, which the transport's body limit bounds). One bulk copy of a few hundred bytes
 * is cheaper than a bounds- and reference-count-checked {@code ByteBuf.getByte} per byte, and it lets
 * runs of plain string bytes go to {@link MutableText#appendUtf8} in one call.
 *
 * <p><b>Strings.</b> Every string (names included) is decoded into a {@link MutableText}: the
 * request's own from {@link ScoringContext#text()}, field names into a scratch text compared
 * character by character against the known names. All escapes are handled; a {@code \\u} escape of
 * a lone surrogate is refused as malformed, since the text would not be Unicode, could not match any
 * model, feature or category name, and could not be echoed back as UTF-8. Raw control characters and
 * ill-formed UTF-8 (overlong forms, encoded surrogates, cut-off sequences) are refused too.
 *
 * <p><b>Numbers.</b> RFC 8259's grammar exactly (no leading zeros, '+', NaN, Infinity, or bare '.').
 * Converted correctly rounded: a significand of at most 15 digits times or divided by an exact power
 * of ten up to 10^22 is one correctly rounded operation; an integer of at most 18 digits is exact in a
 * long and rounded once by the cast; anything else goes to {@link Double#parseDouble} on a String,
 * the one path here that allocates, taken only by numbers with more than 15 significant digits and a
 * fraction or exponent, or with magnitudes beyond 10^±22 or so. {@code -0} reads as -0.0 (Jackson
 * reads the integer {@code -0} as 0.0). Numbers longer than {@link #MAX_NUMBER_LENGTH} are refused.
 *
 * <p><b>Errors</b> are {@link JsonBodyException}s whose message names the field
 * ({@code rows[0].features.age: must be a number or a string}) or, for malformed JSON, the byte
 * offset ({@code malformed JSON: ... at byte 17}); they are made only on that path.
 *
 * <p>Threading: one decoder per thread; it keeps its buffer and scratch text between requests.
 */
abstract class JsonReader
{
    /** Longest number accepted, in bytes: Jackson's default limit, which also bounds the slow path's cost. */
    public static final int MAX_NUMBER_LENGTH = 1000;

    /** The largest significand the fast path multiplies exactly: below 2^53. */
    private static final int FAST_DIGITS = 15;
    /** Digits a long holds without overflow. */
    private static final int LONG_DIGITS = 18;
    /** 10^0 .. 10^22: every one exact in a double. */
    private static final double[] EXACT_POWERS_OF_TEN = new double[23];

    static
    {
        double power = 1;
        for (int i = 0; i < EXACT_POWERS_OF_TEN.length; i++)
        {
            EXACT_POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    byte[] bytes = new byte[1024];
    int origin;
    int position;
    int end;
    final MutableText name = new MutableText();

    /** Reads the readable bytes of {@code body} (without moving its reader index) into {@code ctx}. */
    public final void decode(final ByteBuf body, final ScoringContext ctx) throws JsonBodyException
    {
        final int length = body.readableBytes();
        if (bytes.length < length)
        {
            bytes = new byte[Math.max(length, bytes.length * 2)];
        }
        body.getBytes(body.readerIndex(), bytes, 0, length);
        decode(bytes, 0, length, ctx);
    }

    /** Reads {@code length} bytes of {@code body} from {@code offset} into {@code ctx}. */
    public final void decode(final byte[] body, final int offset, final int length, final ScoringContext ctx)
        throws JsonBodyException
    {
        final byte[] own = bytes;
        bytes = body;
        origin = offset;
        position = offset;
        end = offset + length;
        try
        {
            decodeBody(ctx);
        }
        finally
        {
            bytes = own;
        }
    }

    /** Reads the body between {@link #position} and {@link #end} into {@code ctx}. */
    abstract void decodeBody(ScoringContext ctx) throws JsonBodyException;

    // ---------------------------------------------------------------- objects

    /** Reads the body's opening '{'; true when a field follows. */
    final boolean openBody() throws JsonBodyException
    {
        skipWhitespace();
        if (position == end || peekValue() != '{')
        {
            throw notA("the body", "an object");
        }
        position++;
        return firstField();
    }

    /** Checks that nothing but whitespace follows the body's object. */
    final void closeBody() throws JsonBodyException
    {
        skipWhitespace();
        if (position != end)
        {
            throw malformed("unexpected " + describe(position) + " after the object");
        }
    }

    /** After an object's '{': true when a field follows, false when the object is empty. */
    final boolean firstField() throws JsonBodyException
    {
        skipWhitespace();
        if (peek() == '}')
        {
            position++;
            return false;
        }
        return true;
    }

    /** After a field's value: true when another field follows, false at the object's '}'. */
    final boolean nextField() throws JsonBodyException
    {
        skipWhitespace();
        final byte next = peek();
        position++;
        if (next == ',')
        {
            return true;
        }
        if (next != '}')
        {
            throw malformed(position - 1, "expected ',' or '}' but found " + describe(position - 1));
        }
        return false;
    }

    /** Reads {@code "name":} into the scratch name, leaving the position before the value. */
    final void readName() throws JsonBodyException
    {
        skipWhitespace();
        expectString("a field name");
        readString(name.clear());
        colon();
    }

    final boolean nameIs(final String known)
    {
        return known.contentEquals(name);
    }

    final void colon() throws JsonBodyException
    {
        skipWhitespace();
        expect(':', "':'");
    }

    /** Checks that a string starts at the position, leaving it there for {@link #readString}. */
    final void expectString(final String what) throws JsonBodyException
    {
        if (peek() != '"')
        {
            throw malformed("expected " + what + " but found " + describe(position));
        }
    }

    final void expect(final char wanted, final String what) throws JsonBodyException
    {
        if (peek() != wanted)
        {
            throw malformed("expected " + what + " but found " + describe(position));
        }
        position++;
    }

    /**
     * The first byte of the next value, without consuming it. A literal ({@code true}, {@code false},
     * {@code null}) is checked first, so a misspelt one is reported as malformed rather than as a value
     * of the wrong type, as the Jackson reader did.
     */
    final byte peekValue() throws JsonBodyException
    {
        skipWhitespace();
        final byte first = peek();
        switch (first)
        {
            case '"', '{', '[' ->
            {
                return first;
            }
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default ->
            {
                if (first == '-' || (first >= '0' && first <= '9'))
                {
                    return first;
                }
                throw malformed("expected a value but found " + describe(position));
            }
        }
        return first;
    }

    final void literal(final String word) throws JsonBodyException
    {
        for (int i = 0; i < word.length(); i++)
        {
            if (position + i == end || bytes[position + i] != word.charAt(i))
            {
                throw malformed(position + i, "expected '" + word + "'");
            }
        }
    }

    /** Reads a value that must be a string into a new text of the request's. */
    final MutableText readText(final ScoringContext ctx, final String field) throws JsonBodyException
    {
        if (peekValue() != '"')
        {
            throw notA(field, "a string");
        }
        return readString(ctx.text());
    }

    // ---------------------------------------------------------------- strings

    /**
     * Reads the string at the position (its opening quote) into {@code text}: ASCII is copied as it is
     * scanned, in one pass; a run of other bytes goes to {@link MutableText#appendUtf8}, which checks it.
     */
    final MutableText readString(final MutableText text) throws JsonBodyException
    {
        final byte[] in = bytes;
        final int limit = end;
        int i = position + 1;
        while (i < limit)
        {
            final byte b = in[i];
            if (b >= 0x20 && b != '"' && b != '\\')
            {
                text.append((char)b);
                i++;
            }
            else if (b == '"')
            {
                position = i + 1;
                return text;
            }
            else if (b == '\\')
            {
                i = escape(text, i);
            }
            else if (b < 0)
            {
                final int run = i;
                while (i < limit && in[i] < 0)
                {
                    i++;
                }
                if (i == limit)
                {
                    break; // cut off, perhaps inside a character: that the string never ends is the error
                }
                appendRun(text, run, i);
            }
            else
            {
                throw malformed(i, "control character 0x" + Integer.toHexString(b) + " in a string (escape it)");
            }
        }
        throw malformed(limit, "the body ends inside a string");
    }

    final void appendRun(final MutableText text, final int from, final int to) throws JsonBodyException
    {
        if (to > from && !text.appendUtf8(bytes, from, to - from))
        {
            throw malformed(from, "invalid UTF-8 in a string");
        }
    }

    /** Appends the escape at {@code at} (its backslash); returns the index after it. */
    final int escape(final MutableText text, final int at) throws JsonBodyException
    {
        if (at + 1 == end)
        {
            throw malformed(end, "the body ends inside a string");
        }
        switch (bytes[at + 1])
        {
            case '"' -> text.append('"');
            case '\\' -> text.append('\\');
            case '/' -> text.append('/');
            case 'b' -> text.append('\b');
            case 'f' -> text.append('\f');
            case 'n' -> text.append('\n');
            case 'r' -> text.append('\r');
            case 't' -> text.append('\t');
            case 'u' ->
            {
                return unicodeEscape(text, at);
            }
            default -> throw malformed(at, "invalid escape " + describe(at + 1));
        }
        return at + 2;
    }

    final int unicodeEscape(final MutableText text, final int at) throws JsonBodyException
    {
        final char unit = (char)hex4(at);
        if (Character.isLowSurrogate(unit))
        {
            throw malformed(at, "unpaired surrogate \\u" + Integer.toHexString(unit));
        }
        if (!Character.isHighSurrogate(unit))
        {
            text.append(unit);
            return at + 6;
        }
        final int next = at + 6;
        if (next == end || (next + 1 == end && bytes[next] == '\\'))
        {
            throw malformed(end, "the body ends inside a string");
        }
        if (bytes[next] != '\\' || bytes[next + 1] != 'u')
        {
            throw malformed(at, "unpaired surrogate \\u" + Integer.toHexString(unit));
        }
        final char low = (char)hex4(next);
        if (!Character.isLowSurrogate(low))
        {
            throw malformed(at, "unpaired surrogate \\u" + Integer.toHexString(unit));
        }
        text.append(unit).append(low);
        return next + 6;
    }

    /** The four hex digits after the {@code \\u} at {@code at}. */
    final int hex4(final int at) throws JsonBodyException
    {
        if (at + 6 > end)
        {
            throw malformed(end, "the body ends inside a \\u escape");
        }
        int value = 0;
        for (int i = at + 2; i < at + 6; i++)
        {
            final int digit = Character.digit(bytes[i], 16);
            if (digit < 0)
            {
                throw malformed(i, "expected a hex digit in a \\u escape but found " + describe(i));
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    // ---------------------------------------------------------------- numbers

    /** Reads the number at the position; see the class comment for how it is converted. */
    final double readNumber() throws JsonBodyException
    {
        final byte[] in = bytes;
        final int start = position;
        int i = start;
        final boolean negative = in[i] == '-';
        if (negative)
        {
            i++;
        }
        long significand = 0;
        int digits = 0;
        int exponent = 0;
        boolean truncated = false;

        if (!isDigit(i))
        {
            throw malformed(i, "expected a digit but found " + describe(i));
        }
        if (in[i] == '0')
        {
            i++;
            if (isDigit(i))
            {
                throw malformed(i - 1, "a number with a leading zero");
            }
        }
        else
        {
            for (; isDigit(i); i++)
            {
                if (digits < LONG_DIGITS)
                {
                    significand = significand * 10 + (in[i] - '0');
                    digits++;
                }
                else
                {
                    truncated |= in[i] != '0';
                    exponent++;
                }
            }
        }
        final boolean integer;
        if (i < end && in[i] == '.')
        {
            i++;
            if (!isDigit(i))
            {
                throw malformed(i, "expected a digit after '.' but found " + describe(i));
            }
            for (; isDigit(i); i++)
            {
                final int digit = in[i] - '0';
                if (digits == 0 && digit == 0)
                {
                    exponent--; // a leading zero of the fraction only scales
                }
                else if (digits < LONG_DIGITS)
                {
                    significand = significand * 10 + digit;
                    digits++;
                    exponent--;
                }
                else
                {
                    truncated |= digit != 0;
                }
            }
            integer = false;
        }
        else
        {
            integer = true;
        }
        if (i < end && (in[i] == 'e' || in[i] == 'E'))
        {
            i++;
            final boolean negativeExponent = i < end && in[i] == '-';
            if (i < end && (in[i] == '-' || in[i] == '+'))
            {
                i++;
            }
            if (!isDigit(i))
            {
                throw malformed(i, "expected a digit in the exponent but found " + describe(i));
            }
            int written = 0;
            for (; isDigit(i); i++)
            {
                written = Math.min(written * 10 + (in[i] - '0'), 100_000); // far past any double's range
            }
            exponent += negativeExponent ? -written : written;
        }
        if (i - start > MAX_NUMBER_LENGTH)
        {
            throw malformed(start, "a number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        position = i;

        if (significand == 0 && !truncated)
        {
            return negative ? -0.0 : 0.0;
        }
        if (!truncated)
        {
            final double value = exact(significand, digits, exponent, integer);
            if (!Double.isNaN(value))
            {
                return negative ? -value : value;
            }
        }
        return Double.parseDouble(new String(in, start, i - start, StandardCharsets.ISO_8859_1));
    }

    /** The correctly rounded value when one exact operation gives it, else NaN. */
    private static double exact(final long significand, final int digits, final int exponent, final boolean integer)
    {
        if (digits <= FAST_DIGITS)
        {
            if (exponent >= 0 && exponent < EXACT_POWERS_OF_TEN.length)
            {
                return significand * EXACT_POWERS_OF_TEN[exponent];
            }
            if (exponent < 0 && -exponent < EXACT_POWERS_OF_TEN.length)
            {
                return significand / EXACT_POWERS_OF_TEN[-exponent];
            }
        }
        if (integer && exponent == 0)
        {
            return significand; // an integer of up to 18 digits: exact in the long, rounded once here
        }
        return Double.NaN;
    }

    final boolean isDigit(final int i)
    {
        return i < end && bytes[i] >= '0' && bytes[i] <= '9';
    }

    // ---------------------------------------------------------------- bytes

    final void skipWhitespace()
    {
        final byte[] in = bytes;
        int i = position;
        while (i < end && (in[i] == ' ' || in[i] == '\n' || in[i] == '\r' || in[i] == '\t'))
        {
            i++;
        }
        position = i;
    }

    final byte peek() throws JsonBodyException
    {
        if (position == end)
        {
            throw malformed(end, "the body ends early");
        }
        return bytes[position];
    }

    final String describe(final int at)
    {
        if (at >= end)
        {
            return "the end of the body";
        }
        final int b = bytes[at] & 0xFF;
        return b >= 0x20 && b < 0x7F ? "'" + (char)b + "'" : "byte 0x" + Integer.toHexString(b);
    }

    final JsonBodyException notA(final String field, final String type)
    {
        return new JsonBodyException(field + ": must be " + type);
    }

    final JsonBodyException malformed(final String what)
    {
        return malformed(position, what);
    }

    final JsonBodyException malformed(final int at, final String what)
    {
        return new JsonBodyException("malformed JSON: " + what + " at byte " + (at - origin));
    }
}
