package io.scoring.gateway.grpc;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.DemoBundle;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.proto.v1.Row;
import io.scoring.proto.v1.ScoringServiceGrpc;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a gRPC client sees of the hand-written Predict handler at its edges: the real server, a real channel. */
class PredictCallHandlerTest
{
    private static FeatureStore store;
    private static ModelRegistry models;
    private static EventLoopGroup group;
    private static GrpcTransport transport;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception
    {
        try (InputStream in = DemoBundle.features())
        {
            store = EmbeddedFeatureStore.load(in);
        }
        models = new ModelRepository(DemoBundle.models(), store, new ModelRepository.Context().maxRows(64)).loadAll();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        transport = new GrpcTransport(0, 65_536, io.scoring.gateway.ClientLimits.DEFAULTS, group, group, new ReflectiveChannelFactory<>(NioServerSocketChannel.class),
            new RequestCycle(new PredictPipeline(models, 64, null)), new ServerState(), null, ByteBufAllocator.DEFAULT, null).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", transport.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception
    {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        transport.shutdown();
        transport.awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        models.close();
        store.close();
    }

    @Test
    void shouldAnswerAGeneratedClientsRequestWithItsRequestIdAndScores()
    {
        final PredictRequest.Builder request = PredictRequest.newBuilder().setModel("credit-risk").setRequestId("ü-😀");
        final Row.Builder row = request.addRowsBuilder().setEntityKey("A0001")
            .putFeatures("duration", FeatureValue.newBuilder().setNumberValue(24).build())
            .putFeatures("purpose", FeatureValue.newBuilder().setStringValue("radio/tv").build())
            .putFeatures("credit_amount", FeatureValue.newBuilder().setNumberValue(2500).build())
            .putFeatures("installment_commitment", FeatureValue.newBuilder().setNumberValue(3).build());

        final PredictResponse response = ScoringServiceGrpc.newBlockingStub(channel).predict(request.build());

        assertEquals("ü-😀", response.getRequestId());
        assertEquals("credit-risk", response.getModel());
        assertEquals(1, response.getResultsCount());
        assertTrue(response.getResults(0).getScores(0) > 0 && response.getResults(0).getScores(0) < 1);
    }

    @Test
    void shouldGiveTheSameAnswersWhenHandlersRunOnAPoolInsteadOfTheEventLoop() throws Exception
    {
        final ExecutorService handlers = Executors.newFixedThreadPool(2);
        final GrpcTransport pooled = new GrpcTransport(0, 65_536, io.scoring.gateway.ClientLimits.DEFAULTS, group, group, new ReflectiveChannelFactory<>(NioServerSocketChannel.class),
            new RequestCycle(new PredictPipeline(models, 64, null)), new ServerState(), handlers, ByteBufAllocator.DEFAULT, null).start();
        final ManagedChannel pooledChannel = NettyChannelBuilder.forAddress("127.0.0.1", pooled.port()).usePlaintext().build();
        try
        {
            final List<ListenableFuture<PredictResponse>> onLoop = new ArrayList<>();
            final List<ListenableFuture<PredictResponse>> onPool = new ArrayList<>();
            for (int i = 1; i <= 200; i++)
            {
                final PredictRequest request = PredictRequest.newBuilder().setModel("credit-risk").setRequestId("r" + i)
                    .addRows(Row.newBuilder().setEntityKey(String.format("A%04d", i))
                        .putFeatures("duration", FeatureValue.newBuilder().setNumberValue(6 + i % 48).build())
                        .putFeatures("purpose", FeatureValue.newBuilder().setStringValue(i % 2 == 0 ? "radio/tv" : "education").build())
                        .putFeatures("credit_amount", FeatureValue.newBuilder().setNumberValue(250 + 37 * i).build())
                        .putFeatures("installment_commitment", FeatureValue.newBuilder().setNumberValue(1 + i % 4).build()))
                    .build();
                onLoop.add(ScoringServiceGrpc.newFutureStub(channel).predict(request));
                onPool.add(ScoringServiceGrpc.newFutureStub(pooledChannel).predict(request));
            }
            for (int i = 0; i < onLoop.size(); i++)
            {
                final PredictResponse expected = onLoop.get(i).get(10, TimeUnit.SECONDS);
                final PredictResponse actual = onPool.get(i).get(10, TimeUnit.SECONDS);
                assertEquals("r" + (i + 1), actual.getRequestId());
                assertEquals(expected, actual);
            }
        }
        finally
        {
            pooledChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            pooled.shutdown();
            pooled.awaitTermination(5, TimeUnit.SECONDS);
            handlers.shutdown();
        }
    }

    @Test
    void shouldNameTheFieldOfAMalformedRequestInItsInvalidArgument()
    {
        final byte[] truncatedFeature = {0x22, 0x05, 0x12, 0x0A, 0x0A, 0x01, 'x'};

        final StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () ->
            ClientCalls.blockingUnaryCall(channel, rawPredict(), CallOptions.DEFAULT, truncatedFeature));

        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertEquals("malformed scoring.v1.ScoringService/Predict request: rows[0].features: truncated",
            refused.getStatus().getDescription());
    }

    @Test
    void shouldAnswerInternalWhenTheClientHalfClosesWithoutARequest() throws Exception
    {
        final CompletableFuture<Status> closed = new CompletableFuture<>();
        final ClientCall<byte[], byte[]> call = channel.newCall(rawPredict(), CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>()
        {
            @Override
            public void onClose(final Status status, final Metadata trailers)
            {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1);
        call.halfClose();

        final Status status = closed.get(5, TimeUnit.SECONDS);
        assertEquals(Status.Code.INTERNAL, status.getCode());
        assertEquals("Half-closed without a request", status.getDescription());
    }

    private static MethodDescriptor<byte[], byte[]> rawPredict()
    {
        final MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>()
        {
            @Override
            public InputStream stream(final byte[] value)
            {
                return new ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(final InputStream stream)
            {
                try
                {
                    return stream.readAllBytes();
                }
                catch (final java.io.IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
        };
        return MethodDescriptor.newBuilder(bytes, bytes).setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("scoring.v1.ScoringService/Predict").build();
    }
}
