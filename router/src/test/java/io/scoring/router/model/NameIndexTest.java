package io.scoring.router.model;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NameIndexTest
{
    @Test
    void shouldFindEveryNameByItsCharactersWhateverHoldsThem()
    {
        final Map<String, Integer> entries = new HashMap<>();
        for (int i = 0; i < 1_000; i++)
        {
            entries.put("feature_" + i, i);
        }
        final NameIndex<Integer> index = NameIndex.of(entries);

        final StringBuilder reused = new StringBuilder();
        for (int i = 0; i < 1_000; i++)
        {
            reused.setLength(0);
            reused.append("feature_").append(i);
            assertEquals(i, index.get(reused));
            assertEquals(i, index.get("feature_" + i));
        }
    }

    @Test
    void shouldAnswerNullForNamesThatAreNotThereIncludingPrefixesAndCaseVariants()
    {
        final NameIndex<String> index = NameIndex.of(Map.of("purpose", "p", "age", "a", "", "empty"));

        assertNull(index.get("purpos"));
        assertNull(index.get("purposes"));
        assertNull(index.get("Age"));
        assertNull(index.get("ega"));
        assertEquals("empty", index.get(new StringBuilder()));
        assertEquals("p", index.get(new StringBuilder("purpose")));
        assertNull(NameIndex.<String>empty().get("anything"));
    }

    @Test
    void shouldFindNamesHeldInAReusedArrayByTheCharactersBeforeItsLengthOnly()
    {
        final NameIndex<String> index = NameIndex.of(Map.of("purpose", "p", "purpose_2", "p2", "age", "a"));
        final ReusedText text = new ReusedText();

        assertEquals("p2", index.get(text.set("purpose_2")));
        assertEquals("p", index.get(text.set("purpose")), "the array still holds '_2' past the length");
        assertEquals("a", index.get(text.set("age")));
        assertNull(index.get(text.set("ag")));
        assertNull(index.get(text.set("agf")));
    }

    /** A decoder's reused buffer: one array, overwritten, longer than the text it holds. */
    private static final class ReusedText implements NameIndex.CharArrayText
    {
        private final char[] chars = new char[64];
        private int length;

        ReusedText set(final String value)
        {
            value.getChars(0, value.length(), chars, 0);
            length = value.length();
            return this;
        }

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
        public char charAt(final int index)
        {
            return chars[index];
        }

        @Override
        public CharSequence subSequence(final int start, final int end)
        {
            return new String(chars, start, end - start);
        }

        @Override
        public String toString()
        {
            return new String(chars, 0, length);
        }
    }
}
