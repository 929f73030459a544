package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded, lock-free hand-off of sampled requests from the request threads to the one monitoring
 * thread: an Agrona {@link ManyToOneRingBuffer} over a direct buffer, records laid out by
 * {@link SampleRecord}.
 *
 * <p>Producers ({@link #offer}) claim space, encode in place and commit: they never wait and never
 * allocate. When the ring is full the sample is dropped, counted in {@code scoring_samples_dropped_total},
 * and {@link #QUEUE_FULL} returned; the request is unaffected.
 *
 * <p>Shutdown loses nothing that was accepted: {@link #close()} first refuses new offers, then waits
 * for offers already past that check to commit (a Dekker pair: a producer announces itself in
 * {@code offersInFlight} before it reads {@code closed}; the closer sets {@code closed} before it reads
 * the count), after which the consumer drains the ring to the end.
 */
public final class SampleQueue
{
    /** The sample was queued. */
    public static final int OFFERED = 0;
    /** Dropped and counted: the ring had no room. */
    public static final int QUEUE_FULL = -1;
    /** Dropped and counted: the record exceeds the ring's maximum message (capacity / 8). */
    public static final int TOO_LARGE = -2;
    /** Dropped and counted: monitoring is shutting down. */
    public static final int CLOSED = -3;
    /** Dropped and counted: an array is shorter than the rows and feature count say (a caller's bug). */
    public static final int INVALID = -4;

    private static final int SAMPLE_MSG_TYPE_ID = 1;

    private final ManyToOneRingBuffer ring;
    private final Counter dropped;
    private final AtomicInteger offersInFlight = new AtomicInteger();
    private volatile boolean closed;

    /** @param capacityBytes a power of two; the ring's data section. */
    public SampleQueue(final int capacityBytes, final Counter dropped)
    {
        final AtomicBuffer buffer = new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacityBytes + RingBufferDescriptor.TRAILER_LENGTH));
        this.ring = new ManyToOneRingBuffer(buffer);
        this.dropped = dropped;
    }

    /**
     * Queues one sampled request. Never blocks, never allocates.
     *
     * @param features     rows x featureCount values, row major, in model order.
     * @param scores       one score per row.
     * @param paired       other versions' scores for the same rows, or null.
     * @return {@link #OFFERED}, or why the sample was dropped.
     */
    public int offer(
        final int sourceId,
        final CharSequence requestId,
        final long epochMillis,
        final float[] features,
        final int featureCount,
        final float[] scores,
        final int rows,
        final long scoreNanos,
        final PairedScores paired)
    {
        offersInFlight.getAndIncrement();
        try
        {
            if (closed)
            {
                dropped.increment();
                return CLOSED;
            }
            if (!fits(features, featureCount, scores, rows, paired))
            {
                dropped.increment();
                return INVALID;
            }
            final int idLength = Math.min(requestId.length(), SampleRecord.MAX_REQUEST_ID_LENGTH);
            final int length = SampleRecord.length(idLength, rows, featureCount, null == paired ? 0 : paired.count);
            if (length > ring.maxMsgLength())
            {
                dropped.increment();
                return TOO_LARGE;
            }
            final int index = ring.tryClaim(SAMPLE_MSG_TYPE_ID, length);
            if (index == RingBuffer.INSUFFICIENT_CAPACITY)
            {
                dropped.increment();
                return QUEUE_FULL;
            }
            try
            {
                SampleRecord.encode(ring.buffer(), index, sourceId, requestId, idLength, epochMillis,
                    features, featureCount, scores, rows, scoreNanos, paired);
            }
            catch (final RuntimeException ex)
            {
                ring.abort(index); // an uncommitted claim would stall the consumer for good
                throw ex;
            }
            ring.commit(index);
            return OFFERED;
        }
        finally
        {
            offersInFlight.getAndDecrement();
        }
    }

    private static boolean fits(
        final float[] features, final int featureCount, final float[] scores, final int rows, final PairedScores paired)
    {
        if (rows < 1 || featureCount < 0 || features.length < rows * featureCount || scores.length < rows)
        {
            return false;
        }
        for (int k = 0, count = null == paired ? 0 : paired.count; k < count; k++)
        {
            if (paired.scores[k].length < rows)
            {
                return false;
            }
        }
        return true;
    }

    /** Consumer side: hands up to {@code limit} records to the handler; returns how many. */
    int drain(final MessageHandler handler, final int limit)
    {
        return ring.read(handler, limit);
    }

    /** Refuses new offers and returns once every offer that was accepted has been committed. */
    void close()
    {
        closed = true;
        while (offersInFlight.get() != 0)
        {
            Thread.onSpinWait();
        }
    }

    /** Bytes queued and not yet consumed. */
    public int size()
    {
        return ring.size();
    }
}
