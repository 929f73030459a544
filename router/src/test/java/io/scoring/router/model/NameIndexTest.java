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
}
