package io.scoring.gateway.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.scoring.gateway.pipeline.CycleUnderFuzz;

import java.nio.charset.StandardCharsets;

/**
 * The own API's JSON decoder ({@link PredictJsonDecoder}, through {@link PredictJsonCodec}) under Jazzer: any
 * body is answered or refused as the caller's fault, and the codec answers a good request as a fresh one does
 * afterwards ({@link CycleUnderFuzz}). Seeds and kept findings: {@code PredictJsonFuzzTestInputs/} in the test
 * resources; {@code scripts/fuzz.sh} runs a long campaign.
 */
class PredictJsonFuzzTest
{
    /** A demo applicant with its request-time features. */
    static final String GOOD = "{\"model\":\"credit-risk\",\"request_id\":\"fuzz\",\"rows\":[{\"entity_key\":\"A0001\"," +
        "\"features\":{\"duration\":24,\"purpose\":\"radio/tv\",\"credit_amount\":2500,\"installment_commitment\":3}}]}";

    private static final CycleUnderFuzz<ByteBuf, ByteBuf> CYCLE = new CycleUnderFuzz<>(PredictJsonCodec::new,
        Unpooled::wrappedBuffer, Unpooled::buffer, PredictJsonFuzzTest::drain, GOOD.getBytes(StandardCharsets.UTF_8));

    @FuzzTest(maxDuration = "5s")
    void anyBodyIsAnsweredOrRefusedAndLeavesTheDecoderAsNew(final byte[] body)
    {
        CYCLE.check(body);
    }

    static byte[] drain(final ByteBuf answer)
    {
        try
        {
            return ByteBufUtil.getBytes(answer);
        }
        finally
        {
            answer.release();
        }
    }
}
