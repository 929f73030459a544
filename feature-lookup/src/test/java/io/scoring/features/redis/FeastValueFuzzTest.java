package io.scoring.features.redis;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;

import static io.scoring.features.FeatureStore.STATUS_FEATURE_MISSING;
import static io.scoring.features.FeatureStore.STATUS_FOUND;
import static io.scoring.features.FeatureStore.STATUS_INVALID_VALUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Feast's Value and Timestamp decoders ({@link FeastValues}) under Jazzer, on the bytes a Redis hash field holds
 * (written by anyone with access to the online store). Neither throws, neither moves the buffer, a Value is
 * found, missing or invalid, and a Timestamp decoded as valid is the one protobuf-java reads from the same bytes.
 * Seeds and kept findings: {@code FeastValueFuzzTestInputs/} in the test resources.
 */
class FeastValueFuzzTest
{
    private static final CategoryCodes CATEGORIES = new CategoryCodes(List.of("A11", "A12", "A13", "A14"));
    private static final Set<Byte> STATUSES = Set.of(STATUS_FOUND, STATUS_FEATURE_MISSING, STATUS_INVALID_VALUE);

    @FuzzTest(maxDuration = "5s")
    void anyFieldDecodesToAStatusWithoutThrowing(final FuzzedDataProvider data)
    {
        final boolean categorical = data.consumeBoolean();
        final int offset = data.consumeInt(0, 3);
        final byte[] bytes = data.consumeRemainingAsBytes();
        // the decoders read between position and limit: put the field in the middle of a larger buffer
        final ByteBuffer src = ByteBuffer.allocate(bytes.length + 2 * offset).position(offset);
        src.put(bytes).position(offset).limit(offset + bytes.length);

        final long value = FeastValues.decodeValue(src, categorical ? CATEGORIES : null);
        assertTrue(STATUSES.contains(FeastValues.status(value)), "status " + FeastValues.status(value));
        assertEquals(offset, src.position(), "the buffer's position is untouched");
        assertEquals(offset + bytes.length, src.limit(), "the buffer's limit is untouched");

        final long millis = FeastValues.decodeTimestampMillis(src);
        assertEquals(offset, src.position());
        if (millis != FeastValues.INVALID_TIMESTAMP)
        {
            final Timestamp reference;
            try
            {
                reference = Timestamp.parseFrom(bytes);
            }
            catch (final InvalidProtocolBufferException ex)
            {
                throw new AssertionError("decoded " + millis + " ms from bytes protobuf-java rejects", ex);
            }
            assertEquals(reference.getSeconds() * 1000 + reference.getNanos() / 1_000_000, millis);
        }
    }
}
