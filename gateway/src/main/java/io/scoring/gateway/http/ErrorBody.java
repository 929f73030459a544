package io.scoring.gateway.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/** The body of every HTTP error: {@code {"error": "..."}}, the Open Inference Protocol's error shape. */
final class ErrorBody
{
    private ErrorBody()
    {
    }

    static ByteBuf of(final ByteBufAllocator alloc, final String message)
    {
        final String json = "{\"error\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}";
        final ByteBuf body = alloc.buffer(json.length() + 16);
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        return body;
    }
}
