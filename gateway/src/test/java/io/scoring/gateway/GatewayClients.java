package io.scoring.gateway;

import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.scoring.proto.inference.GRPCInferenceServiceGrpc;
import io.scoring.proto.v1.ScoringServiceGrpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

/** Real clients of a running gateway: a gRPC channel with both services' stubs, and an HTTP client. */
final class GatewayClients implements AutoCloseable
{
    final ManagedChannel channel;
    final ScoringServiceGrpc.ScoringServiceBlockingStub scoring;
    final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub inference;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final int httpPort;

    GatewayClients(final int httpPort, final int grpcPort)
    {
        this.httpPort = httpPort;
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        scoring = ScoringServiceGrpc.newBlockingStub(channel);
        inference = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    HttpResponse<String> post(final String path, final String json) throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts bytes as they are, valid UTF-8 or not. */
    HttpResponse<String> post(final String path, final byte[] body) throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException
    {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A unary method that sends and receives bare bytes: to send what a generated stub never would. */
    static MethodDescriptor<byte[], byte[]> rawMethod(final String fullName)
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
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
        };
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(fullName).setRequestMarshaller(bytes).setResponseMarshaller(bytes).build();
    }
}
