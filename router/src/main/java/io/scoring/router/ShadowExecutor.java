package io.scoring.router;

import io.scoring.router.runtime.Scorer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scores a shadow version off the response path: transport threads copy the assembled request into a
 * bounded ring buffer ({@link #offer}, never blocks, never allocates); one thread of its own reads,
 * scores with the shadow and hands the result to the listener. A full ring drops the request and
 * counts it; a shadow that fails or is slow only costs its own thread.
 *
 * <pre>
 *   record (little-endian, 4-byte aligned)
 *   0                                       8                   12                  16
 *   +---------------------------------------+-------------------+-------------------+
 *   | champion score nanos                  | rows              | requestId length  |
 *   +---------------------------------------+-------------------+-------------------+
 *   | requestId (ASCII), padded                                                     |
 *   +-------------------------------------------------------------------------------+
 *   | champion version length | champion version (ASCII), padded            |
 *   +---------------------------------------------------------------------- +
 *   | rows x featureCount float32 inputs | rows x outputCount float32 scores |
 *   +---------------------------------------------------------------------- +
 * </pre>
 */
final class ShadowExecutor implements AutoCloseable
{
    private static final int MSG_TYPE = 1;
    /** Request ids and version names longer than this are cut in the shadow record. */
    private static final int MAX_TEXT = 64;

    private final String model;
    private final ModelVersion shadow;
    private final int featureCount;
    private final int outputCount;
    private final ShadowListener listener;
    private final RingBuffer ring;
    private final Thread worker;
    private final AtomicLong scored = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running = true;
    /** When a closing shadow stops scoring what is still queued and counts it as dropped. */
    private volatile long drainDeadlineNanos = Long.MAX_VALUE;
    /** Records scored per poll: one pause's worth at full rate, and then some. */
    private static final int READ_LIMIT = 1024;

    /**
     * The longest park of an idle shadow thread, 50 ms: twenty wake-ups a second. Parks grow that long
     * only after 50 ms with nothing to score; a burst that starts during one queues 50 ms of requests
     * (3,000 at 60,000 requests/s, about 400 KB of single-row credit requests: under half the default
     * 1 MiB ring), and its shadow scores, on no one's response path, come that much later.
     */
    static final long MAX_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** How long a closing shadow keeps scoring its queue. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ShadowResult result = new ShadowResult();
    private final long idleSleepMicros;

    ShadowExecutor(
        final String model,
        final ModelVersion shadow,
        final int featureCount,
        final int outputCount,
        final ShadowListener listener,
        final ModelRepository.Context ctx)
    {
        this.model = model;
        this.shadow = shadow;
        this.featureCount = featureCount;
        this.outputCount = outputCount;
        this.listener = listener;
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(ctx.shadowRingBytes() + RingBufferDescriptor.TRAILER_LENGTH, 64)));
        this.idleSleepMicros = ctx.shadowIdleSleepMicros();
        result.model = model;
        result.shadowVersion = shadow.version();
        result.featureCount = featureCount;
        result.outputCount = outputCount;
        worker = new Thread(this::run, "shadow-" + model + "-" + shadow.version());
        worker.setDaemon(true);
        worker.start();
    }

    String version()
    {
        return shadow.version();
    }

    /** Copies one request for the shadow; false (and counted) when the ring is full or the request too large for it. */
    boolean offer(
        final CharSequence requestId,
        final String championVersion,
        final float[] inputs,
        final float[] championScores,
        final int rows,
        final long championScoreNanos)
    {
        final int idLength = Math.min(requestId.length(), MAX_TEXT);
        final int versionLength = Math.min(championVersion.length(), MAX_TEXT);
        final int length = 16 + align(idLength) + 4 + align(versionLength) + rows * (featureCount + outputCount) * 4;
        // a record longer than an eighth of the ring (a small ring, a huge batch) can never fit: dropped like a full ring
        final int index =
            length <= ring.maxMsgLength() ? ring.tryClaim(MSG_TYPE, length) : RingBuffer.INSUFFICIENT_CAPACITY;
        if (index <= 0)
        {
            dropped.incrementAndGet();
            listener.onShadowDropped(model, shadow.version());
            return false;
        }
        final var buffer = ring.buffer();
        int at = index;
        buffer.putLong(at, championScoreNanos);
        buffer.putInt(at + 8, rows);
        buffer.putInt(at + 12, idLength);
        at += 16;
        for (int i = 0; i < idLength; i++)
        {
            buffer.putByte(at + i, (byte)requestId.charAt(i));
        }
        at += align(idLength);
        buffer.putInt(at, versionLength);
        at += 4;
        for (int i = 0; i < versionLength; i++)
        {
            buffer.putByte(at + i, (byte)championVersion.charAt(i));
        }
        at += align(versionLength);
        for (int i = 0; i < rows * featureCount; i++, at += 4)
        {
            buffer.putFloat(at, inputs[i]);
        }
        for (int i = 0; i < rows * outputCount; i++, at += 4)
        {
            buffer.putFloat(at, championScores[i]);
        }
        ring.commit(index);
        return true;
    }

    /**
     * Parks of {@code micros} after an empty poll, doubling while the ring stays empty, up to
     * {@link #MAX_IDLE_PARK_NANOS}; the first request found resets it. Busy, it wakes as a fixed sleep of
     * {@code micros} does; idle, twenty times a second instead of 200 (at 5 ms) or 2,000 (at 500 µs), which was most of an idle
     * gateway's CPU time (docs/PERFORMANCE.md, issue 13). No spinning, no yielding: those cost the event
     * loops a share of the cores. 0: Agrona's busy backoff (spin, yield, then parks of 10 µs to 1 ms).
     */
    static IdleStrategy idleStrategy(final long micros)
    {
        return micros <= 0
            ? new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1))
            : new BackoffIdleStrategy(0, 0, TimeUnit.MICROSECONDS.toNanos(micros),
                Math.max(TimeUnit.MICROSECONDS.toNanos(micros), MAX_IDLE_PARK_NANOS));
    }

    private static int align(final int length)
    {
        return (length + 3) & ~3;
    }

    private void run()
    {
        final IdleStrategy idle = idleStrategy(idleSleepMicros);
        while (running || (ring.size() > 0 && System.nanoTime() < drainDeadlineNanos))
        {
            idle.idle(ring.read(this::score, READ_LIMIT));
        }
        while (ring.read((type, buffer, index, length) -> dropDuringClose()) > 0)
        {
            // what a slow shadow could not score in time is dropped, and counted
        }
    }

    private void score(final int msgType, final org.agrona.MutableDirectBuffer buffer, final int index, final int length)
    {
        int at = index;
        result.championNanos = buffer.getLong(at);
        final int rows = buffer.getInt(at + 8);
        final int idLength = buffer.getInt(at + 12);
        at += 16;
        result.requestId = buffer.getStringWithoutLengthAscii(at, idLength);
        at += align(idLength);
        final int versionLength = buffer.getInt(at);
        at += 4;
        result.championVersion = buffer.getStringWithoutLengthAscii(at, versionLength);
        at += align(versionLength);
        result.rows = rows;
        result.features = ensure(result.features, rows * featureCount);
        result.championScores = ensure(result.championScores, rows * outputCount);
        result.shadowScores = ensure(result.shadowScores, rows * outputCount);
        for (int i = 0; i < rows * featureCount; i++, at += 4)
        {
            result.features[i] = buffer.getFloat(at);
        }
        for (int i = 0; i < rows * outputCount; i++, at += 4)
        {
            result.championScores[i] = buffer.getFloat(at);
        }

        final long start = System.nanoTime();
        final int outcome;
        try
        {
            outcome = shadow.scorer().score(result.features, rows, result.shadowScores);
        }
        catch (final RuntimeException ex)
        {
            failedOne();
            return;
        }
        result.shadowNanos = System.nanoTime() - start;
        if (outcome != Scorer.OK)
        {
            failedOne();
            return;
        }
        scored.incrementAndGet();
        try
        {
            listener.onShadowScored(result);
        }
        catch (final RuntimeException ex)
        {
            failedOne(); // a listener's failure is the shadow pipeline's failure: counted, never thrown
        }
    }

    private void dropDuringClose()
    {
        dropped.incrementAndGet();
        listener.onShadowDropped(model, shadow.version());
    }

    private void failedOne()
    {
        failed.incrementAndGet();
        listener.onShadowFailed(model, shadow.version());
    }

    private static float[] ensure(final float[] array, final int size)
    {
        return null != array && array.length >= size ? array : new float[size];
    }

    long scored()
    {
        return scored.get();
    }

    long dropped()
    {
        return dropped.get();
    }

    long failed()
    {
        return failed.get();
    }

    /** Bytes waiting in the ring. */
    int queuedBytes()
    {
        return ring.size();
    }

    /**
     * Scores what is queued (for up to a second; the rest is dropped and counted), then stops the
     * thread. A shadow taken out of the policy ends here.
     */
    @Override
    public void close()
    {
        drainDeadlineNanos = System.nanoTime() + DRAIN_NANOS;
        running = false;
        try
        {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return "shadow " + model + "/" + shadow.version();
    }
}
