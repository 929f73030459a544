package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The payload log's second sink: every line published to a Kafka topic, key = the request id (ASCII),
 * value = the same JSON as the file line (without its newline), timestamp = the request's time.
 *
 * <h2>Never blocking</h2>
 * {@code max.block.ms=0}: {@code send} only appends to the producer's bounded buffer
 * ({@code buffer.memory}); the producer's own I/O thread talks to the brokers. A line that finds the
 * buffer full or the topic's metadata not yet known, that exceeds {@code max.request.size} (1 MiB), or
 * that is not acknowledged within {@code delivery.timeout.ms} (a broker down) fails in the send callback
 * and is counted in {@code scoring_payload_kafka_dropped_total}; acknowledged lines in
 * {@code scoring_payload_kafka_sent_total}.
 * Only the monitoring thread sends; the response path never sees Kafka.
 *
 * <h2>Delivery</h2>
 * {@code acks=1}, lz4 batches after a few ms of linger, retries within the delivery timeout, no
 * idempotence: a retried batch may be written twice, and the request id tells the copies apart. Lines
 * of one request id stay on one partition (the default partitioner hashes the key).
 *
 * <h2>Lifecycle</h2>
 * The constructor waits, bounded, for the topic's metadata so the first samples are not dropped while
 * the producer learns where to send them. {@link #onClose()} flushes within a bounded time
 * ({@code KafkaProducer.close(timeout)}) and drops, counted, whatever the brokers have not acknowledged by then.
 *
 * <p>Threading: {@code onLine}, {@code onClose} and the constructor from one thread at a time (the
 * monitoring thread, after construction); the callback runs on the producer's I/O thread or inside
 * {@code send}, and only increments thread-safe counters.
 */
final class KafkaPayloadSink implements PayloadSink, Callback
{
    /** Kafka forgets a topic after 5 idle minutes; at low sampling rates the next line would then be dropped. */
    private static final long METADATA_MAX_IDLE_MILLIS = TimeUnit.DAYS.toMillis(1);
    /** Between metadata probes while start-up waits. */
    private static final long CONNECT_POLL_MILLIS = 10L;

    private final String topic;
    private final long closeTimeoutMillis;
    private final Producer<byte[], byte[]> producer;
    private final Counter sent;
    private final Counter dropped;

    KafkaPayloadSink(final Monitoring.Context config, final Counter sent, final Counter dropped)
    {
        this.topic = config.payloadKafkaTopic();
        this.closeTimeoutMillis = config.payloadKafkaCloseTimeoutMillis();
        this.sent = sent;
        this.dropped = dropped;
        this.producer = new KafkaProducer<>(producerConfig(config), new ByteArraySerializer(), new ByteArraySerializer());
        awaitMetadata(config.payloadKafkaConnectWaitMillis());
    }

    static Map<String, Object> producerConfig(final Monitoring.Context config)
    {
        final Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.payloadKafka());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "scoring-payload-log");
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false); // idempotence needs acks=all
        props.put(ProducerConfig.LINGER_MS_CONFIG, config.payloadKafkaLingerMillis());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"); // lz4-java falls back to pure Java: no native library needed
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, config.payloadKafkaBufferBytes());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0L);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Monitoring.Context.PAYLOAD_KAFKA_REQUEST_TIMEOUT_MILLIS);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, config.payloadKafkaDeliveryTimeoutMillis());
        props.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, METADATA_MAX_IDLE_MILLIS);
        return props;
    }

    @Override
    public void onLine(final Sample sample, final byte[] line, final int length)
    {
        final byte[] key = sample.requestId().getBytes(StandardCharsets.US_ASCII);
        final byte[] value = Arrays.copyOf(line, length); // the producer holds it until acknowledged
        try
        {
            producer.send(new ProducerRecord<>(topic, null, sample.epochMillis(), key, value), this);
        }
        catch (final RuntimeException ex)
        {
            // a full buffer, unknown metadata and an oversized line arrive in the callback; send itself
            // throws only for a broken producer (closed, for one): the same outcome for the line
            dropped.increment();
        }
    }

    /** One line acknowledged or lost: on the producer's I/O thread, or inside {@code send} when it fails at once. */
    @Override
    public void onCompletion(final RecordMetadata metadata, final Exception exception)
    {
        if (null == exception)
        {
            sent.increment();
        }
        else
        {
            dropped.increment();
        }
    }

    @Override
    public void onClose()
    {
        try
        {
            producer.close(Duration.ofMillis(closeTimeoutMillis));
        }
        catch (final RuntimeException ex)
        {
            // interrupted while waiting: the producer force-closed, its unsent lines already counted as dropped
        }
    }

    /**
     * With {@code max.block.ms=0} the first send to a topic fails until its metadata arrives; each probe
     * here asks for it without waiting, so start-up waits at most {@code millis}, polling.
     */
    private void awaitMetadata(final long millis)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true)
        {
            try
            {
                producer.partitionsFor(topic);
                return;
            }
            catch (final TimeoutException ex)
            {
                if (System.nanoTime() - deadline >= 0)
                {
                    return; // not reachable yet: the producer keeps trying; lines until then are dropped, counted
                }
            }
            catch (final KafkaException ex)
            {
                return; // refused (authorization, an invalid topic): every line will say so in the drop count
            }
            try
            {
                Thread.sleep(CONNECT_POLL_MILLIS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
