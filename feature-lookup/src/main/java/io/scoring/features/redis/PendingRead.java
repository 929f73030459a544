package io.scoring.features.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.scoring.features.FeatureStore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * One request's pipelined read: an HMGET per entity, handed to Lettuce as one batch (one write, one flush: one
 * round trip), and the replies decoded as they arrive, straight from Lettuce's buffer into this object's arrays.
 *
 * <p><b>Threading.</b> A caller thread fills it ({@link #begin}, {@link #add}), sends it and waits
 * ({@link #fetch}); Lettuce's I/O thread encodes the commands and decodes the replies into it, then wakes the
 * caller. Once the last reply is in, the arrays are the caller's again (the atomic countdown orders them). A
 * caller that stops waiting (deadline, failure) must {@link #abandon} it: replies may still arrive and write into
 * it, so it is never reused, and the thread makes a new one. In steady state a thread reuses its one read, and
 * what is allocated per request is Lettuce's: the command objects and its write bookkeeping.
 */
final class PendingRead
{
    static final int OK = 0;
    static final int TIMED_OUT = 1;
    static final int FAILED = 2;

    private static final AtomicIntegerFieldUpdater<PendingRead> REMAINING =
        AtomicIntegerFieldUpdater.newUpdater(PendingRead.class, "remaining");
    private static final int INITIAL_ROWS = 16;

    private ReadPlan plan;
    private int count;
    private boolean abandoned;

    private byte[] keys = new byte[1024];
    private int keysLength;
    private int[] keyOffsets = new int[INITIAL_ROWS];
    private int[] keyLengths = new int[INITIAL_ROWS];
    /** For each entity of this read, its row in the request. */
    private int[] requestRows = new int[INITIAL_ROWS];

    private boolean[] found = new boolean[INITIAL_ROWS];
    private float[] values = new float[0];
    private byte[] statuses = new byte[0];
    private long[] timestamps = new long[0];
    private HmgetReply[] replies = new HmgetReply[0];

    private final List<RedisCommand<byte[], byte[], ?>> commands = new ArrayList<>();
    private volatile int remaining;
    private volatile boolean failed;
    private volatile Thread waiter;

    /** Starts a read of {@code plan}'s fields. */
    void begin(final ReadPlan plan)
    {
        this.plan = plan;
        count = 0;
        keysLength = 0;
        failed = false;
    }

    /**
     * Adds the entity of request row {@code requestRow}.
     *
     * @return false if its key cannot be one of the store's (an INT64 store and a key that is not an int64).
     */
    boolean add(final FeastKeys keyEncoding, final CharSequence entityKey, final int requestRow)
    {
        final int maxLength = keyEncoding.maxLength(entityKey);
        if (keysLength + maxLength > keys.length)
        {
            keys = Arrays.copyOf(keys, Math.max(2 * keys.length, keysLength + maxLength));
        }
        final int length = keyEncoding.encode(entityKey, keys, keysLength);
        if (length == FeastKeys.NOT_AN_INT64)
        {
            return false;
        }

        if (count == requestRows.length)
        {
            final int rows = 2 * count;
            requestRows = Arrays.copyOf(requestRows, rows);
            keyOffsets = Arrays.copyOf(keyOffsets, rows);
            keyLengths = Arrays.copyOf(keyLengths, rows);
            found = Arrays.copyOf(found, rows);
        }
        requestRows[count] = requestRow;
        keyOffsets[count] = keysLength;
        keyLengths[count] = length;
        keysLength += length;
        count++;

        return true;
    }

    ReadPlan plan()
    {
        return plan;
    }

    /** Entities added. */
    int count()
    {
        return count;
    }

    /** The request row of entity {@code entity}. */
    int requestRow(final int entity)
    {
        return requestRows[entity];
    }

    /**
     * Sends every entity's HMGET as one batch and waits until all replies are in, one fails, or {@code deadlineNs}
     * ({@link System#nanoTime()}) passes.
     *
     * @return {@link #OK}, {@link #TIMED_OUT} or {@link #FAILED}; after anything but OK, {@link #abandon} this.
     */
    int fetch(final StatefulRedisConnection<byte[], byte[]> connection, final long deadlineNs)
    {
        prepareResults();
        for (int entity = 0; entity < count; entity++)
        {
            replies[entity].reset(entity);
            commands.add(new HmgetCommand(replies[entity], this, entity));
        }

        waiter = Thread.currentThread();
        remaining = count;
        try
        {
            connection.dispatch(commands);
        }
        catch (final RuntimeException ex)
        {
            return FAILED; // e.g. the connection was closed
        }
        finally
        {
            commands.clear();
        }

        return await(deadlineNs);
    }

    /** Copies entity {@code entity}'s result into the caller's arrays: see {@link ReadPlan#copyRow}. */
    void copyRow(
        final int entity, final int[] positions, final float[] values, final byte[] statuses, final int base, final long nowMs)
    {
        plan.copyRow(found[entity], this.values, this.statuses, entity * plan.valueCount,
            timestamps, entity * plan.timedViewCount, positions, values, statuses, base, nowMs);
    }

    /** Entity {@code entity}'s result, copied, for the near cache. */
    NearCache.Row row(final int entity)
    {
        final int valuesFrom = entity * plan.valueCount;
        final int timestampsFrom = entity * plan.timedViewCount;
        return new NearCache.Row(
            found[entity],
            Arrays.copyOfRange(values, valuesFrom, valuesFrom + plan.valueCount),
            Arrays.copyOfRange(statuses, valuesFrom, valuesFrom + plan.valueCount),
            Arrays.copyOfRange(timestamps, timestampsFrom, timestampsFrom + plan.timedViewCount));
    }

    /** After a read that did not end OK: late replies may still write here, so it must never be reused. */
    void abandon()
    {
        abandoned = true;
    }

    boolean isAbandoned()
    {
        return abandoned;
    }

    private int await(final long deadlineNs)
    {
        while (true)
        {
            if (failed)
            {
                return FAILED;
            }
            if (remaining == 0)
            {
                return OK;
            }
            final long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0)
            {
                return TIMED_OUT;
            }
            LockSupport.parkNanos(this, leftNs);
            if (Thread.currentThread().isInterrupted())
            {
                return FAILED; // parking returns at once while interrupted: give up rather than spin
            }
        }
    }

    private void prepareResults()
    {
        final int valueSlots = count * plan.valueCount;
        if (values.length < valueSlots)
        {
            values = new float[Math.max(valueSlots, 2 * values.length)];
            statuses = new byte[values.length];
        }
        final int timestampSlots = count * plan.timedViewCount;
        if (timestamps.length < timestampSlots)
        {
            timestamps = new long[Math.max(timestampSlots, 2 * timestamps.length)];
        }
        Arrays.fill(statuses, 0, valueSlots, FeatureStore.STATUS_FEATURE_MISSING);
        Arrays.fill(timestamps, 0, timestampSlots, ReadPlan.NO_TIMESTAMP);
        Arrays.fill(found, 0, count, false);
        if (replies.length < count)
        {
            final int old = replies.length;
            replies = Arrays.copyOf(replies, Math.max(count, 2 * old));
            for (int i = old; i < replies.length; i++)
            {
                replies[i] = new HmgetReply(this);
            }
        }
    }

    /** The I/O thread: field {@code field} of entity {@code entity}'s reply; null if Redis has no such field. */
    private void onField(final int entity, final int field, final ByteBuffer bytes)
    {
        if (null == bytes || field >= plan.fieldCount())
        {
            return;
        }

        found[entity] = true;
        if (field < plan.valueCount)
        {
            final int slot = entity * plan.valueCount + field;
            final long decoded = FeastValues.decodeValue(bytes, plan.categories(field));
            values[slot] = FeastValues.value(decoded);
            statuses[slot] = FeastValues.status(decoded);
        }
        else
        {
            timestamps[entity * plan.timedViewCount + field - plan.valueCount] = FeastValues.decodeTimestampMillis(bytes);
        }
    }

    /** The I/O thread: entity {@code entity}'s reply is complete; {@code error}: Redis answered with an error. */
    private void onReply(final int entity, final boolean error)
    {
        if (error)
        {
            // e.g. WRONGTYPE: the key holds no hash. Redis is fine; this entity's values are not.
            found[entity] = true;
            Arrays.fill(statuses, entity * plan.valueCount, (entity + 1) * plan.valueCount, FeatureStore.STATUS_INVALID_VALUE);
        }
        if (REMAINING.decrementAndGet(this) == 0)
        {
            LockSupport.unpark(waiter);
        }
    }

    /** Any thread: a command was refused, lost with its connection, or cancelled. */
    private void onFailure()
    {
        failed = true;
        LockSupport.unpark(waiter);
    }

    /** Writes entity {@code entity}'s HMGET in RESP: the plan's header, the key, the plan's fields. */
    private void encode(final int entity, final ByteBuf out)
    {
        out.writeBytes(plan.commandHeader());
        out.writeByte('$');
        writeDecimal(out, keyLengths[entity]);
        out.writeByte('\r').writeByte('\n');
        out.writeBytes(keys, keyOffsets[entity], keyLengths[entity]);
        out.writeByte('\r').writeByte('\n');
        out.writeBytes(plan.fieldArguments());
    }

    private static void writeDecimal(final ByteBuf out, final int value)
    {
        if (value >= 10)
        {
            writeDecimal(out, value / 10);
        }
        out.writeByte('0' + value % 10);
    }

    /** An HMGET whose arguments the read encodes and whose completion it counts. */
    private static final class HmgetCommand extends Command<byte[], byte[], Void>
    {
        private final PendingRead read;
        private final int entity;

        HmgetCommand(final HmgetReply reply, final PendingRead read, final int entity)
        {
            super(CommandType.HMGET, reply);
            this.read = read;
            this.entity = entity;
        }

        @Override
        public void encode(final ByteBuf buf)
        {
            read.encode(entity, buf);
        }

        @Override
        public void complete()
        {
            if (!isDone())
            {
                super.complete();
                read.onReply(entity, getOutput().hasError());
            }
        }

        @Override
        public boolean completeExceptionally(final Throwable throwable)
        {
            if (isDone())
            {
                return false;
            }
            super.completeExceptionally(throwable);
            read.onFailure();
            return true;
        }

        @Override
        public void cancel()
        {
            if (!isDone())
            {
                super.cancel();
                read.onFailure();
            }
        }
    }

    /** Receives an HMGET reply's elements as Lettuce parses them, and hands each to the read undecoded. */
    private static final class HmgetReply extends CommandOutput<byte[], byte[], Void>
    {
        private final PendingRead read;
        private int entity;
        private int field;

        HmgetReply(final PendingRead read)
        {
            super(ByteArrayCodec.INSTANCE, null);
            this.read = read;
        }

        void reset(final int entity)
        {
            this.entity = entity;
            field = 0;
            error = null;
        }

        @Override
        public void set(final ByteBuffer bytes)
        {
            read.onField(entity, field++, bytes);
        }
    }
}
