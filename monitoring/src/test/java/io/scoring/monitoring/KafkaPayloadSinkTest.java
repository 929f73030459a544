package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The payload log's Kafka sink against a real broker started here ({@link KafkaBroker}), through the
 * whole path: {@code offerSample} into the ring, the monitoring thread, the file and Kafka sinks.
 */
class KafkaPayloadSinkTest
{
    private static final List<MonitoredFeature> FEATURES = List.of(
        MonitoredFeature.numeric("amount"), MonitoredFeature.categorical("purpose", List.of("car", "tv", "education")));
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Half of Kafka's max.block.ms (60 s): what a start or close that waited on it would exceed, however loaded the machine. */
    private static final Duration KAFKA_BLOCK_BOUND = Duration.ofSeconds(30);

    private static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception
    {
        broker.close();
    }

    @Test
    void shouldPublishEverySampledRequestAsTheSameJsonLineTheFileGets() throws Exception
    {
        final String topic = "payload-same-line";
        broker.createTopic(topic, 3);
        final int samples = 300;
        final Monitoring monitoring = Monitoring.start(kafka(broker.bootstrapServers(), topic));
        final Counter sent = counter(monitoring, "scoring.payload.kafka.sent");
        final Counter dropped = counter(monitoring, "scoring.payload.kafka.dropped");

        offer(monitoring, 0, samples);
        awaitTrue(() -> sent.count() == samples, "every line acknowledged without waiting for close");
        monitoring.close();

        final Map<String, String> fileLines = fileLinesById();
        assertEquals(samples, fileLines.size(), "the file sink still gets every sample");
        assertEquals(samples, monitoring.metrics().samplesLogged().count());
        final List<ConsumerRecord<String, String>> records = broker.consume(topic, samples, WAIT);
        assertEquals(samples, records.size());
        for (final ConsumerRecord<String, String> record : records)
        {
            assertEquals(fileLines.get(record.key()), record.value(), "key " + record.key());
            assertTrue(record.value().contains("\"time\":" + record.timestamp() + ","), "timestamp is the request's time");
        }
        assertTrue(records.get(0).value().contains("\"shadow_scores\":{\"v2\":{\"role\":\"shadow\""), records.get(0).value());
        assertEquals(0.0, dropped.count());
    }

    @Test
    void shouldFlushLinesStillBufferedInTheProducerWhenClosed() throws Exception
    {
        final String topic = "payload-flush-on-close";
        broker.createTopic(topic, 1);
        final int samples = 30; // ~8 KB: one batch, below batch.size, so it waits out its linger
        final Monitoring monitoring = Monitoring.start(kafka(broker.bootstrapServers(), topic)
            .payloadKafkaLingerMillis(600_000).payloadKafkaDeliveryTimeoutMillis(700_000).payloadKafkaCloseTimeoutMillis(4_000));
        final Counter sent = counter(monitoring, "scoring.payload.kafka.sent");

        offer(monitoring, 0, samples);
        awaitTrue(() -> monitoring.metrics().samplesLogged().count() == samples, "the monitoring thread handled every sample");
        assertEquals(0.0, sent.count(), "a ten-minute linger holds the batch in the producer");
        monitoring.close();

        assertEquals(samples, sent.count(), "close sent and acknowledged the batch");
        assertEquals(samples, broker.consume(topic, samples, WAIT).size());
    }

    /* No tight timings (the machine's load is not the sink's): a send that blocked the monitoring thread fills its
       ring (samplesDropped), and a close that waited on Kafka's 60 s max.block.ms misses the generous bound. */
    @Test
    void shouldDropAndCountLinesWithoutEverHoldingUpTheMonitoringThreadWhileTheBrokerIsDown() throws Exception
    {
        final String topic = "payload-broker-down";
        final KafkaBroker doomed = KafkaBroker.start();
        doomed.createTopic(topic, 1);
        final long closeTimeoutMillis = 1_000;
        final Monitoring monitoring = Monitoring.start(kafka(doomed.bootstrapServers(), topic)
            .payloadKafkaBufferBytes(Monitoring.Context.PAYLOAD_KAFKA_BUFFER_BYTES_MIN)
            .payloadKafkaConnectWaitMillis(10_000)
            .payloadKafkaCloseTimeoutMillis(closeTimeoutMillis));
        final Counter sent = counter(monitoring, "scoring.payload.kafka.sent");
        final Counter dropped = counter(monitoring, "scoring.payload.kafka.dropped");
        offer(monitoring, 0, 10);
        awaitTrue(() -> sent.count() == 10, "published while the broker was up");

        doomed.close();
        final int batches = 20;
        final int perBatch = 200; // 4,000 lines of ~270 bytes: sixteen times the 64 KiB producer buffer
        for (int batch = 0; batch < batches; batch++)
        {
            offer(monitoring, 10 + batch * perBatch, perBatch);
            final long handled = 10 + (batch + 1L) * perBatch;
            awaitTrue(() -> monitoring.metrics().samplesLogged().count() == handled, "batch " + batch + " handled");
        }
        assertTrue(dropped.count() > 0, "a full buffer drops");
        assertEquals(0.0, monitoring.metrics().samplesDropped().count(), "the ring never filled: the thread kept up");
        assertTrue(monitoring.metrics().scrape().contains("scoring_payload_kafka_dropped_total "));

        assertTimeoutPreemptively(KAFKA_BLOCK_BOUND, monitoring::close, "close waits its close timeout, not Kafka's 60 s");
        assertEquals(10 + batches * perBatch, sent.count() + dropped.count(), "every line is either sent or counted as dropped");
    }

    @Test
    void shouldStartWithinTheConnectWaitAndCountEveryLineAsDroppedWhenNoBrokerListens() throws Exception
    {
        final Monitoring.Context context = kafka("127.0.0.1:" + unusedPort(), "payload-nowhere")
            .payloadKafkaBufferBytes(Monitoring.Context.PAYLOAD_KAFKA_BUFFER_BYTES_MIN)
            .payloadKafkaConnectWaitMillis(500)
            .payloadKafkaCloseTimeoutMillis(500);
        final Monitoring monitoring = assertTimeoutPreemptively(KAFKA_BLOCK_BOUND, () -> Monitoring.start(context),
            "start waits the connect wait, not Kafka's 60 s");
        final Counter dropped = counter(monitoring, "scoring.payload.kafka.dropped");

        offer(monitoring, 0, 20);
        awaitTrue(() -> monitoring.metrics().samplesLogged().count() == 20, "the file sink carried on");
        monitoring.close();

        assertEquals(20.0, dropped.count(), "no metadata, no buffering: dropped at once");
        assertEquals(20, fileLinesById().size());
    }

    /** Samples everything into the file log and the topic; the rest at the defaults. */
    private Monitoring.Context kafka(final String bootstrapServers, final String topic)
    {
        return new Monitoring.Context()
            .defaultSamplingPercent(100)
            .payloadLogDir(dir)
            .payloadKafka(bootstrapServers)
            .payloadKafkaTopic(topic);
    }

    /** Offers samples {@code r-first..} from the champion, each paired with a shadow score. */
    private static void offer(final Monitoring monitoring, final int first, final int count)
    {
        final VersionMeters champion = monitoring.versionMeters(new VersionSpec("credit-risk", "v1", FEATURES, 0.5, null), "champion");
        final VersionMeters shadow = monitoring.versionMeters(new VersionSpec("credit-risk", "v2", FEATURES, 0.5, null), "shadow");
        final PairedScores paired = new PairedScores();
        for (int i = first; i < first + count; i++)
        {
            shadow.pairInto(paired.clear(), new float[] {i / 10_000f}, 39_000);
            assertEquals(SampleQueue.OFFERED, champion.offerSample("r-" + i, System.currentTimeMillis(),
                new float[] {1_000f + i, i % 3}, new float[] {i / 5_000f}, 1, 41_000, paired));
        }
    }

    private static Counter counter(final Monitoring monitoring, final String name)
    {
        return monitoring.metrics().counter(name, ""); // the registered one: same name, same meter
    }

    private Map<String, String> fileLinesById() throws IOException
    {
        final Map<String, String> lines = new HashMap<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.filter((f) -> f.toString().endsWith(".jsonl")).toList())
            {
                for (final String line : Files.readAllLines(file))
                {
                    final int start = line.indexOf("\"request_id\":\"") + "\"request_id\":\"".length();
                    lines.put(line.substring(start, line.indexOf('"', start)), line);
                }
            }
        }
        return lines;
    }

    private static int unusedPort()
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, what + ": not within " + WAIT.toSeconds() + " s");
            Thread.sleep(5);
        }
    }
}
