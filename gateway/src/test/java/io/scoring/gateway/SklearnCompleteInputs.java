package io.scoring.gateway;

import com.google.protobuf.ByteString;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The demo's scikit-learn pipeline's own two graph inputs for some applicants, as one V2 gRPC request: a
 * {@code numeric} FP32 {@code [N, numeric]} tensor and a {@code categorical} BYTES {@code [N, categorical]}
 * tensor of category names, typed ({@code contents}) or raw ({@code raw_input_contents}, each BYTES
 * element after its 4-byte little-endian length).
 */
final class SklearnCompleteInputs
{
    private SklearnCompleteInputs()
    {
    }

    /** The request without a model name or version: the caller sets them. */
    static ModelInferRequest.Builder request(final DemoTestSet demo, final List<DemoTestSet.Applicant> applicants,
        final List<String> numeric, final List<String> categorical, final boolean raw)
    {
        final int rows = applicants.size();
        final ModelInferRequest.Builder request = ModelInferRequest.newBuilder();
        final var numbers = request.addInputsBuilder().setName("numeric").setDatatype("FP32")
            .addShape(rows).addShape(numeric.size());
        final var names = request.addInputsBuilder().setName("categorical").setDatatype("BYTES")
            .addShape(rows).addShape(categorical.size());
        final ByteBuffer rawNumbers = ByteBuffer.allocate(rows * numeric.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer rawNames = ByteBuffer.allocate(rows * categorical.size() * 64).order(ByteOrder.LITTLE_ENDIAN);
        final InferTensorContents.Builder typedNumbers = InferTensorContents.newBuilder();
        final InferTensorContents.Builder typedNames = InferTensorContents.newBuilder();
        for (final DemoTestSet.Applicant applicant : applicants)
        {
            for (final String feature : numeric)
            {
                final float value = ((Double)demo.requestValue(applicant, feature)).floatValue();
                rawNumbers.putFloat(value);
                typedNumbers.addFp32Contents(value);
            }
            for (final String feature : categorical)
            {
                final byte[] name = ((String)demo.requestValue(applicant, feature)).getBytes(StandardCharsets.UTF_8);
                rawNames.putInt(name.length).put(name);
                typedNames.addBytesContents(ByteString.copyFrom(name));
            }
        }
        if (raw)
        {
            request.addRawInputContents(ByteString.copyFrom(rawNumbers.array(), 0, rawNumbers.position()))
                .addRawInputContents(ByteString.copyFrom(rawNames.array(), 0, rawNames.position()));
        }
        else
        {
            numbers.setContents(typedNumbers);
            names.setContents(typedNames);
        }
        return request;
    }
}
