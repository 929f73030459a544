package io.scoring.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The own API over HTTP/1.1 ({@code POST /v1/predict}, JSON) on a fixed pool of keep-alive
 * connections, one request at a time on each (no pipelining, as HTTP clients do).
 *
 * <p>A request waits for a free connection in a FIFO queue, and that wait is part of its latency
 * from the intended send time. Requests are whole HTTP messages (request line, headers, body)
 * encoded before the run; sending one writes a duplicate of its buffer, so nothing is encoded per
 * request. Answers are parsed by Netty's decoder (status and body, which a client must read).
 *
 * <p>Threading: the connections are split across the client event loops, each loop owning its share
 * with its own idle list and queue (confined to that loop, no locks); request {@code i} goes to loop
 * {@code i % loops}. A connection the server closes fails its request (CONNECTION_CLOSED) and is
 * replaced. A request with no answer after the timeout fails (TIMEOUT) and its connection is
 * replaced. The queue holds at most what the driver has in flight, which it bounds.
 *
 * <p>With {@code --entity-key-header}, each request also carries its entity key in that header (for a
 * proxy that splits traffic by key; the gateway ignores it).
 */
final class HttpTarget implements Target
{
    /** How often each loop looks for requests past their timeout. */
    private static final long TIMEOUT_CHECK_MILLIS = 10;
    /** Before connecting again after a failed attempt. */
    private static final long RECONNECT_DELAY_MILLIS = 100;

    private final EventLoopGroup group;
    private final Pool[] pools;
    private final ByteBuf[] requests;
    private final long timeoutNanos;
    /** Null: plaintext (no --tls-ca). */
    private final SslContext tls;
    private final String host;
    private final int port;
    private volatile boolean closing;

    HttpTarget(final LoadOptions options, final String path, final byte[][] bodies, final String[] keys)
        throws IOException
    {
        this.timeoutNanos = options.timeoutNanos;
        this.host = options.host;
        this.port = options.port;
        requests = new ByteBuf[bodies.length];
        for (int i = 0; i < bodies.length; i++)
        {
            final byte[] head = ("POST " + path + " HTTP/1.1\r\n" +
                "Host: " + options.target() + "\r\n" +
                "Content-Type: application/json\r\n" +
                (null == options.entityKeyHeader ? "" : options.entityKeyHeader + ": " + keys[i] + "\r\n") +
                "Content-Length: " + bodies[i].length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            requests[i] = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(head.length + bodies[i].length).writeBytes(head).writeBytes(bodies[i]));
        }

        tls = null == options.tlsCa ? null : SslContextBuilder.forClient().trustManager(options.tlsCa.toFile()).build();
        final boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(options.clientThreads, new DefaultThreadFactory("loadgen-http", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        final Bootstrap bootstrap = new Bootstrap()
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .remoteAddress(options.host, options.port);
        pools = new Pool[Math.min(options.clientThreads, options.connections)];
        final List<ChannelFuture> connecting = new ArrayList<>();
        for (int p = 0; p < pools.length; p++)
        {
            pools[p] = new Pool(group.next(), bootstrap);
        }
        for (int c = 0; c < options.connections; c++)
        {
            connecting.add(pools[c % pools.length].connect());
        }
        for (final ChannelFuture future : connecting)
        {
            if (!future.awaitUninterruptibly().isSuccess())
            {
                close();
                throw new IOException("cannot connect to " + options.target() + " over HTTP: " + future.cause());
            }
        }
        for (final Pool pool : pools)
        {
            pool.loop.scheduleAtFixedRate(pool::expireTimedOut, TIMEOUT_CHECK_MILLIS, TIMEOUT_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void send(final int index, final long intendedNanos, final Completion completion)
    {
        final int i = Math.floorMod(index, requests.length);
        final Pool pool = pools[i % pools.length];
        final Exchange exchange = new Exchange(requests[i], intendedNanos, completion);
        pool.loop.execute(() -> pool.dispatch(exchange));
    }

    @Override
    public void send(final int[] indices, final long[] intendedNanos, final int count, final Completion completion)
    {
        for (int p = 0; p < pools.length; p++)
        {
            final Pool pool = pools[p];
            final int poolIndex = p;
            pool.loop.execute(() ->
            {
                for (int k = 0; k < count; k++)
                {
                    final int i = Math.floorMod(indices[k], requests.length);
                    if (i % pools.length == poolIndex)
                    {
                        pool.dispatch(new Exchange(requests[i], intendedNanos[k], completion));
                    }
                }
            });
        }
    }

    @Override
    public int requestCount()
    {
        return requests.length;
    }

    @Override
    public int requestBytes()
    {
        return requests[0].readableBytes();
    }

    @Override
    public void close()
    {
        closing = true;
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        for (final ByteBuf request : requests)
        {
            request.unwrap().release();   // the direct buffer under the unreleasable view every send shares
        }
    }

    /** One request on its way: what to send, when it was meant to go and who to tell. */
    private static final class Exchange
    {
        final ByteBuf request;
        final long intendedNanos;
        final Completion completion;
        long sentNanos;

        Exchange(final ByteBuf request, final long intendedNanos, final Completion completion)
        {
            this.request = request;
            this.intendedNanos = intendedNanos;
            this.completion = completion;
        }

        void complete(final String error, final int responseBytes)
        {
            completion.completed(intendedNanos, 0 == sentNanos ? intendedNanos : sentNanos, error, responseBytes);
        }
    }

    /** One event loop's connections and the requests waiting for one; used only on that loop. */
    private final class Pool
    {
        final EventLoop loop;
        private final Bootstrap bootstrap;
        private final List<Connection> connections = new ArrayList<>();
        private final ArrayDeque<Connection> idle = new ArrayDeque<>();
        private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();

        Pool(final EventLoop loop, final Bootstrap bootstrap)
        {
            this.loop = loop;
            this.bootstrap = bootstrap.clone(loop).handler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    if (null != tls) // the handshake runs first; the request written meanwhile waits for it
                    {
                        // with the host, so the certificate is checked against it (Netty 4.2 verifies by default)
                        channel.pipeline().addLast(tls.newHandler(channel.alloc(), host, port));
                    }
                    channel.pipeline()
                        .addLast(new HttpResponseDecoder())
                        .addLast(new HttpObjectAggregator(64 << 20))
                        .addLast(new Connection(Pool.this));
                }
            });
        }

        ChannelFuture connect()
        {
            return bootstrap.connect().addListener((ChannelFuture future) ->
            {
                if (!future.isSuccess() && !closing)
                {
                    loop.schedule(this::connect, RECONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
                }
            });
        }

        void dispatch(final Exchange exchange)
        {
            final Connection connection = idle.pollFirst();
            if (null != connection)
            {
                connection.write(exchange);
            }
            else
            {
                waiting.addLast(exchange);
            }
        }

        void opened(final Connection connection)
        {
            connections.add(connection);
            released(connection);
        }

        void released(final Connection connection)
        {
            final Exchange next = waiting.pollFirst();
            if (null != next)
            {
                connection.write(next);
            }
            else
            {
                idle.addLast(connection);
            }
        }

        void lost(final Connection connection)
        {
            connections.remove(connection);
            idle.remove(connection);
            if (!closing)
            {
                connect();
            }
        }

        void expireTimedOut()
        {
            final long now = System.nanoTime();
            for (int i = connections.size() - 1; i >= 0; i--)
            {
                connections.get(i).expireIfOlderThan(now - timeoutNanos);
            }
            Exchange head;
            while (null != (head = waiting.peekFirst()) && now - head.intendedNanos > timeoutNanos)
            {
                waiting.pollFirst().complete("TIMEOUT", 0);
            }
        }
    }

    /** One keep-alive connection with at most one request on it. */
    private static final class Connection extends SimpleChannelInboundHandler<FullHttpResponse>
    {
        private final Pool pool;
        private Channel channel;
        private Exchange current;

        Connection(final Pool pool)
        {
            this.pool = pool;
        }

        void write(final Exchange exchange)
        {
            current = exchange;
            exchange.sentNanos = System.nanoTime();
            channel.writeAndFlush(exchange.request.duplicate(), channel.voidPromise());
        }

        void expireIfOlderThan(final long sentBeforeNanos)
        {
            if (null != current && current.sentNanos < sentBeforeNanos)
            {
                final Exchange expired = current;
                current = null;
                expired.complete("TIMEOUT", 0);
                channel.close();
            }
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            channel = ctx.channel();
            pool.opened(this);
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpResponse response)
        {
            final Exchange answered = current;
            current = null;
            if (null != answered)
            {
                final int status = response.status().code();
                answered.complete(status / 100 == 2 ? null : "HTTP " + status, response.content().readableBytes());
            }
            if (HttpUtil.isKeepAlive(response))
            {
                pool.released(this);
            }
            else
            {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            final Exchange failed = current;
            current = null;
            if (null != failed)
            {
                failed.complete("CONNECTION_CLOSED", 0);
            }
            pool.lost(this);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
