package io.scoring.features;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8KeysTest
{
    private static final String[] KEYS =
        { "", "a", "entity-1234567", "café", "東京", "\uD83D\uDE80 rocket", "\u0000x" };

    @Test
    void shouldHashCharsExactlyAsTheirUtf8BytesStoredOrInAnArray()
    {
        for (final String key : KEYS)
        {
            final byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
            final NativeMemory memory = copy(utf8);
            try
            {
                assertEquals(Utf8Keys.hash(utf8, utf8.length), Utf8Keys.hash(key), key);
                assertEquals(Utf8Keys.hash(memory.address(), utf8.length), Utf8Keys.hash(key), key);
                assertTrue(Utf8Keys.equals(key, memory.address(), utf8.length), key);
                assertFalse(Utf8Keys.equals(key + "x", memory.address(), utf8.length), key);
                assertFalse(utf8.length > 0 && Utf8Keys.equals(key, memory.address(), utf8.length - 1), key);
            }
            finally
            {
                memory.free();
            }
        }
    }

    private static NativeMemory copy(final byte[] bytes)
    {
        final NativeMemory memory = new NativeMemory(bytes.length);
        memory.copyFrom(bytes, bytes.length, 0);

        return memory;
    }
}
