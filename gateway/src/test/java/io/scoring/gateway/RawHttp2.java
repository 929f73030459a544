package io.scoring.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Settings;

import java.io.ByteArrayOutputStream;

/**
 * HTTP/2 frames as bytes, for a test client that writes to a plain socket and never reads from it: Netty's own
 * frame writer (and its HPACK encoder, whose table state carries from one call to the next) into an embedded
 * channel, whose output is the bytes to send.
 */
final class RawHttp2
{
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = channel.pipeline().firstContext();

    /** The client's connection preface and its (default) SETTINGS. */
    byte[] preface()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        out.writeBytes(bytes(preface));
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        out.writeBytes(drain());
        return out.toByteArray();
    }

    /** HEADERS and one DATA frame, with END_STREAM: a whole unary gRPC call on stream {@code streamId}. */
    byte[] unaryCall(final int streamId, final String path, final byte[] message)
    {
        final DefaultHttp2Headers headers = new DefaultHttp2Headers();
        headers.method("POST").scheme("http").path(path).authority("127.0.0.1");
        headers.add("content-type", "application/grpc").add("te", "trailers");
        writer.writeHeaders(ctx, streamId, headers, 0, false, ctx.newPromise());
        final ByteBuf framed = Unpooled.buffer(5 + message.length).writeByte(0).writeInt(message.length).writeBytes(message);
        writer.writeData(ctx, streamId, framed, 0, true, ctx.newPromise());
        return drain();
    }

    private byte[] drain()
    {
        channel.flushOutbound();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf frame = channel.readOutbound(); null != frame; frame = channel.readOutbound())
        {
            out.writeBytes(bytes(frame));
        }
        return out.toByteArray();
    }

    private static byte[] bytes(final ByteBuf buffer)
    {
        final byte[] bytes = new byte[buffer.readableBytes()];
        buffer.readBytes(bytes);
        buffer.release();
        return bytes;
    }
}
