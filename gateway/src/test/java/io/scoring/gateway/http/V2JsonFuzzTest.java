package io.scoring.gateway.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.scoring.gateway.grpc.RandomInferRequests;
import io.scoring.gateway.pipeline.CycleUnderFuzz;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * V2's JSON decoder ({@link V2JsonDecoder}, through {@link V2JsonCodec} on {@code /v2/models/credit-risk/infer})
 * under Jazzer, with the properties of {@link CycleUnderFuzz}. Seeds and kept findings:
 * {@code V2JsonFuzzTestInputs/} in the test resources.
 */
class V2JsonFuzzTest
{
    private static final CycleUnderFuzz<ByteBuf, ByteBuf> CYCLE = new CycleUnderFuzz<>(
        () -> new V2JsonCodec().target(CycleUnderFuzz.demo().model(), null),
        Unpooled::wrappedBuffer, Unpooled::buffer, PredictJsonFuzzTest::drain,
        RandomInferBodies.body(new Random(7), RandomInferRequests.named("A0001", false)).getBytes(StandardCharsets.UTF_8));

    @FuzzTest(maxDuration = "5s")
    void anyBodyIsAnsweredOrRefusedAndLeavesTheDecoderAsNew(final byte[] body)
    {
        CYCLE.check(body);
    }
}
