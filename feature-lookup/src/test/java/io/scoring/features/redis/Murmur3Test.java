package io.scoring.features.redis;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The vectors, seed 0, were computed twice, independently of this code: with the Python {@code mmh3} package
 * 5.3.0 ({@code mmh3.hash(s, signed=False)}, the very call Feast's {@code _mmh3} makes) and with Guava 33.7's
 * {@code Hashing.murmur3_32_fixed()}; both agree. The first four are also the vectors commonly published for
 * MurmurHash3 x86_32. They cover 0 to 3 tail bytes, whole blocks, and a non-ASCII character hashed as UTF-8.
 */
class Murmur3Test
{
    @ParameterizedTest(name = "\"{0}\" hashes to {1}")
    @CsvSource(delimiter = '|', value = {
        "''                                          | 00000000",
        "hello                                       | 248bfa47",
        "hello, world                                | 149bbb7f",
        "The quick brown fox jumps over the lazy dog | 2e4ff723",
        "a                                           | 3c2569b2",
        "ab                                          | 9bbfd75f",
        "abc                                         | b3dd93fa",
        "abcd                                        | 43ed676a",
        "café                                        | 241c0f08",
        "applicants:age                              | be19c27c",
    })
    void shouldMatchTheReferenceVectorsForSeedZero(final String text, final String expectedHex)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(Integer.parseUnsignedInt(expectedHex, 16), Murmur3.hash32(bytes, 0, bytes.length, 0));
    }

    @ParameterizedTest(name = "\"{0}\" hashes the same inside a larger array")
    @CsvSource({ "hello", "abc", "''" })
    void shouldHashOnlyTheGivenRange(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final byte[] padded = new byte[bytes.length + 6];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        padded[0] = padded[padded.length - 1] = 'x';
        assertEquals(Murmur3.hash32(bytes, 0, bytes.length, 0), Murmur3.hash32(padded, 3, bytes.length, 0));
    }
}
