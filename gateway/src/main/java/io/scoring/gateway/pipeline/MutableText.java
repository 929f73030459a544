package io.scoring.gateway.pipeline;

import io.scoring.router.model.NameIndex;

import java.util.Arrays;

/**
 * A reusable run of characters that decoders fill straight from a request's UTF-8 bytes, so a model
 * name, an entity key or a category reaches the pipeline without a String being made for it. The
 * pipeline only reads it through {@link CharSequence}; lookups compare characters
 * ({@code NameIndex}). Valid until the context that handed it out starts its next request.
 *
 * <p>{@link #toString} copies into a new String: for error messages, off the success path.
 * Threading: confined, like its {@link ScoringContext}.
 */
public final class MutableText implements NameIndex.CharArrayText
{
    private char[] chars = new char[32];
    private int length;

    /** Empties it. */
    public MutableText clear()
    {
        length = 0;
        return this;
    }

    public MutableText append(final char c)
    {
        if (length == chars.length)
        {
            chars = Arrays.copyOf(chars, length * 2);
        }
        chars[length++] = c;
        return this;
    }

    /**
     * Appends the characters that these UTF-8 bytes encode. Allocation-free once the buffer has grown.
     *
     * @return false when the bytes are not well-formed UTF-8 (what was appended so far stays)
     */
    public boolean appendUtf8(final byte[] bytes, final int offset, final int count)
    {
        if (chars.length < length + count)
        {
            chars = Arrays.copyOf(chars, Math.max(length + count, chars.length * 2));
        }
        final int end = offset + count;
        int i = offset;
        while (i < end)
        {
            final int b = bytes[i];
            if (b >= 0)
            {
                chars[length++] = (char)b;
                i++;
                continue;
            }
            final int extra;
            int codePoint;
            if ((b & 0xE0) == 0xC0)
            {
                extra = 1;
                codePoint = b & 0x1F;
            }
            else if ((b & 0xF0) == 0xE0)
            {
                extra = 2;
                codePoint = b & 0x0F;
            }
            else if ((b & 0xF8) == 0xF0)
            {
                extra = 3;
                codePoint = b & 0x07;
            }
            else
            {
                return false;
            }
            if (i + extra >= end)
            {
                return false; // the sequence is cut off
            }
            for (int k = 1; k <= extra; k++)
            {
                final int next = bytes[i + k];
                if ((next & 0xC0) != 0x80)
                {
                    return false;
                }
                codePoint = (codePoint << 6) | (next & 0x3F);
            }
            if (codePoint < MIN_FOR_LENGTH[extra] || codePoint > Character.MAX_CODE_POINT ||
                (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE))
            {
                return false; // overlong, out of range, or an encoded surrogate
            }
            if (codePoint >= Character.MIN_SUPPLEMENTARY_CODE_POINT)
            {
                chars[length++] = Character.highSurrogate(codePoint);
                chars[length++] = Character.lowSurrogate(codePoint);
            }
            else
            {
                chars[length++] = (char)codePoint;
            }
            i += extra + 1;
        }
        return true;
    }

    /** Smallest code point each sequence length may encode: anything below is an overlong form. */
    private static final int[] MIN_FOR_LENGTH = {0, 0x80, 0x800, 0x10000};

    @Override
    public char[] array()
    {
        return chars;
    }

    @Override
    public int length()
    {
        return length;
    }

    @Override
    public String toString()
    {
        return new String(chars, 0, length);
    }
}
