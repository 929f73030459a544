package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.scoring.gateway.DemoModels;
import io.scoring.gateway.grpc.RandomInferRequests;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written V2 JSON answer must say what Jackson's did, scores compared as the floats they are. */
class V2JsonEncoderTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static DemoModels demo;
    private static ModelRegistry models;
    private static PredictPipeline pipeline;
    private static Model model;

    private final ScoringContext ctx = new ScoringContext();
    private final V2JsonDecoder decoder = new V2JsonDecoder();
    private final V2JsonEncoder encoder = new V2JsonEncoder();

    @BeforeAll
    static void loadDemo() throws Exception
    {
        demo = DemoModels.load();
        models = demo.models;
        pipeline = demo.pipeline;
        model = demo.model();
    }

    @AfterAll
    static void close()
    {
        demo.close();
    }

    @Test
    void shouldWriteTheAnswerJacksonWroteForEveryAnswerOfRandomBodies() throws Exception
    {
        final Random random = new Random(17L);
        int answered = 0;
        int defaulted = 0;
        for (int i = 0; i < 2_000; i++)
        {
            if (!score(RandomInferBodies.body(random)))
            {
                continue;
            }
            final ByteArrayOutputStream expected = new ByteArrayOutputStream();
            try (JsonGenerator json = MAPPER.getFactory().createGenerator(expected))
            {
                V2Json.encodeInfer(json, ctx);
            }
            final ByteBuf out = Unpooled.buffer();
            encoder.encode(ctx, out);
            assertEquals(scoresAsFloats(MAPPER.readTree(expected.toByteArray())),
                scoresAsFloats(MAPPER.readTree(out.toString(StandardCharsets.UTF_8))));
            answered++;
            defaulted += ctx.defaultedCount() > 0 ? 1 : 0;
        }
        assertTrue(answered > 300 && defaulted > 20, "answers: " + answered + ", with defaulted features: " + defaulted);
    }

    @Test
    void shouldAllocateNothingOnceWarm() throws Exception
    {
        assertTrue(score(RandomInferBodies.body(new Random(1), RandomInferRequests.named("nobody", false))));
        assertTrue(ctx.defaultedCount() > 0);
        final ByteBuf out = Unpooled.buffer(1024);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++)
        {
            encoder.encode(ctx, out.clear());
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            encoder.encode(ctx, out.clear());
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 100,000 encodes");
    }

    private boolean score(final String body)
    {
        ctx.reset(model.name(), "", "");
        ctx.model(model);
        try
        {
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            decoder.decode(bytes, 0, bytes.length, ctx);
        }
        catch (final JsonBodyException ex)
        {
            return false;
        }
        return pipeline.predict(ctx) == Outcome.OK;
    }

    /** Scores compared as the floats they are: the texts differ (shortest digits against nine). */
    private static JsonNode scoresAsFloats(final JsonNode answer)
    {
        for (final JsonNode output : answer.get("outputs"))
        {
            final ArrayNode data = (ArrayNode)output.get("data");
            for (int i = 0; i < data.size(); i++)
            {
                data.set(i, FloatNode.valueOf(Float.parseFloat(data.get(i).decimalValue().toString())));
            }
        }
        return answer;
    }
}
