package io.scoring.gateway.grpc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.scoring.gateway.pipeline.CycleUnderFuzz;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.Row;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The own API's protobuf decoder ({@link PredictRequestDecoder}, through {@link PredictGrpcCodec}) under
 * Jazzer, with the properties of {@link CycleUnderFuzz}. Seeds and kept findings:
 * {@code PredictProtoFuzzTestInputs/} in the test resources.
 */
class PredictProtoFuzzTest
{
    static final byte[] GOOD = PredictRequest.newBuilder().setModel("credit-risk").setRequestId("fuzz")
        .addRows(Row.newBuilder().setEntityKey("A0001")
            .putFeatures("duration", FeatureValue.newBuilder().setNumberValue(24).build())
            .putFeatures("purpose", FeatureValue.newBuilder().setStringValue("radio/tv").build())
            .putFeatures("credit_amount", FeatureValue.newBuilder().setNumberValue(2500).build())
            .putFeatures("installment_commitment", FeatureValue.newBuilder().setNumberValue(3).build()))
        .build().toByteArray();

    private static final CycleUnderFuzz<InputStream, InputStream> CYCLE = new CycleUnderFuzz<>(PredictGrpcCodec::new,
        ByteArrayInputStream::new, null, PredictProtoFuzzTest::drain, GOOD);

    @FuzzTest(maxDuration = "5s")
    void anyMessageIsAnsweredOrRefusedAndLeavesTheDecoderAsNew(final byte[] message)
    {
        CYCLE.check(message);
    }

    static byte[] drain(final InputStream answer)
    {
        try
        {
            return answer.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
