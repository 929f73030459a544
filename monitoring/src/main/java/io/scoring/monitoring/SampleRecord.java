package io.scoring.monitoring;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The binary layout of one sampled request in the sample queue's ring buffer. Encoded in place by the
 * producer into the space it claimed (static methods over the claimed buffer and offset, so producers
 * share no flyweight state), decoded by {@link Sample}. Little-endian, native Agrona accessors.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                       epoch millis (long)                     |
 *  +---------------------------------------------------------------+
 *  |               nanos the version took to score (long)          |
 *  +-------------------------------+-------------------------------+
 *  |        source id (int)        |        row count (int)        |
 *  +-------------------------------+-------------------------------+
 *  |      feature count (int)      |      paired count k (int)     |
 *  +-------------------------------+-------------------------------+
 *  |  request id length L (int)    |          unused (int)         |
 *  +-------------------------------+-------------------------------+
 *  |        paired score nanos: k longs                            ...
 *  |        paired source ids: k ints                              ...
 *  |        request id: L ASCII bytes, padded to 4                 ...
 *  |        features: rows x feature count floats, row major       ...
 *  |        scores: rows floats                                    ...
 *  |        paired scores: k x rows floats                         ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class SampleRecord
{
    /** Request ids longer than this are truncated: ids are UUID-sized, and the record stays small. */
    static final int MAX_REQUEST_ID_LENGTH = 128;

    static final int EPOCH_MILLIS_OFFSET = 0;
    static final int SCORE_NANOS_OFFSET = 8;
    static final int SOURCE_ID_OFFSET = 16;
    static final int ROW_COUNT_OFFSET = 20;
    static final int FEATURE_COUNT_OFFSET = 24;
    static final int PAIRED_COUNT_OFFSET = 28;
    static final int REQUEST_ID_LENGTH_OFFSET = 32;
    static final int HEADER_LENGTH = 40;

    private SampleRecord()
    {
    }

    static int length(final int requestIdLength, final int rows, final int features, final int paired)
    {
        return HEADER_LENGTH + paired * (BitUtil.SIZE_OF_LONG + BitUtil.SIZE_OF_INT) +
            BitUtil.align(requestIdLength, BitUtil.SIZE_OF_INT) +
            BitUtil.SIZE_OF_FLOAT * (rows * features + rows + paired * rows);
    }

    static int pairedNanosOffset(final int k)
    {
        return HEADER_LENGTH + k * BitUtil.SIZE_OF_LONG;
    }

    static int pairedSourceIdOffset(final int paired, final int k)
    {
        return HEADER_LENGTH + paired * BitUtil.SIZE_OF_LONG + k * BitUtil.SIZE_OF_INT;
    }

    static int requestIdOffset(final int paired)
    {
        return HEADER_LENGTH + paired * (BitUtil.SIZE_OF_LONG + BitUtil.SIZE_OF_INT);
    }

    static int featuresOffset(final int paired, final int requestIdLength)
    {
        return requestIdOffset(paired) + BitUtil.align(requestIdLength, BitUtil.SIZE_OF_INT);
    }

    static int scoresOffset(final int paired, final int requestIdLength, final int rows, final int features)
    {
        return featuresOffset(paired, requestIdLength) + BitUtil.SIZE_OF_FLOAT * rows * features;
    }

    static int pairedScoresOffset(final int paired, final int requestIdLength, final int rows, final int features, final int k)
    {
        return scoresOffset(paired, requestIdLength, rows, features) + BitUtil.SIZE_OF_FLOAT * rows * (1 + k);
    }

    /** Writes a whole record at {@code offset}; the caller claimed {@link #length} bytes there. */
    static void encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int sourceId,
        final CharSequence requestId,
        final int requestIdLength,
        final long epochMillis,
        final float[] features,
        final int featureCount,
        final float[] scores,
        final int rows,
        final long scoreNanos,
        final PairedScores paired)
    {
        final int k = null == paired ? 0 : paired.count;
        buffer.putLong(offset + EPOCH_MILLIS_OFFSET, epochMillis);
        buffer.putLong(offset + SCORE_NANOS_OFFSET, scoreNanos);
        buffer.putInt(offset + SOURCE_ID_OFFSET, sourceId);
        buffer.putInt(offset + ROW_COUNT_OFFSET, rows);
        buffer.putInt(offset + FEATURE_COUNT_OFFSET, featureCount);
        buffer.putInt(offset + PAIRED_COUNT_OFFSET, k);
        buffer.putInt(offset + REQUEST_ID_LENGTH_OFFSET, requestIdLength);
        for (int p = 0; p < k; p++)
        {
            buffer.putLong(offset + pairedNanosOffset(p), paired.scoreNanos[p]);
            buffer.putInt(offset + pairedSourceIdOffset(k, p), paired.sourceIds[p]);
        }

        final int idOffset = offset + requestIdOffset(k);
        for (int i = 0; i < requestIdLength; i++)
        {
            final char c = requestId.charAt(i);
            buffer.putByte(idOffset + i, (byte)(c < 0x80 ? c : '?'));
        }

        int at = offset + featuresOffset(k, requestIdLength);
        for (int i = 0, n = rows * featureCount; i < n; i++, at += BitUtil.SIZE_OF_FLOAT)
        {
            buffer.putFloat(at, features[i]);
        }
        for (int row = 0; row < rows; row++, at += BitUtil.SIZE_OF_FLOAT)
        {
            buffer.putFloat(at, scores[row]);
        }
        for (int p = 0; p < k; p++)
        {
            final float[] pairedScores = paired.scores[p];
            for (int row = 0; row < rows; row++, at += BitUtil.SIZE_OF_FLOAT)
            {
                buffer.putFloat(at, pairedScores[row]);
            }
        }
    }

    static int sourceId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SOURCE_ID_OFFSET);
    }
}
