package io.scoring.gateway.v2;

/**
 * The flattened, row-major elements of one V2 input tensor, whatever form they arrived in (typed
 * protobuf contents, raw bytes, a JSON array). Numbers and text are read through one interface so
 * the binding rules live in {@link V2Binder} once for both transports.
 */
public interface TensorData
{
    int size();

    /** True when the elements are text (datatype BYTES); false for numbers. */
    boolean isText();

    double number(int index);

    String text(int index);
}
