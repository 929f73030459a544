package io.scoring.bench.load;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.scoring.proto.inference.GRPCInferenceServiceGrpc;
import io.scoring.proto.inference.GrpcPredictV2.InferParameter;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferResponse;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.proto.v1.RowResult;
import io.scoring.proto.v1.ScoringServiceGrpc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The transport floor: a bare server that answers the gateway's calls without doing any of the
 * gateway's work, so the gateway can be measured against it with the same load generator.
 *
 * <p>It serves {@code scoring.v1.ScoringService/Predict} and {@code inference.GRPCInferenceService/
 * ModelInfer} over gRPC and, when given an HTTP port, {@code POST /v1/predict} over HTTP/1.1. Each
 * answer is the gateway's for one demo applicant (model, version, role, one score per row), so the
 * messages on the wire have the gateway's sizes: 34 B for a one-row Predict. gRPC parses the request
 * (as the gateway does); the HTTP echo does not parse the JSON body.
 *
 * <p>Threading as in the gateway: one acceptor thread and {@code --io-threads} event loops (default:
 * cores), epoll when available, handlers on the event loop that decoded the call (directExecutor).
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.scoring.bench.load.EchoServer --grpc-port 9081 --http-port 9080
 * </pre>
 */
public final class EchoServer
{
    static final String USAGE = """
        usage: java -cp bench/target/benchmarks.jar io.scoring.bench.load.EchoServer [flags]

          --grpc-port N     gRPC port (default 9081; 0 picks a free port, logged)
          --http-port N     HTTP/1.1 port for POST /v1/predict (default 9080; -1 serves no HTTP)
          --io-threads N    event-loop threads shared by gRPC and HTTP (default: cores)
        """;

    /** The demo champion's answer for one applicant; the score's value does not change the size. */
    private static final float SCORE = 0.070396215f;
    private static final String VERSION = "1";
    private static final String ROLE = "champion";
    private static final PredictResponse ONE_ROW = buildPredictResponse("credit-risk", "", 1);
    /** The gateway's JSON for one row, byte for byte in shape and length. */
    private static final byte[] ONE_ROW_JSON = ("{\"request_id\":\"\",\"model\":\"credit-risk\",\"version\":\"" + VERSION +
        "\",\"role\":\"" + ROLE + "\",\"results\":[{\"scores\":[" + SCORE + "],\"feature_status\":[]}]}")
        .getBytes(StandardCharsets.UTF_8);

    private final int requestedGrpcPort;
    private final int requestedHttpPort;
    private final int ioThreads;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Server grpc;
    private Channel http;

    public EchoServer(final int grpcPort, final int httpPort, final int ioThreads)
    {
        this.requestedGrpcPort = grpcPort;
        this.requestedHttpPort = httpPort;
        this.ioThreads = ioThreads;
    }

    public static void main(final String[] args) throws Exception
    {
        int grpcPort = 9081;
        int httpPort = 9080;
        int ioThreads = Runtime.getRuntime().availableProcessors();
        try
        {
            for (int i = 0; i < args.length; i += 2)
            {
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i])
                {
                    case "--grpc-port" -> grpcPort = Integer.parseInt(args[i + 1]);
                    case "--http-port" -> httpPort = Integer.parseInt(args[i + 1]);
                    case "--io-threads" -> ioThreads = Integer.parseInt(args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown flag " + args[i]);
                }
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
        final EchoServer server = new EchoServer(grpcPort, httpPort, ioThreads).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "echo-shutdown"));
        System.out.printf("echo: gRPC on port %d, HTTP on port %s (%s, %d I/O threads)%n", server.grpcPort(),
            server.httpPort() < 0 ? "none" : String.valueOf(server.httpPort()), Epoll.isAvailable() ? "epoll" : "nio",
            ioThreads);
        server.blockUntilShutdown();
    }

    public EchoServer start() throws IOException, InterruptedException
    {
        final boolean epoll = Epoll.isAvailable();
        final IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final Class<? extends ServerChannel> channelType =
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        workerGroup = new MultiThreadIoEventLoopGroup(ioThreads, io);
        grpc = NettyServerBuilder.forAddress(new InetSocketAddress(requestedGrpcPort))
            .bossEventLoopGroup(bossGroup)
            .workerEventLoopGroup(workerGroup)
            .channelType(channelType)
            .directExecutor()
            .addService(new Predict())
            .addService(new Infer())
            .build()
            .start();
        if (requestedHttpPort >= 0)
        {
            final ChannelHandler handler = new HttpEcho();
            http = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        channel.pipeline()
                            .addLast(new HttpServerCodec())
                            .addLast(new HttpObjectAggregator(4 << 20))
                            .addLast(handler);
                    }
                })
                .bind(new InetSocketAddress(requestedHttpPort)).sync().channel();
        }
        return this;
    }

    public int grpcPort()
    {
        return grpc.getPort();
    }

    /** The HTTP port, or -1 when no HTTP is served. */
    public int httpPort()
    {
        return null == http ? -1 : ((InetSocketAddress)http.localAddress()).getPort();
    }

    public void stop()
    {
        if (null != http)
        {
            http.close().syncUninterruptibly();
        }
        if (null != grpc)
        {
            grpc.shutdownNow();
            try
            {
                grpc.awaitTermination(2, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (null != workerGroup)
        {
            workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    public void blockUntilShutdown() throws InterruptedException
    {
        grpc.awaitTermination();
    }

    /** The gateway's answer shape for {@code rows} rows; the common one-row answer is built once. */
    static PredictResponse predictResponse(final String model, final String requestId, final int rows)
    {
        return 1 == rows && requestId.isEmpty() && ONE_ROW.getModel().equals(model)
            ? ONE_ROW : buildPredictResponse(model, requestId, rows);
    }

    private static PredictResponse buildPredictResponse(final String model, final String requestId, final int rows)
    {
        final PredictResponse.Builder response = PredictResponse.newBuilder()
            .setRequestId(requestId).setModel(model).setVersion(VERSION).setRole(ROLE);
        for (int i = 0; i < rows; i++)
        {
            response.addResults(RowResult.newBuilder().addScores(SCORE));
        }
        return response.build();
    }

    private static final class Predict extends ScoringServiceGrpc.ScoringServiceImplBase
    {
        @Override
        public void predict(final PredictRequest request, final StreamObserver<PredictResponse> responses)
        {
            responses.onNext(predictResponse(request.getModel(), request.getRequestId(), request.getRowsCount()));
            responses.onCompleted();
        }
    }

    /**
     * ModelInfer's answer as the gateway gives it for named inputs: one FP32 output of shape [rows, 1],
     * its scores typed, or in {@code raw_output_contents} (little-endian) when the request came raw.
     */
    private static final class Infer extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase
    {
        @Override
        public void modelInfer(final ModelInferRequest request, final StreamObserver<ModelInferResponse> responses)
        {
            final int rows = request.getInputsCount() > 0 && request.getInputs(0).getShapeCount() > 0
                ? (int)request.getInputs(0).getShape(0) : 1;
            final boolean raw = request.getRawInputContentsCount() > 0;
            final ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(request.getModelName())
                .setModelVersion(VERSION)
                .setId(request.getId())
                .putParameters("role", InferParameter.newBuilder().setStringParam(ROLE).build());
            final var output = response.addOutputsBuilder()
                .setName("probability").setDatatype("FP32").addShape(rows).addShape(1);
            if (raw)
            {
                final ByteBuffer scores = ByteBuffer.allocate(rows * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < rows; i++)
                {
                    scores.putFloat(SCORE);
                }
                response.addRawOutputContents(ByteString.copyFrom(scores.flip()));
            }
            else
            {
                for (int i = 0; i < rows; i++)
                {
                    output.getContentsBuilder().addFp32Contents(SCORE);
                }
            }
            responses.onNext(response.build());
            responses.onCompleted();
        }
    }

    @ChannelHandler.Sharable
    private static final class HttpEcho extends SimpleChannelInboundHandler<FullHttpRequest>
    {
        private final ByteBuf body = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(ONE_ROW_JSON.length).writeBytes(ONE_ROW_JSON));

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
        {
            final FullHttpResponse response =
                new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK, body.duplicate());
            response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, ONE_ROW_JSON.length);
            final boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE
                : ChannelFutureListener.CLOSE);
        }
    }
}
