package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;

import java.io.IOException;
import java.io.InputStream;

/**
 * The body of {@code POST /v1/feedback}: {@code {"request_id": "...", "label": 0 or 1}} (also
 * {@code requestId}). Read with Jackson's streaming parser: feedback is rare and off the scoring path.
 * Unknown fields are refused, so a misspelt field is an error rather than silently ignored.
 */
final class FeedbackBody
{
    final String requestId;
    final int label;

    private FeedbackBody(final String requestId, final int label)
    {
        this.requestId = requestId;
        this.label = label;
    }

    /**
     * @throws JsonBodyException naming the field when the body is valid JSON of another shape
     * @throws IOException when it is not JSON ({@link com.fasterxml.jackson.core.exc.StreamReadException})
     */
    static FeedbackBody read(final ByteBuf content) throws IOException, JsonBodyException
    {
        String requestId = null;
        int label = -1;
        try (JsonParser parser = HttpRequestHandler.JSON.createParser((InputStream)new ByteBufInputStream(content)))
        {
            if (parser.nextToken() != JsonToken.START_OBJECT)
            {
                throw new JsonBodyException("the body: must be an object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = parser.currentName();
                final JsonToken value = parser.nextToken();
                switch (field)
                {
                    case "request_id", "requestId" ->
                    {
                        if (value != JsonToken.VALUE_STRING)
                        {
                            throw new JsonBodyException("request_id: must be a string");
                        }
                        requestId = parser.getText();
                    }
                    case "label" ->
                    {
                        if (value != JsonToken.VALUE_NUMBER_INT)
                        {
                            throw new JsonBodyException("label: must be 0 or 1");
                        }
                        label = parser.getIntValue();
                    }
                    default -> throw new JsonBodyException("unknown field '" + field + "'");
                }
            }
        }
        return new FeedbackBody(requestId, label);
    }
}
