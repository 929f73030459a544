package io.scoring.features.redis;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnknownFieldSet.Field;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Fills Redis as Feast's own materialization does ({@code RedisOnlineStore.online_write_batch} in
 * {@code sdk/python/feast/infra/online_stores/redis.py}), written from Feast's code and not from the store's: the
 * tests' stand-in for a Feast deployment. Not the gateway's {@code FeastRedisLoader}, which is what it checks.
 *
 * <p>What Feast does, and this does, per feature view and batch of entity rows:
 * <ol>
 *   <li>the Redis key of each row: {@code serialize_entity_key(entity_key, 3)} ({@code infra/key_encoding_utils.py})
 *       followed by the project's name ({@code _redis_key}, {@code infra/online_stores/helpers.py}); written here
 *       with a little-endian {@link ByteBuffer} as Feast's {@code struct.pack("<I", ...)} calls do;</li>
 *   <li>one pipelined HMGET of {@code _ts:<view>} for every key, and a row whose stored event time is not older
 *       than its own is skipped, as Feast skips it;</li>
 *   <li>one pipelined HSET per row: {@code _ts:<view>} = {@code Timestamp(seconds=event_time)} serialized, and for
 *       each feature {@code _mmh3("<view>:<feature>")} = its {@code ValueProto} serialized. The values (by field
 *       number, Value.proto's) and the timestamp are serialized with protobuf-java, the hash with {@link Murmur3} (the one piece shared with the
 *       store, pinned against Python's {@code mmh3} by {@code Murmur3Test}).</li>
 * </ol>
 * The values come as Feast's Python SDK makes them for a column's declared type: see the static factories
 * ({@link #stringVal}, {@link #int32Val}, ...). A null or NaN becomes an empty {@code ValueProto()}, as Feast
 * writes a missing value. Not thread-safe; one connection of its own.
 */
public final class FeastOnlineWriter implements AutoCloseable
{
    /** ValueType.STRING and ValueType.INT64 (Value.proto), the entity value types written in the key. */
    private static final int VALUE_TYPE_STRING = 2;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final String project;
    private final String joinKey;

    public FeastOnlineWriter(final String redisUri, final String project, final String joinKey)
    {
        this.client = RedisClient.create(redisUri);
        this.connection = client.connect(ByteArrayCodec.INSTANCE);
        this.project = project;
        this.joinKey = joinKey;
    }

    /**
     * {@code online_write_batch} of one feature view: each entity id (a STRING entity value) with its features'
     * serialized values, all at {@code eventTime}.
     *
     * @return the rows written (rows whose stored event time is as new or newer are skipped, as Feast does).
     */
    public int writeBatch(final String featureView, final Map<String, Map<String, byte[]>> rows, final Instant eventTime)
    {
        final RedisAsyncCommands<byte[], byte[]> redis = connection.async();
        final byte[] tsKey = ("_ts:" + featureView).getBytes(StandardCharsets.UTF_8);
        final List<byte[]> keys = new ArrayList<>();
        rows.keySet().forEach((entity) -> keys.add(redisKey(entity)));

        connection.setAutoFlushCommands(false);
        try
        {
            final List<RedisFuture<List<KeyValue<byte[], byte[]>>>> previous = new ArrayList<>();
            keys.forEach((key) -> previous.add(redis.hmget(key, tsKey)));
            flush(previous);

            final byte[] timestamp = Timestamp.newBuilder().setSeconds(eventTime.getEpochSecond()).build().toByteArray();
            final List<RedisFuture<?>> writes = new ArrayList<>();
            int row = 0;
            int written = 0;
            for (final Map<String, byte[]> values : rows.values())
            {
                final byte[] key = keys.get(row);
                final KeyValue<byte[], byte[]> prevTs = await(previous.get(row++)).get(0);
                if (prevTs.hasValue() && prevSeconds(prevTs.getValue()) != 0 &&
                    eventTime.getEpochSecond() <= prevSeconds(prevTs.getValue()))
                {
                    continue;
                }
                final Map<byte[], byte[]> hash = new LinkedHashMap<>();
                hash.put(tsKey, timestamp);
                values.forEach((feature, value) -> hash.put(mmh3(featureView + ":" + feature), value));
                writes.add(redis.hset(key, hash));
                written++;
            }
            flush(writes);

            return written;
        }
        finally
        {
            connection.setAutoFlushCommands(true);
        }
    }

    /** {@code _redis_key(project, EntityKey(join_keys=[joinKey], entity_values=[Value(string_val=id)]), 3)}. */
    public byte[] redisKey(final String entityId)
    {
        final byte[] name = joinKey.getBytes(StandardCharsets.UTF_8);
        final byte[] value = entityId.getBytes(StandardCharsets.UTF_8);
        final byte[] projectBytes = project.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer key = ByteBuffer.allocate(5 * Integer.BYTES + name.length + value.length + projectBytes.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        key.putInt(1);                    // v3: len(sorted_keys)
        key.putInt(VALUE_TYPE_STRING);    // each join key's name: ValueType.STRING...
        key.putInt(joinKey.length());     // v3: len(k), in characters, as Python's len() counts
        key.put(name);                    // k.encode("utf8")
        key.putInt(VALUE_TYPE_STRING);    // _serialize_val of string_val: ValueType.STRING...
        key.putInt(value.length);         // v3: len(value_bytes)
        key.put(value);                   // the value's UTF-8 bytes
        key.put(projectBytes);            // _redis_key: key_bytes + bytes(project, "utf-8")

        return key.array();
    }

    /** {@code _mmh3(key)}: {@code mmh3.hash(key, signed=False)} packed {@code "<Q"}, its first 4 bytes. */
    private static byte[] mmh3(final String key)
    {
        final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(Murmur3.hash32(bytes, 0, bytes.length, 0)).array();
    }

    /** Feast type {@code String}: {@code ValueProto(string_val=...)}; null: {@code ValueProto()}. */
    public static byte[] stringVal(final String value)
    {
        return null == value ? new byte[0] : member(2, Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8(value)));
    }

    /** Feast type {@code Int32}: a varint, negative numbers sign-extended to 64 bits as protobuf's int32 is. */
    public static byte[] int32Val(final int value)
    {
        return member(3, Field.newBuilder().addVarint(value));
    }

    /** Feast type {@code Int64}. */
    public static byte[] int64Val(final long value)
    {
        return member(4, Field.newBuilder().addVarint(value));
    }

    /** Feast type {@code Float64}; NaN is a missing value: {@code ValueProto()}. */
    public static byte[] doubleVal(final double value)
    {
        return Double.isNaN(value) ? new byte[0] : member(5, Field.newBuilder().addFixed64(Double.doubleToLongBits(value)));
    }

    /** Feast type {@code Float32}; NaN is a missing value: {@code ValueProto()}. */
    public static byte[] floatVal(final float value)
    {
        return Float.isNaN(value) ? new byte[0] : member(6, Field.newBuilder().addFixed32(Float.floatToIntBits(value)));
    }

    /** Feast type {@code Bool}. */
    public static byte[] boolVal(final boolean value)
    {
        return member(7, Field.newBuilder().addVarint(value ? 1 : 0));
    }

    /** Feast type {@code Bytes}: a member that is no model input. */
    public static byte[] bytesVal(final byte[] value)
    {
        return member(1, Field.newBuilder().addLengthDelimited(ByteString.copyFrom(value)));
    }

    /** Feast type {@code UnixTimestamp}: seconds since the epoch, a member that is no model input. */
    public static byte[] unixTimestampVal(final long seconds)
    {
        return member(8, Field.newBuilder().addVarint(seconds));
    }

    /** Feast type {@code Array(Float32)}: {@code float_list_val = FloatList(val=[...])}, one fixed32 per element. */
    public static byte[] floatListVal(final float... values)
    {
        final Field.Builder elements = Field.newBuilder();
        for (final float value : values)
        {
            elements.addFixed32(Float.floatToIntBits(value));
        }
        final byte[] list = UnknownFieldSet.newBuilder().addField(1, elements.build()).build().toByteArray();
        return member(16, Field.newBuilder().addLengthDelimited(ByteString.copyFrom(list)));
    }

    /**
     * A member numbered past Value.proto's last (33), holding a decimal's text: what a Feast that adds a Decimal type
     * would write, and a value this store has no mapping for.
     */
    public static byte[] decimalVal(final String decimal)
    {
        return member(34, Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8(decimal)));
    }

    /**
     * A Value holding one member, serialized by protobuf-java from the field number and wire value alone (no
     * generated class: the project has no Feast protos), independently of the store's hand-written decoder.
     */
    private static byte[] member(final int number, final Field.Builder value)
    {
        return UnknownFieldSet.newBuilder().addField(number, value.build()).build().toByteArray();
    }

    @Override
    public void close()
    {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static long prevSeconds(final byte[] timestamp)
    {
        try
        {
            return Timestamp.parseFrom(timestamp).getSeconds();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void flush(final List<? extends RedisFuture<?>> pending)
    {
        connection.flushCommands();
        if (!LettuceFutures.awaitAll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, pending.toArray(new RedisFuture<?>[0])))
        {
            throw new IllegalStateException("Redis did not answer " + pending.size() + " commands within " + TIMEOUT);
        }
    }

    private static <T> T await(final RedisFuture<T> future)
    {
        try
        {
            return future.get();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
