package io.scoring.gateway.grpc;

import io.scoring.gateway.v2.TensorData;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;

/** A V2 input's elements from the typed {@code contents} field matching its datatype. */
final class TypedTensorData implements TensorData
{
    private final String datatype;
    private final InferTensorContents contents;
    private final int size;

    private TypedTensorData(final String datatype, final InferTensorContents contents, final int size)
    {
        this.datatype = datatype;
        this.contents = contents;
        this.size = size;
    }

    /** @throws IllegalArgumentException for a datatype the gateway does not take */
    static TypedTensorData of(final String datatype, final InferTensorContents contents)
    {
        final int size = switch (datatype)
        {
            case "FP32" -> contents.getFp32ContentsCount();
            case "FP64" -> contents.getFp64ContentsCount();
            case "INT8", "INT16", "INT32" -> contents.getIntContentsCount();
            case "INT64" -> contents.getInt64ContentsCount();
            case "BOOL" -> contents.getBoolContentsCount();
            case "BYTES" -> contents.getBytesContentsCount();
            default -> throw new IllegalArgumentException("datatype '" + datatype +
                "' is not supported; use FP32, FP64, INT8, INT16, INT32, INT64, BOOL or BYTES");
        };
        return new TypedTensorData(datatype, contents, size);
    }

    @Override
    public int size()
    {
        return size;
    }

    @Override
    public boolean isText()
    {
        return "BYTES".equals(datatype);
    }

    @Override
    public double number(final int index)
    {
        return switch (datatype)
        {
            case "FP32" -> contents.getFp32Contents(index);
            case "FP64" -> contents.getFp64Contents(index);
            case "INT64" -> contents.getInt64Contents(index);
            case "BOOL" -> contents.getBoolContents(index) ? 1 : 0;
            default -> contents.getIntContents(index);
        };
    }

    @Override
    public String text(final int index)
    {
        return contents.getBytesContents(index).toStringUtf8();
    }
}
