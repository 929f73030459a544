package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.proto.v1.FeatureStatus;

import java.io.IOException;

/**
 * The own scoring API as JSON ({@code POST /v1/predict}), the same shape as the protobuf messages:
 *
 * <pre>
 * {"model": "credit-risk", "version": "2", "request_id": "r-1",
 *  "rows": [{"entity_key": "A0001", "features": {"duration": 12, "purpose": "radio/tv"}}]}
 *
 * {"request_id": "r-1", "model": "credit-risk", "version": "1", "role": "champion",
 *  "results": [{"scores": [0.12], "feature_status": [{"feature": "age", "reason": "ENTITY_NOT_FOUND"}]}]}
 * </pre>
 *
 * Field names are accepted in snake case and in proto3 JSON's lower camel case; unknown fields are
 * refused, so a misspelt field is an error rather than silently ignored.
 *
 * <p>{@code /v1/predict} itself is served by {@link PredictJsonDecoder} and {@link PredictJsonEncoder},
 * which allocate nothing. This Jackson codec is what they replaced: kept as the reference their tests
 * compare against and the baseline of bench's {@code JsonCodecBenchmark} (through gateway's test-jar).
 * {@link #expect} and {@link #text} serve the Jackson reference of the V2 bodies in the tests.
 */
public final class PredictJson
{
    private PredictJson()
    {
    }

    public static void decode(final JsonParser parser, final ScoringContext ctx) throws IOException, JsonBodyException
    {
        ctx.reset("", "", "");
        expect(parser.nextToken(), JsonToken.START_OBJECT, "the body");
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String field = parser.currentName();
            final JsonToken value = parser.nextToken();
            switch (field)
            {
                case "model" -> ctx.modelName(text(parser, value, "model"));
                case "version" -> ctx.versionPin(text(parser, value, "version"));
                case "request_id", "requestId" -> ctx.requestId(text(parser, value, "request_id"));
                case "rows" -> decodeRows(parser, value, ctx);
                default -> throw new JsonBodyException("unknown field '" + field + "'");
            }
        }
        if (ctx.modelName().length() == 0)
        {
            throw new JsonBodyException("'model' is required");
        }
    }

    private static void decodeRows(final JsonParser parser, final JsonToken start, final ScoringContext ctx)
        throws IOException, JsonBodyException
    {
        expect(start, JsonToken.START_ARRAY, "rows");
        while (parser.nextToken() != JsonToken.END_ARRAY)
        {
            final int row = ctx.addRow("");
            expect(parser.currentToken(), JsonToken.START_OBJECT, "rows[" + row + "]");
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = parser.currentName();
                final JsonToken value = parser.nextToken();
                switch (field)
                {
                    case "entity_key", "entityKey" -> ctx.entityKey(row, text(parser, value, "rows[" + row + "].entity_key"));
                    case "features" -> decodeFeatures(parser, value, ctx, row);
                    default -> throw new JsonBodyException("rows[" + row + "]: unknown field '" + field + "'");
                }
            }
        }
    }

    private static void decodeFeatures(
        final JsonParser parser, final JsonToken start, final ScoringContext ctx, final int row)
        throws IOException, JsonBodyException
    {
        expect(start, JsonToken.START_OBJECT, "rows[" + row + "].features");
        while (parser.nextToken() == JsonToken.FIELD_NAME)
        {
            final String feature = parser.currentName();
            final JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT)
            {
                ctx.addNumber(row, feature, parser.getDoubleValue());
            }
            else if (value == JsonToken.VALUE_STRING)
            {
                ctx.addText(row, feature, parser.getText());
            }
            else
            {
                throw new JsonBodyException("rows[" + row + "].features." + feature + ": must be a number or a string");
            }
        }
    }

    public static void encode(final JsonGenerator json, final ScoringContext ctx) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("request_id", ctx.requestId().toString());
        json.writeStringField("model", ctx.model().name());
        json.writeStringField("version", ctx.version().version());
        json.writeStringField("role", ctx.role().wireName());
        json.writeArrayFieldStart("results");
        final int featureCount = ctx.model().config().featureCount();
        for (int row = 0; row < ctx.rowCount(); row++)
        {
            json.writeStartObject();
            json.writeArrayFieldStart("scores");
            for (int j = 0; j < ctx.outputCount(); j++)
            {
                json.writeNumber(ctx.score(row, j));
            }
            json.writeEndArray();
            json.writeArrayFieldStart("feature_status");
            for (int f = 0; ctx.defaultedCount() > 0 && f < featureCount; f++)
            {
                final byte status = ctx.status(row, f);
                if (status != 0)
                {
                    json.writeStartObject();
                    json.writeStringField("feature", ctx.model().config().features().get(f).name());
                    json.writeStringField("reason", FeatureStatus.Reason.forNumber(status).name());
                    json.writeEndObject();
                }
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    static String text(final JsonParser parser, final JsonToken token, final String field)
        throws IOException, JsonBodyException
    {
        if (token != JsonToken.VALUE_STRING)
        {
            throw new JsonBodyException(field + ": must be a string");
        }
        return parser.getText();
    }

    static void expect(final JsonToken actual, final JsonToken expected, final String what) throws JsonBodyException
    {
        if (actual != expected)
        {
            throw new JsonBodyException(what + ": must be " +
                (expected == JsonToken.START_OBJECT ? "an object" : "an array"));
        }
    }
}
