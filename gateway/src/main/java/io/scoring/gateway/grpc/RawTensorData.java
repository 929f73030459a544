package io.scoring.gateway.grpc;

import com.google.protobuf.ByteString;
import io.scoring.gateway.v2.TensorData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A V2 input's elements from {@code raw_input_contents}: little-endian, row-major, no padding. BYTES
 * elements are each a 4-byte little-endian length followed by that many bytes (the layout Triton's
 * clients write).
 */
final class RawTensorData implements TensorData
{
    private final String datatype;
    private final ByteBuffer bytes;
    private final int elementSize;
    private final List<String> texts;

    private RawTensorData(final String datatype, final ByteBuffer bytes, final int elementSize, final List<String> texts)
    {
        this.datatype = datatype;
        this.bytes = bytes;
        this.elementSize = elementSize;
        this.texts = texts;
    }

    /** @throws IllegalArgumentException for an unsupported datatype or bytes that do not divide into elements */
    static RawTensorData of(final String datatype, final ByteString raw)
    {
        final ByteBuffer bytes = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if ("BYTES".equals(datatype))
        {
            return new RawTensorData(datatype, bytes, 0, splitTexts(bytes));
        }
        final int elementSize = switch (datatype)
        {
            case "FP32", "INT32" -> 4;
            case "FP64", "INT64" -> 8;
            case "INT16" -> 2;
            case "INT8", "BOOL" -> 1;
            default -> throw new IllegalArgumentException("datatype '" + datatype +
                "' is not supported; use FP32, FP64, INT8, INT16, INT32, INT64, BOOL or BYTES");
        };
        if (bytes.remaining() % elementSize != 0)
        {
            throw new IllegalArgumentException("raw contents of " + bytes.remaining() +
                " bytes are not a whole number of " + datatype + " elements");
        }
        return new RawTensorData(datatype, bytes, elementSize, null);
    }

    private static List<String> splitTexts(final ByteBuffer bytes)
    {
        final List<String> texts = new ArrayList<>();
        int at = bytes.position();
        while (at < bytes.limit())
        {
            if (bytes.limit() - at < 4)
            {
                throw new IllegalArgumentException("raw BYTES contents end inside a length prefix");
            }
            final int length = bytes.getInt(at);
            at += 4;
            if (length < 0 || length > bytes.limit() - at)
            {
                throw new IllegalArgumentException("raw BYTES element of length " + length + " overruns the contents");
            }
            final byte[] text = new byte[length];
            bytes.get(at, text);
            texts.add(new String(text, StandardCharsets.UTF_8));
            at += length;
        }
        return texts;
    }

    @Override
    public int size()
    {
        return null != texts ? texts.size() : bytes.remaining() / elementSize;
    }

    @Override
    public boolean isText()
    {
        return null != texts;
    }

    @Override
    public double number(final int index)
    {
        final int at = bytes.position() + index * elementSize;
        return switch (datatype)
        {
            case "FP32" -> bytes.getFloat(at);
            case "FP64" -> bytes.getDouble(at);
            case "INT32" -> bytes.getInt(at);
            case "INT64" -> bytes.getLong(at);
            case "INT16" -> bytes.getShort(at);
            default -> bytes.get(at);
        };
    }

    @Override
    public String text(final int index)
    {
        return texts.get(index);
    }
}
