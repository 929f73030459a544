package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.DemoBundle;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictJsonEncoderTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static FeatureStore store;
    private static ModelRegistry models;
    private static PredictPipeline pipeline;

    private final ScoringContext ctx = new ScoringContext();

    @BeforeAll
    static void loadDemo() throws Exception
    {
        try (InputStream in = DemoBundle.features())
        {
            store = EmbeddedFeatureStore.load(in);
        }
        models = new ModelRepository(DemoBundle.models(), store, new ModelRepository.Context().maxRows(64)).loadAll();
        pipeline = new PredictPipeline(models, 64, null);
    }

    @AfterAll
    static void close()
    {
        models.close();
        store.close();
    }

    @Test
    void shouldWriteTheAnswerJacksonWroteForAKnownApplicant() throws Exception
    {
        score("", "r-1", "A0001");
        assertSameAnswer();
    }

    @Test
    void shouldListTheDefaultedFeaturesOfAnUnknownApplicantAsJacksonDid() throws Exception
    {
        score("2", "", "nobody", "A0002", "A0003");
        assertTrue(ctx.defaultedCount() > 0);
        assertSameAnswer();
        final JsonNode answer = MAPPER.readTree(encoded());
        assertEquals("ENTITY_NOT_FOUND", answer.get("results").get(0).get("feature_status").get(0).get("reason").asText());
        assertEquals(0, answer.get("results").get(1).get("feature_status").size());
    }

    @Test
    void shouldEscapeARequestIdWithQuotesControlCharactersAndAnyUnicode() throws Exception
    {
        score("1", "r-\"\\/\n\t\u0001\u001f\u007f\u00e9\u20ac\ud83d\ude00\ud800x", "A0004");
        assertSameAnswerIgnoringLoneSurrogates();
        assertEquals("r-\"\\/\n\t\u0001\u001f\u007f\u00e9\u20ac\ud83d\ude00\ud800x",
            MAPPER.readTree(encoded()).get("request_id").asText());
    }

    @Test
    void shouldAllocateNothingOnceWarm()
    {
        score("", "r-1", "nobody");
        final ByteBuf out = Unpooled.buffer(1024);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++)
        {
            PredictJsonEncoder.encode(ctx, out.clear());
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            PredictJsonEncoder.encode(ctx, out.clear());
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 100,000 encodes");
    }

    private void score(final String version, final String requestId, final String... applicants)
    {
        ctx.reset("credit-risk", version, requestId);
        for (final String applicant : applicants)
        {
            final int row = ctx.addRow(applicant);
            ctx.addNumber(row, "duration", 24);
            ctx.addText(row, "purpose", "radio/tv");
            ctx.addNumber(row, "credit_amount", 2500);
            ctx.addNumber(row, "installment_commitment", 3);
        }
        assertEquals(Outcome.OK, pipeline.predict(ctx), ctx.errorMessage());
    }

    private String encoded()
    {
        final ByteBuf out = Unpooled.buffer();
        PredictJsonEncoder.encode(ctx, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private String jacksonEncoded() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(out))
        {
            PredictJson.encode(json, ctx);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private void assertSameAnswer() throws Exception
    {
        assertEquals(scoresAsFloats(MAPPER.readTree(jacksonEncoded())), scoresAsFloats(MAPPER.readTree(encoded())));
    }

    /** Jackson refuses to write a lone surrogate; the encoder writes it as an escape. The rest must agree. */
    private void assertSameAnswerIgnoringLoneSurrogates() throws Exception
    {
        final String requestId = ctx.requestId().toString();
        final JsonNode answer = scoresAsFloats(MAPPER.readTree(encoded()));
        ctx.requestId(requestId.replace("\ud800", ""));
        final JsonNode expected = scoresAsFloats(MAPPER.readTree(jacksonEncoded()));
        ctx.requestId(requestId);
        ((com.fasterxml.jackson.databind.node.ObjectNode)answer).put("request_id", requestId.replace("\ud800", ""));
        assertEquals(expected, answer);
    }

    /** Scores compared as the floats they are: the texts differ (shortest digits against nine). */
    private static JsonNode scoresAsFloats(final JsonNode answer)
    {
        for (final JsonNode result : answer.get("results"))
        {
            final ArrayNode scores = (ArrayNode)result.get("scores");
            for (int i = 0; i < scores.size(); i++)
            {
                scores.set(i, FloatNode.valueOf(Float.parseFloat(scores.get(i).decimalValue().toString())));
            }
        }
        return answer;
    }
}
