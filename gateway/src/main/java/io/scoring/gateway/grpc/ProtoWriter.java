package io.scoring.gateway.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What every hand-written protobuf encoder here shares: a reused buffer, the writers of varints,
 * UTF-8 strings and little-endian numbers byte for byte as protobuf writes them, the size of each,
 * and the stream over the buffer that gRPC drains.
 *
 * <p>The stream is handed to gRPC request after request over the same buffer. That reuse is safe
 * because gRPC consumes the stream before {@code ServerCall.sendMessage} returns, on the calling
 * thread: {@code ServerCallImpl.sendMessage} calls {@code method.streamResponse(message)} and hands the
 * stream to {@code stream.writeMessage}, whose {@code MessageFramer.writePayload} reads
 * {@code available()} (KnownLength) and, uncompressed, calls {@code drainTo} on it to copy the bytes
 * into the transport's own buffer; compressed, it copies through the compressor, also right there
 * (grpc-java core/src/main/java/io/grpc/internal/ServerCallImpl.java and MessageFramer.java). The
 * stream is then closed; nothing keeps it.
 *
 * <p>Threading: not thread-safe; each encoder is one per transport thread. Allocation-free once the
 * buffer has grown to the largest answer.
 */
abstract class ProtoWriter
{
    private final EncodedMessage message = new EncodedMessage();
    byte[] buffer = new byte[1024];
    int position;

    /** Makes room for a message of {@code size} bytes and starts writing it. */
    final void start(final int size)
    {
        if (buffer.length < size)
        {
            buffer = new byte[Math.max(size, buffer.length * 2)];
        }
        position = 0;
    }

    /** The message written since {@link #start}, as a stream over the buffer, valid until the next start. */
    final InputStream written()
    {
        return message.wrap(buffer, position);
    }

    /** The buffer written into. */
    final byte[] buffer()
    {
        return buffer;
    }

    final void writeFloat(final float value)
    {
        writeFixed32(Float.floatToRawIntBits(value));
    }

    /** Writes eight bytes, little-endian (a raw INT64 element). */
    final void writeFixed64(final long value)
    {
        for (int shift = 0; shift < 64; shift += 8)
        {
            buffer[position++] = (byte)(value >>> shift);
        }
    }

    /** Writes a varint of 64 bits (an int64 field's value). */
    final void writeVarint64(final long value)
    {
        long v = value;
        while ((v & ~0x7FL) != 0)
        {
            buffer[position++] = (byte)(v & 0x7F | 0x80);
            v >>>= 7;
        }
        buffer[position++] = (byte)v;
    }

    static int varintSize64(final long value)
    {
        return value < 0 ? 10 : (63 - Long.numberOfLeadingZeros(value | 1)) / 7 + 1;
    }

    final void writeStringField(final int tag, final CharSequence value)
    {
        if (value.length() != 0)
        {
            writeString(tag, value);
        }
    }

    /** Writes a string field even when it is empty (a map entry's key, a oneof member). */
    final void writeString(final int tag, final CharSequence value)
    {
        buffer[position++] = (byte)tag;
        writeVarint(utf8Length(value));
        writeUtf8(value);
    }

    /**
     * Writes the characters as UTF-8. A lone surrogate becomes '?', as {@code String.getBytes(UTF_8)}
     * has it, which is protobuf's own fallback for such strings.
     */
    final void writeUtf8(final CharSequence value)
    {
        final byte[] out = buffer;
        int p = position;
        for (int i = 0, length = value.length(); i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                out[p++] = (byte)c;
            }
            else if (c < 0x800)
            {
                out[p++] = (byte)(0xC0 | c >>> 6);
                out[p++] = (byte)(0x80 | c & 0x3F);
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                final int codePoint = Character.toCodePoint(c, value.charAt(++i));
                out[p++] = (byte)(0xF0 | codePoint >>> 18);
                out[p++] = (byte)(0x80 | codePoint >>> 12 & 0x3F);
                out[p++] = (byte)(0x80 | codePoint >>> 6 & 0x3F);
                out[p++] = (byte)(0x80 | codePoint & 0x3F);
            }
            else if (Character.isSurrogate(c))
            {
                out[p++] = '?';
            }
            else
            {
                out[p++] = (byte)(0xE0 | c >>> 12);
                out[p++] = (byte)(0x80 | c >>> 6 & 0x3F);
                out[p++] = (byte)(0x80 | c & 0x3F);
            }
        }
        position = p;
    }

    /** Writes a bytes field even when it is empty (an element of a repeated bytes, a map entry's value). */
    final void writeBytes(final int tag, final byte[] value)
    {
        buffer[position++] = (byte)tag;
        writeVarint(value.length);
        writeRaw(value);
    }

    /** Writes the bytes as they are. */
    final void writeRaw(final byte[] value)
    {
        System.arraycopy(value, 0, buffer, position, value.length);
        position += value.length;
    }

    /** Writes four bytes, little-endian (the length before a raw BYTES element). */
    final void writeFixed32(final int value)
    {
        buffer[position++] = (byte)value;
        buffer[position++] = (byte)(value >>> 8);
        buffer[position++] = (byte)(value >>> 16);
        buffer[position++] = (byte)(value >>> 24);
    }

    /** The size of a bytes field written by {@link #writeBytes}. */
    static int bytesSize(final byte[] value)
    {
        return 1 + varintSize(value.length) + value.length;
    }

    final void writeVarint(final int value)
    {
        long v = value; // a negative int is written sign-extended, in 10 bytes, as protobuf does
        while ((v & ~0x7FL) != 0)
        {
            buffer[position++] = (byte)(v & 0x7F | 0x80);
            v >>>= 7;
        }
        buffer[position++] = (byte)v;
    }

    static int stringFieldSize(final CharSequence value)
    {
        return value.length() == 0 ? 0 : stringSize(value);
    }

    /** The size of a string field written by {@link #writeString}, empty or not. */
    static int stringSize(final CharSequence value)
    {
        final int length = utf8Length(value);
        return 1 + varintSize(length) + length;
    }

    static int utf8Length(final CharSequence value)
    {
        int bytes = 0;
        for (int i = 0, length = value.length(); i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                bytes += 1;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                bytes += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                bytes += 1;
            }
            else
            {
                bytes += 3;
            }
        }
        return bytes;
    }

    static int varintSize(final int value)
    {
        if (value < 0)
        {
            return 10;
        }
        return (31 - Integer.numberOfLeadingZeros(value | 1)) / 7 + 1;
    }

    /** The encoded answer as gRPC's framer wants it: its length known, drained in one write. */
    static final class EncodedMessage extends InputStream implements Drainable, KnownLength
    {
        private byte[] bytes;
        private int position;
        private int limit;

        EncodedMessage wrap(final byte[] bytes, final int length)
        {
            this.bytes = bytes;
            position = 0;
            limit = length;
            return this;
        }

        @Override
        public int drainTo(final OutputStream target) throws IOException
        {
            final int count = limit - position;
            target.write(bytes, position, count);
            position = limit;
            return count;
        }

        @Override
        public int available()
        {
            return limit - position;
        }

        @Override
        public int read()
        {
            return position < limit ? bytes[position++] & 0xFF : -1;
        }

        @Override
        public int read(final byte[] target, final int offset, final int length)
        {
            if (length == 0)
            {
                return 0;
            }
            if (position == limit)
            {
                return -1;
            }
            final int count = Math.min(length, limit - position);
            System.arraycopy(bytes, position, target, offset, count);
            position += count;
            return count;
        }

        @Override
        public long skip(final long count)
        {
            final int skipped = (int)Math.max(0, Math.min(count, limit - position));
            position += skipped;
            return skipped;
        }
    }
}
