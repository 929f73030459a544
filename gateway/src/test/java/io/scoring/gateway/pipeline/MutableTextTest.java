package io.scoring.gateway.pipeline;

import io.scoring.router.model.NameIndex;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MutableTextTest
{
    @Test
    void shouldHoldTheSameCharactersAsJavaDecodesFromValidUtf8()
    {
        final String[] samples = {"", "A0001", "radio/tv", "Zürich", "€ 100", "信用", "😀 emoji", "a\u0000b", "\u07FF\u0800\uFFFF"};
        final MutableText text = new MutableText();
        for (final String sample : samples)
        {
            final byte[] utf8 = ("xx" + sample + "yy").getBytes(StandardCharsets.UTF_8);
            assertTrue(text.clear().appendUtf8(utf8, 2, utf8.length - 4), sample);
            assertEquals(sample, text.toString());
            assertEquals(sample.length(), text.length());
        }
    }

    @Test
    void shouldRefuseBytesThatAreNotUtf8()
    {
        final int[][] invalid = {
            {0x80},                   // a continuation byte first
            {0xC3},                   // cut off
            {0xE2, 0x82},             // cut off
            {0xC0, 0xAF},             // overlong '/'
            {0xE0, 0x80, 0xAF},       // overlong
            {0xED, 0xA0, 0x80},       // an encoded surrogate
            {0xF4, 0x90, 0x80, 0x80}, // above U+10FFFF
            {0xFF},
            {0xC3, 0x28},             // a lead byte followed by ASCII
        };
        final MutableText text = new MutableText();
        for (final int[] sequence : invalid)
        {
            final byte[] bytes = new byte[sequence.length];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = (byte)sequence[i];
            }
            assertFalse(text.clear().appendUtf8(bytes, 0, bytes.length), java.util.Arrays.toString(sequence));
        }
    }

    @Test
    void shouldGrowPastItsFirstCapacityAndKeepWhatWasAppended()
    {
        final MutableText text = new MutableText();
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 500; i++)
        {
            text.append((char)('a' + i % 26));
            expected.append((char)('a' + i % 26));
        }
        final byte[] tail = "–end".getBytes(StandardCharsets.UTF_8);
        assertTrue(text.appendUtf8(tail, 0, tail.length));
        assertEquals(expected + "–end", text.toString());
    }

    @Test
    void shouldFindNamesInANameIndexByTheCharactersBeforeItsLengthOnly()
    {
        final NameIndex<String> index = NameIndex.of(Map.of("purpose", "p", "purpose_2", "p2", "age", "a", "Zürich", "z"));
        final MutableText text = new MutableText();

        assertEquals("p2", index.get(fill(text, "purpose_2")));
        assertEquals("p", index.get(fill(text, "purpose")), "the reused array still holds '_2' past the length");
        assertEquals("a", index.get(fill(text, "age")));
        assertEquals("z", index.get(fill(text, "Zürich")));
        assertNull(index.get(fill(text, "ag")));
        assertNull(index.get(fill(text, "agf")));
    }

    private static MutableText fill(final MutableText text, final String value)
    {
        final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        assertTrue(text.clear().appendUtf8(utf8, 0, utf8.length));
        return text;
    }
}
