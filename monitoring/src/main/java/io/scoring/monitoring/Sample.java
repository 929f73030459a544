package io.scoring.monitoring;

import org.agrona.DirectBuffer;

/**
 * A read-only view of one sampled request, as the monitoring thread hands it to each
 * {@link SampleSink}: valid only during {@code onSample}; a sink that keeps anything copies it.
 *
 * <p>Threading: the monitoring thread only; reused for every record.
 */
final class Sample
{
    private final SampleSources sources;
    private DirectBuffer buffer;
    private int offset;
    private SampleSource source;
    private int rows;
    private int features;
    private int paired;
    private int requestIdLength;
    private String requestId;

    Sample(final SampleSources sources)
    {
        this.sources = sources;
    }

    /** Points the view at a record; false when its source is unknown (a version unloaded meanwhile). */
    boolean wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.source = sources.source(SampleRecord.sourceId(buffer, offset));
        this.rows = buffer.getInt(offset + SampleRecord.ROW_COUNT_OFFSET);
        this.features = buffer.getInt(offset + SampleRecord.FEATURE_COUNT_OFFSET);
        this.paired = buffer.getInt(offset + SampleRecord.PAIRED_COUNT_OFFSET);
        this.requestIdLength = buffer.getInt(offset + SampleRecord.REQUEST_ID_LENGTH_OFFSET);
        this.requestId = null;
        return null != source;
    }

    SampleSource source()
    {
        return source;
    }

    String requestId()
    {
        if (null == requestId)
        {
            requestId = buffer.getStringWithoutLengthAscii(offset + SampleRecord.requestIdOffset(paired), requestIdLength);
        }
        return requestId;
    }

    long epochMillis()
    {
        return buffer.getLong(offset + SampleRecord.EPOCH_MILLIS_OFFSET);
    }

    long scoreNanos()
    {
        return buffer.getLong(offset + SampleRecord.SCORE_NANOS_OFFSET);
    }

    int rowCount()
    {
        return rows;
    }

    int featureCount()
    {
        return features;
    }

    float feature(final int row, final int feature)
    {
        return buffer.getFloat(offset + SampleRecord.featuresOffset(paired, requestIdLength) +
            Float.BYTES * (row * features + feature));
    }

    float score(final int row)
    {
        return buffer.getFloat(offset + SampleRecord.scoresOffset(paired, requestIdLength, rows, features) +
            Float.BYTES * row);
    }

    int pairedCount()
    {
        return paired;
    }

    /** The k-th other version that scored this request; null if it was unloaded meanwhile. */
    SampleSource pairedSource(final int k)
    {
        return sources.source(buffer.getInt(offset + SampleRecord.pairedSourceIdOffset(paired, k)));
    }

    long pairedScoreNanos(final int k)
    {
        return buffer.getLong(offset + SampleRecord.pairedNanosOffset(k));
    }

    float pairedScore(final int k, final int row)
    {
        return buffer.getFloat(offset + SampleRecord.pairedScoresOffset(paired, requestIdLength, rows, features, k) +
            Float.BYTES * row);
    }
}
