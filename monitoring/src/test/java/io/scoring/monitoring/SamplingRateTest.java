package io.scoring.monitoring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplingRateTest
{
    @Test
    void shouldSampleCloseToTheRateOverSequentialRequestIds()
    {
        final SamplingRate rate = new SamplingRate(5.0);
        int sampled = 0;
        for (int i = 0; i < 100_000; i++)
        {
            sampled += rate.sample("req-" + i) ? 1 : 0;
        }
        assertEquals(5_000, sampled, 300); // binomial sd ~69: 4+ sd
    }

    @Test
    void shouldGiveTheSameAnswerForTheSameRequestId()
    {
        final SamplingRate rate = new SamplingRate(50.0);
        for (int i = 0; i < 1_000; i++)
        {
            assertEquals(rate.sample("id-" + i), rate.sample(new StringBuilder("id-").append(i)));
        }
    }

    @Test
    void shouldSampleNothingAtZeroAndEverythingAtOneHundredPercent()
    {
        final SamplingRate none = new SamplingRate(0.0);
        final SamplingRate all = new SamplingRate(100.0);
        for (int i = 0; i < 10_000; i++)
        {
            assertFalse(none.sample("r" + i));
            assertTrue(all.sample("r" + i));
        }
    }

    @Test
    void shouldRejectRatesOutsideZeroToOneHundred()
    {
        assertThrows(IllegalArgumentException.class, () -> new SamplingRate(100.5));
        assertThrows(IllegalArgumentException.class, () -> new SamplingRate(-1));
    }

    /** The decision must not move between releases: a request id sampled before is sampled after. */
    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "\"\"                                   | efd01f60ba992926",
        "a                                      | 82a2a958a9bece5b",
        "req-1                                  | 41bf9201cad1d3b5",
        "0f8fad5b-d9cb-469f-a165-70867728950e   | 564e1752fb452f46",
        "ключ                                   | f000d492e31c339f",
    })
    void shouldHashARequestIdAsBefore(final String requestId, final String hash)
    {
        assertEquals(Long.parseUnsignedLong(hash, 16), SamplingRate.hash(requestId));
    }
}
