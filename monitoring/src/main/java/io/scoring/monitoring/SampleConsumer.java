package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

import java.util.List;

/**
 * The consumer end of the {@link SampleQueue}: decodes each record once into a {@link Sample} view and
 * hands it to every {@link SampleSink} in turn (payload log, drift, comparison).
 *
 * <p>Threading: the monitoring thread only. A sink that throws does not stop the others or the thread:
 * the failure is counted in {@code scoring_monitoring_errors_total} and the next record goes on.
 */
final class SampleConsumer implements MessageHandler
{
    /** Records per {@link #poll}: bounded so ticks (rotation, evaluation) run between batches. */
    static final int BATCH_LIMIT = 256;

    private final SampleQueue queue;
    private final Sample sample;
    private final List<SampleSink> sinks;
    private final Counter dropped;
    private final Counter errors;

    SampleConsumer(
        final SampleQueue queue,
        final SampleSources sources,
        final List<SampleSink> sinks,
        final Counter dropped,
        final Counter errors)
    {
        this.queue = queue;
        this.sample = new Sample(sources);
        this.sinks = List.copyOf(sinks);
        this.dropped = dropped;
        this.errors = errors;
    }

    /** Consumes up to a batch; returns how many records. */
    int poll()
    {
        return queue.drain(this, BATCH_LIMIT);
    }

    void tick(final long epochMillis)
    {
        for (final SampleSink sink : sinks)
        {
            try
            {
                sink.onTick(epochMillis);
            }
            catch (final RuntimeException ex)
            {
                errors.increment();
            }
        }
    }

    /** Refuses new samples, waits for accepted ones to commit, consumes them all, closes the sinks. */
    void close()
    {
        queue.close();
        do
        {
            poll(); // a call may end at the ring's wrap on a padding record having read none: loop on size
        }
        while (queue.size() > 0);
        for (final SampleSink sink : sinks)
        {
            try
            {
                sink.onClose();
            }
            catch (final RuntimeException ex)
            {
                errors.increment();
            }
        }
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (!sample.wrap(buffer, index))
        {
            dropped.increment(); // its version was unloaded while the record waited
            return;
        }
        for (final SampleSink sink : sinks)
        {
            try
            {
                sink.onSample(sample);
            }
            catch (final RuntimeException ex)
            {
                errors.increment();
            }
        }
    }
}
