package io.scoring.features;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One block of native memory addressed by {@code long}, so a block may exceed the 2 GiB that a
 * {@code ByteBuffer}, and so an {@code UnsafeBuffer} over one, can span.
 *
 * <p>Threading: one thread allocates, fills and resizes a block; once it is published through a final field
 * it is read-only and any thread may read it. {@link #free} must not race with a read.
 *
 * <p>The memory is not counted against {@code -XX:MaxDirectMemorySize}; its owners report it instead
 * ({@link EmbeddedFeatureStore#offHeapBytes()}), and every block is counted in {@link #heldBytes()}, as Netty counts
 * its direct memory: a block a failed load forgot to free shows there, and nowhere else (the fuzz tests hold it).
 */
final class NativeMemory
{
    private static final boolean NATIVE_LITTLE_ENDIAN = BufferUtil.NATIVE_BYTE_ORDER == ByteOrder.LITTLE_ENDIAN;
    private static final AtomicLong HELD = new AtomicLong();

    private long address;
    private long length;

    NativeMemory(final long length)
    {
        this.address = UnsafeApi.allocateMemory(length);
        this.length = length;
        HELD.addAndGet(length);
    }

    /** Bytes allocated by every block in this process and not yet freed. */
    static long heldBytes()
    {
        return HELD.get();
    }

    long address()
    {
        return address;
    }

    long length()
    {
        return length;
    }

    /** Grows or shrinks the block, keeping its first {@code min(length, newLength)} bytes; the address may change. */
    void resize(final long newLength)
    {
        address = UnsafeApi.reallocateMemory(address, newLength);
        HELD.addAndGet(newLength - length);
        length = newLength;
    }

    void fill(final byte value)
    {
        UnsafeApi.setMemory(address, length, value);
    }

    void copyFrom(final byte[] source, final int sourceLength, final long offset)
    {
        UnsafeApi.copyMemory(source, BufferUtil.ARRAY_BASE_OFFSET, null, address + offset, sourceLength);
    }

    /** Idempotent: a freed block has address 0 and length 0. */
    void free()
    {
        UnsafeApi.freeMemory(address);
        HELD.addAndGet(-length);
        address = 0;
        length = 0;
    }

    static byte getByte(final long address)
    {
        return UnsafeApi.getByte(address);
    }

    /** Native order: for data that never leaves the process. */
    static int getInt(final long address)
    {
        return UnsafeApi.getInt(address);
    }

    /** Native order: for data that never leaves the process. */
    static void putInt(final long address, final int value)
    {
        UnsafeApi.putInt(address, value);
    }

    static int getUnsignedShortLittleEndian(final long address)
    {
        final short value = UnsafeApi.getShort(address);
        return (NATIVE_LITTLE_ENDIAN ? value : Short.reverseBytes(value)) & 0xFFFF;
    }

    static float getFloatLittleEndian(final long address)
    {
        return NATIVE_LITTLE_ENDIAN ?
            UnsafeApi.getFloat(address) : Float.intBitsToFloat(Integer.reverseBytes(UnsafeApi.getInt(address)));
    }
}
