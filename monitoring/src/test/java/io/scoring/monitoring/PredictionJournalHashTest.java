package io.scoring.monitoring;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The journal's two request-id hashes, pinned: a refactoring that changes a bit fails here first. */
class PredictionJournalHashTest
{
    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "\"\"                                   | efd01f60ba992926 | c25abb1cbd5e0221",
        "a                                      | 25ad9d1b70de62d1 | 9f68a8e09b98d116",
        "req-1                                  | 62458a33434aea50 | a62123931550ffb2",
        "0f8fad5b-d9cb-469f-a165-70867728950e   | f083d1a5cd20bcc8 | 9f9eb1ffe8f17c4b",
        "ключ                                   | e55f2c137ec90e63 | faf6284ca4f058d2",
    })
    void shouldHashARequestIdAsBefore(final String requestId, final String high, final String low)
    {
        assertEquals(Long.parseUnsignedLong(high, 16), PredictionJournal.hashHigh(requestId));
        assertEquals(Long.parseUnsignedLong(low, 16), PredictionJournal.hashLow(requestId));
    }
}
