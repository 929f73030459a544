package io.scoring.monitoring.sampling;

import java.util.Objects;

/**
 * Where and how the payload log is also published to Kafka.
 *
 * @param bootstrapServers      {@code host:port[,host:port...]} of the cluster.
 * @param topic                 every sampled request goes to this topic, keyed by its request id.
 * @param bufferBytes           the producer's whole buffer ({@code buffer.memory}); a line that finds it
 *                              full is dropped and counted, never waited for.
 * @param lingerMillis          how long a batch waits for more lines before it is sent ({@code linger.ms}).
 * @param deliveryTimeoutMillis a buffered line not acknowledged within this is dropped and counted
 *                              ({@code delivery.timeout.ms}); at least {@code lingerMillis} plus
 *                              {@link #REQUEST_TIMEOUT_MILLIS}.
 * @param connectWaitMillis     how long start-up waits for the topic's metadata; 0: not at all.
 * @param closeTimeoutMillis    how long {@code Monitoring.close()} waits for buffered lines to be
 *                              acknowledged before it drops (and counts) the rest.
 */
public record KafkaPayloadConfig(
    String bootstrapServers,
    String topic,
    long bufferBytes,
    int lingerMillis,
    int deliveryTimeoutMillis,
    long connectWaitMillis,
    long closeTimeoutMillis)
{
    /** The topic the gateway publishes to unless told otherwise. */
    public static final String TOPIC_DEFAULT = "scoring-payload";
    /** 16 MiB: ~15 s of 1,000 one-kilobyte lines a second, enough to ride out a leader election. */
    public static final long BUFFER_BYTES_DEFAULT = 16L << 20;
    /** 5 ms: batches of tens of lines at 1,000 samples a second, invisible next to a 1 s file flush. */
    public static final int LINGER_MILLIS_DEFAULT = 5;
    /** 30 s: a broker restart loses nothing buffered; a longer outage fills the buffer and drops. */
    public static final int DELIVERY_TIMEOUT_MILLIS_DEFAULT = 30_000;
    /** 1 s: a reachable broker answers in milliseconds; an unreachable one delays start-up by no more. */
    public static final long CONNECT_WAIT_MILLIS_DEFAULT = 1_000L;
    /**
     * 2 s: a full buffer drains in well under a second on a LAN, and the monitoring thread must finish
     * closing within the 5 s after which Agrona's {@code AgentRunner.close()} interrupts it.
     */
    public static final long CLOSE_TIMEOUT_MILLIS_DEFAULT = 2_000L;
    /** The producer's wait for one broker response ({@code request.timeout.ms}); Kafka's 30 s is for WANs. */
    public static final int REQUEST_TIMEOUT_MILLIS = 10_000;
    /** Room for a few 16 KiB batches ({@code batch.size}): below it every line would be dropped. */
    public static final long MIN_BUFFER_BYTES = 64L << 10;

    public KafkaPayloadConfig
    {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        if (bootstrapServers.isBlank() || topic.isBlank())
        {
            throw new IllegalArgumentException("payload Kafka needs bootstrap servers and a topic: " + this);
        }
        if (bufferBytes < MIN_BUFFER_BYTES || lingerMillis < 0 || connectWaitMillis < 0 || closeTimeoutMillis < 0 ||
            (long)deliveryTimeoutMillis < (long)lingerMillis + REQUEST_TIMEOUT_MILLIS)
        {
            throw new IllegalArgumentException("payload Kafka: buffer at least " + MIN_BUFFER_BYTES + " bytes, " +
                "delivery timeout at least linger + " + REQUEST_TIMEOUT_MILLIS + " ms, no negative times: " + this);
        }
    }

    public static KafkaPayloadConfig defaults(final String bootstrapServers, final String topic)
    {
        return new KafkaPayloadConfig(bootstrapServers, topic, BUFFER_BYTES_DEFAULT, LINGER_MILLIS_DEFAULT,
            DELIVERY_TIMEOUT_MILLIS_DEFAULT, CONNECT_WAIT_MILLIS_DEFAULT, CLOSE_TIMEOUT_MILLIS_DEFAULT);
    }
}
