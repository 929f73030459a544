package io.scoring.monitoring;

/**
 * A destination of the payload log's JSON lines: the rotating files ({@link FilePayloadSink}), Kafka
 * ({@link KafkaPayloadSink}). {@link PayloadLog} encodes each sampled request once and hands the same
 * bytes to every sink.
 *
 * <p>Threading: the monitoring thread only. A sink never throws: what it cannot write it drops and
 * counts. Only the file sink waits on I/O (its own disk); the Kafka sink never waits on the network.
 */
interface PayloadSink
{
    /**
     * One sampled request as a UTF-8 JSON object, {@code line[0, length)}, without a line terminator.
     * Both the sample and the array are reused after the call: a sink that keeps anything copies it.
     */
    void onLine(Sample sample, byte[] line, int length);

    /** Called on every pass of the monitoring thread's loop: time-driven work (rotation, flushes). */
    default void onTick(final long epochMillis)
    {
    }

    /** No more lines: flush what was accepted (bounded in time) and release. */
    default void onClose()
    {
    }
}
