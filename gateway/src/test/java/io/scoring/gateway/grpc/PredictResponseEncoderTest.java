package io.scoring.gateway.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.DemoBundle;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.proto.v1.FeatureStatus;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.proto.v1.Row;
import io.scoring.proto.v1.RowResult;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
import io.scoring.router.model.FeatureSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client must read the same answer as when the gateway built it with the generated classes: every
 * score, every defaulted feature with its reason, the version and role, the echoed request id.
 */
class PredictResponseEncoderTest
{
    private static final String[] IDS = {"", "req-1", "é-日本-😀", "\uD83D\uDE80".repeat(40), "x".repeat(300)};

    private static FeatureStore store;
    private static ModelRegistry models;
    private static PredictPipeline pipeline;

    private final PredictRequestDecoder decoder = new PredictRequestDecoder();
    private final PredictResponseEncoder encoder = new PredictResponseEncoder();

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
    void shouldWriteTheAnswerTheGeneratedClassesWroteForScoredRequests() throws Exception
    {
        final Random random = new Random(11L);
        int scored = 0;
        int withDefaults = 0;
        for (int i = 0; i < 1_000; i++)
        {
            final byte[] request = randomRequest(random).toByteArray();
            final ScoringContext ctx = ScoringContext.ofThread();
            assertTrue(decoder.decode(request, 0, request.length, ctx), decoder::error);
            if (pipeline.predict(ctx) != Outcome.OK)
            {
                continue;
            }
            scored++;
            withDefaults += ctx.defaultedCount() > 0 ? 1 : 0;

            final PredictResponse expected = encodeTheOldWay(ctx);
            final byte[] actual = drain(encoder.encode(ctx));
            assertEquals(expected, PredictResponse.parseFrom(actual), "request #" + i);
            assertArrayEquals(expected.toByteArray(), actual, "request #" + i);
        }
        assertTrue(scored > 500, "most random requests score: " + scored);
        assertTrue(withDefaults > 100, "many take defaults: " + withDefaults);
    }

    @Test
    void shouldHandGrpcAStreamItCanSizeAndDrainAndReadAgainForTheNextAnswer() throws Exception
    {
        final ScoringContext ctx = ScoringContext.ofThread();
        final byte[] request = randomRequest(new Random(1L)).toBuilder().setRequestId("first").build().toByteArray();
        assertTrue(decoder.decode(request, 0, request.length, ctx));
        assertEquals(Outcome.OK, pipeline.predict(ctx), ctx::errorMessage);

        final InputStream first = encoder.encode(ctx);
        assertInstanceOf(Drainable.class, first);
        assertInstanceOf(KnownLength.class, first);
        final int length = first.available();
        final byte[] drained = drain(first);
        assertEquals(length, drained.length);
        assertEquals(0, first.available());
        assertEquals(-1, first.read());

        final InputStream second = encoder.encode(ctx);
        assertArrayEquals(drained, second.readAllBytes());
        assertEquals("first", PredictResponse.parseFrom(drained).getRequestId());
    }

    private static byte[] drain(final InputStream stream) throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int count = ((Drainable)stream).drainTo(out);
        assertEquals(out.size(), count);
        return out.toByteArray();
    }

    private static PredictRequest randomRequest(final Random random)
    {
        final String[] versions = {"", "", "1", "2"};
        final PredictRequest.Builder request = PredictRequest.newBuilder().setModel("credit-risk")
            .setVersion(versions[random.nextInt(versions.length)]).setRequestId(IDS[random.nextInt(IDS.length)]);
        final int rows = 1 + random.nextInt(8);
        for (int r = 0; r < rows; r++)
        {
            final Row.Builder row = request.addRowsBuilder().setEntityKey(random.nextInt(6) == 0
                ? "nobody-" + random.nextInt(100) : String.format("A%04d", 1 + random.nextInt(1000)));
            for (final FeatureSpec feature : models.model("credit-risk").config().features())
            {
                if (feature.source() != FeatureSpec.Source.REQUEST || feature.hasDefault() && random.nextInt(3) == 0)
                {
                    continue;
                }
                row.putFeatures(feature.name(), feature.isCategorical()
                    ? FeatureValue.newBuilder().setStringValue(
                        feature.categories().get(random.nextInt(feature.categories().size()))).build()
                    : FeatureValue.newBuilder().setNumberValue(random.nextInt(5_000)).build());
            }
        }
        return request.build();
    }

    /** ScoringGrpcService's encode, as it was. */
    private static PredictResponse encodeTheOldWay(final ScoringContext ctx)
    {
        final PredictResponse.Builder response = PredictResponse.newBuilder()
            .setRequestId(ctx.requestId().toString())
            .setModel(ctx.model().name())
            .setVersion(ctx.version().version())
            .setRole(ctx.role().wireName());
        final int featureCount = ctx.model().config().featureCount();
        for (int row = 0; row < ctx.rowCount(); row++)
        {
            final RowResult.Builder result = response.addResultsBuilder();
            for (int j = 0; j < ctx.outputCount(); j++)
            {
                result.addScores(ctx.score(row, j));
            }
            if (ctx.defaultedCount() > 0)
            {
                for (int f = 0; f < featureCount; f++)
                {
                    final byte status = ctx.status(row, f);
                    if (status != 0)
                    {
                        result.addFeatureStatusBuilder()
                            .setFeature(ctx.model().config().features().get(f).name())
                            .setReason(FeatureStatus.Reason.forNumber(status));
                    }
                }
            }
        }
        return response.build();
    }
}
