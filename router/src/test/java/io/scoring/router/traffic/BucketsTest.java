package io.scoring.router.traffic;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bucket function is a contract: other replicas, older releases and outside tools compute the same
 * bucket for a key, so a change of a single bit moves keys between champion and canary mid-rollout. The
 * expected buckets come from an independent implementation of the function as {@link Buckets} documents
 * it (Python: FNV-1a 64 over {@code salt.encode('utf-16-le') + b'\0\0' + key.encode('utf-16-le')}, then
 * fmix64, then {@code % 10000}), not from this code.
 */
class BucketsTest
{
    @ParameterizedTest(name = "salt ''{0}'', key ''{1}'' -> bucket {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "credit-risk          | A0001        | 3329",
        "credit-risk          | A0999        | 1478",
        "credit-risk          | \"\"         | 4162",
        "m                    | applicant-42 | 6900",
        "credit-risk/shadow-3 | A0001        | 5293",
        "\"\"                 | k            | 1979",
        "é模型                | ключ         | 7494",
    })
    void shouldPutAKeyInTheBucketTheDocumentedFunctionGives(final String salt, final String key, final int bucket)
    {
        assertEquals(bucket, Buckets.bucket(Buckets.seed(salt), key));
    }
}
