package io.scoring.gateway.grpc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.scoring.gateway.pipeline.CycleUnderFuzz;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * V2's protobuf decoder ({@link ModelInferRequestDecoder}, through {@link V2GrpcCodec}) under Jazzer, typed
 * and raw contents alike (the seeds hold both, named inputs and the complete tensor), with the properties of
 * {@link CycleUnderFuzz}. Seeds and kept findings: {@code ModelInferProtoFuzzTestInputs/} in the test resources.
 */
class ModelInferProtoFuzzTest
{
    private static final CycleUnderFuzz<InputStream, InputStream> CYCLE = new CycleUnderFuzz<>(
        () -> new V2GrpcCodec(CycleUnderFuzz.demo().models), ByteArrayInputStream::new, null, PredictProtoFuzzTest::drain,
        RandomInferRequests.named("A0001", true).toByteArray());

    @FuzzTest(maxDuration = "5s")
    void anyMessageIsAnsweredOrRefusedAndLeavesTheDecoderAsNew(final byte[] message)
    {
        CYCLE.check(message);
    }
}
