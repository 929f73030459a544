package io.scoring.hashing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Against published FNV-1a 64 test vectors (Fowler, Noll, Vo: "" , "a", "foobar" as bytes) and an
 * independent Python implementation (UTF-16LE bytes, whole code units, fmix64).
 */
class Fnv64Test
{
    @Test
    void shouldMatchThePublishedVectorsWhenEveryCharacterIsAByte()
    {
        assertEquals(0xcbf29ce484222325L, Fnv64.mix(Fnv64.OFFSET_BASIS, ""));
        assertEquals(0xaf63dc4c8601ec8cL, Fnv64.mix(Fnv64.OFFSET_BASIS, "a"));
        assertEquals(0x85944171f73967e8L, Fnv64.mix(Fnv64.OFFSET_BASIS, "foobar"));
    }

    @Test
    void shouldFeedACodeUnitWholeOrAsItsTwoLittleEndianBytes()
    {
        assertEquals(0x4853bdb99270ee19L, Fnv64.mix(Fnv64.OFFSET_BASIS, "ключ"));
        assertEquals(0xc882d5010e965f1aL, Fnv64.mixBytes(Fnv64.OFFSET_BASIS, "foobar"));
        assertEquals(0x68293ab47d6ed7c5L, Fnv64.mixBytes(Fnv64.OFFSET_BASIS, "ключ"));
    }

    @Test
    void shouldFinalizeWithMurmur3sFmix64()
    {
        assertEquals(0L, Fnv64.fmix64(0L));
        assertEquals(0xb456bcfc34c2cb2cL, Fnv64.fmix64(1L));
        assertEquals(0xefd01f60ba992926L, Fnv64.fmix64(Fnv64.OFFSET_BASIS));
    }
}
