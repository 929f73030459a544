package io.scoring.gateway.grpc;

import io.scoring.gateway.DemoModels;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.ModelRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written ModelInfer answer must be byte for byte what the generated classes wrote. */
class ModelInferResponseEncoderTest
{
    private static DemoModels demo;
    private static ModelRegistry models;
    private static PredictPipeline pipeline;

    private final ScoringContext ctx = new ScoringContext();
    private final ModelInferResponseEncoder encoder = new ModelInferResponseEncoder();

    @BeforeAll
    static void loadDemo() throws Exception
    {
        demo = DemoModels.load();
        models = demo.models;
        pipeline = demo.pipeline;
    }

    @AfterAll
    static void close()
    {
        demo.close();
    }

    @Test
    void shouldWriteTheBytesTheGeneratedClassesWroteForEveryAnswerOfRandomRequests()
    {
        final ModelInferRequestDecoder decoder = new ModelInferRequestDecoder(models);
        final Random random = new Random(99L);
        int answered = 0;
        int raw = 0;
        int defaulted = 0;
        for (int i = 0; i < 3_000; i++)
        {
            final byte[] request = RandomInferRequests.request(random).toByteArray();
            if (!decoder.decode(request, 0, request.length, ctx) || pipeline.predict(ctx) != Outcome.OK)
            {
                continue;
            }
            final int length = encoder.encodeToBuffer(ctx);
            assertArrayEquals(GeneratedV2.encode(ctx).toByteArray(), Arrays.copyOf(encoder.buffer(), length),
                () -> GeneratedV2.describe(ctx));
            answered++;
            raw += ctx.tensors().rawAnswer() ? 1 : 0;
            defaulted += ctx.defaultedCount() > 0 ? 1 : 0;
        }
        assertTrue(answered > 400 && raw > 100 && defaulted > 30,
            "answers: " + answered + ", raw: " + raw + ", with defaulted features: " + defaulted);
    }

    @Test
    void shouldAllocateNothingOnceWarm()
    {
        final ModelInferRequestDecoder decoder = new ModelInferRequestDecoder(models);
        final byte[] request = RandomInferRequests.named("nobody", false).toByteArray(); // defaulted features too
        decoder.decode(request, 0, request.length, ctx);
        assertTrue(pipeline.predict(ctx) == Outcome.OK && ctx.defaultedCount() > 0, ctx.errorMessage());
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++)
        {
            encoder.encode(ctx);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            encoder.encode(ctx);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 100,000 encodes");
    }
}
