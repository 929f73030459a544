package io.scoring.router.runtime.nativeeval;

import io.scoring.proto.onnx.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A constant tensor's shape and values, float or integer (int32 and int64 widened to long). Load time
 * only; other element types and external data are not supported.
 */
final class Tensor
{
    private final long[] dims;
    private final float[] floats;
    private final long[] longs;

    private Tensor(final long[] dims, final float[] floats, final long[] longs)
    {
        this.dims = dims;
        this.floats = floats;
        this.longs = longs;
    }

    static Tensor of(final TensorProto proto) throws UnsupportedGraphException
    {
        if (proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL || proto.getExternalDataCount() > 0)
        {
            throw new UnsupportedGraphException("tensor '" + proto.getName() + "' has external data");
        }
        if (proto.hasSegment())
        {
            throw new UnsupportedGraphException("tensor '" + proto.getName() + "' is segmented");
        }
        final long[] dims = proto.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (final long dim : dims)
        {
            count = Math.multiplyExact(count, dim);
        }
        final ByteBuffer raw = proto.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        final boolean hasRaw = !proto.getRawData().isEmpty();
        final Tensor tensor;
        switch (proto.getDataType())
        {
            case TensorProto.DataType.FLOAT_VALUE ->
            {
                final float[] values = new float[hasRaw ? raw.remaining() / Float.BYTES : proto.getFloatDataCount()];
                for (int i = 0; i < values.length; i++)
                {
                    values[i] = hasRaw ? raw.getFloat(i * Float.BYTES) : proto.getFloatData(i);
                }
                tensor = new Tensor(dims, values, null);
            }
            case TensorProto.DataType.INT64_VALUE ->
            {
                final long[] values = new long[hasRaw ? raw.remaining() / Long.BYTES : proto.getInt64DataCount()];
                for (int i = 0; i < values.length; i++)
                {
                    values[i] = hasRaw ? raw.getLong(i * Long.BYTES) : proto.getInt64Data(i);
                }
                tensor = new Tensor(dims, null, values);
            }
            case TensorProto.DataType.INT32_VALUE ->
            {
                final long[] values = new long[hasRaw ? raw.remaining() / Integer.BYTES : proto.getInt32DataCount()];
                for (int i = 0; i < values.length; i++)
                {
                    values[i] = hasRaw ? raw.getInt(i * Integer.BYTES) : proto.getInt32Data(i);
                }
                tensor = new Tensor(dims, null, values);
            }
            default -> throw new UnsupportedGraphException(
                "tensor '" + proto.getName() + "' has element type " + proto.getDataType());
        }
        if (tensor.size() != count)
        {
            throw new UnsupportedGraphException("tensor '" + proto.getName() + "' has " + tensor.size() +
                " values for shape " + Arrays.toString(dims));
        }
        return tensor;
    }

    long[] dims()
    {
        return dims;
    }

    int size()
    {
        return null != floats ? floats.length : longs.length;
    }

    boolean isFloat()
    {
        return null != floats;
    }

    float[] floats() throws UnsupportedGraphException
    {
        if (null == floats)
        {
            throw new UnsupportedGraphException("a float tensor was expected, not an integer one");
        }
        return floats.clone();
    }

    long[] longs() throws UnsupportedGraphException
    {
        if (null == longs)
        {
            throw new UnsupportedGraphException("an integer tensor was expected, not a float one");
        }
        return longs.clone();
    }
}
