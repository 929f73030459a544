package io.scoring.monitoring;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Kafka broker in this JVM: one KRaft node that is both broker and controller, from the
 * {@code kafka_2.13} server and {@code kafka-test-common-runtime}'s {@link KafkaClusterTestKit} (which
 * formats the metadata log in a temporary directory, as {@code kafka-storage.sh format} does, and binds
 * free loopback ports). No ZooKeeper: Kafka 4 has none. Not thread-safe.
 */
final class KafkaBroker implements AutoCloseable
{
    private final KafkaClusterTestKit cluster;
    private boolean closed;

    private KafkaBroker(final KafkaClusterTestKit cluster)
    {
        this.cluster = cluster;
    }

    /** Formats, starts and waits until the broker has registered with the controller and serves clients. */
    static KafkaBroker start() throws Exception
    {
        final KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
            .setCombined(true)
            .setNumControllerNodes(1)
            .setNumBrokerNodes(1)
            .setBootstrapMetadataVersion(MetadataVersion.latestProduction()) // the kit's default is the unreleased one
            .build())
            .setConfigProp("auto.create.topics.enable", "false") // the tests create their topics
            .build();
        try
        {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaBroker(cluster);
        }
        catch (final Exception ex)
        {
            cluster.close();
            throw ex;
        }
    }

    String bootstrapServers()
    {
        return cluster.bootstrapServers();
    }

    void createTopic(final String topic, final int partitions) throws Exception
    {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers())))
        {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all().get();
        }
    }

    /** Reads the topic from its beginning until {@code count} records arrived or the time is up; no consumer group. */
    List<ConsumerRecord<String, String>> consume(final String topic, final int count, final Duration timeout)
    {
        final List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()), new StringDeserializer(), new StringDeserializer()))
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (final PartitionInfo partition : consumer.partitionsFor(topic, timeout))
            {
                partitions.add(new TopicPartition(topic, partition.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() - deadline < 0)
            {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Stops the broker and controller and deletes their data; idempotent. */
    @Override
    public void close() throws Exception
    {
        if (!closed)
        {
            closed = true;
            cluster.close();
        }
    }
}
