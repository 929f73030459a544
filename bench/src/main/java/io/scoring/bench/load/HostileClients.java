package io.scoring.bench.load;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.proto.v1.ScoringServiceGrpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Slow and hostile clients, all at once, against a gateway, for bench/scripts/slow-clients.sh to measure
 * the gateway's memory and its other clients' latency meanwhile:
 * <ul>
 *   <li>{@code --idle N} connections to the HTTP port that send nothing;</li>
 *   <li>{@code --slowloris N} connections sending a request's headers one byte per second per connection;</li>
 *   <li>{@code --oversized N} requests with 16 KiB of headers, one after another;</li>
 *   <li>{@code --non-reading N} gRPC calls on one connection whose answers are never read.</li>
 * </ul>
 * Holds them for {@code --hold} and prints how many the gateway closed (or answered 431).
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.scoring.bench.load.HostileClients --http 127.0.0.1:8080 \
 *       --grpc 127.0.0.1:8081 --idle 10000 --slowloris 200 --oversized 1000 --non-reading 5000 --hold 30s
 * </pre>
 */
public final class HostileClients
{
    private HostileClients()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        String http = "127.0.0.1:8080";
        String grpc = "127.0.0.1:8081";
        int idle = 10_000;
        int slowloris = 200;
        int oversized = 1_000;
        int nonReading = 5_000;
        long holdNanos = TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--http" -> http = args[++i];
                case "--grpc" -> grpc = args[++i];
                case "--idle" -> idle = Integer.parseInt(args[++i]);
                case "--slowloris" -> slowloris = Integer.parseInt(args[++i]);
                case "--oversized" -> oversized = Integer.parseInt(args[++i]);
                case "--non-reading" -> nonReading = Integer.parseInt(args[++i]);
                case "--hold" -> holdNanos = LoadOptions.nanos("--hold", args[++i]);
                default -> throw new IllegalArgumentException("unknown flag " + args[i]);
            }
        }
        final InetSocketAddress httpAddress = address(http);
        final List<Socket> idleSockets = new ArrayList<>();
        for (int i = 0; i < idle; i++)
        {
            idleSockets.add(new Socket(httpAddress.getHostString(), httpAddress.getPort()));
        }
        final List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < slowloris; i++)
        {
            slow.add(new Socket(httpAddress.getHostString(), httpAddress.getPort()));
        }
        final InetSocketAddress grpcAddress = address(grpc);
        final ManagedChannel channel = NettyChannelBuilder.forAddress(grpcAddress.getHostString(), grpcAddress.getPort())
            .usePlaintext().flowControlWindow(65_535).build();
        final PredictRequest request = PredictRequest.newBuilder().setModel("credit-risk")
            .addRows(io.scoring.proto.v1.Row.newBuilder().setEntityKey("A0001")).build();
        for (int i = 0; i < nonReading; i++)
        {
            final ClientCall<PredictRequest, PredictResponse> call =
                channel.newCall(ScoringServiceGrpc.getPredictMethod(), CallOptions.DEFAULT);
            call.start(new ClientCall.Listener<>()
            {
            }, new Metadata());
            call.sendMessage(request);
            call.halfClose(); // never call.request(1): the answers stay unread
        }
        System.out.printf(Locale.ROOT, "holding: %d idle, %d slowloris, %d non-reading gRPC calls%n", idle, slowloris, nonReading);

        final byte[] head = ("POST /v1/predict HTTP/1.1\r\nHost: gateway\r\nX-Slow: " + "s".repeat(10_000)).getBytes(StandardCharsets.US_ASCII);
        final String big = "POST /v1/predict HTTP/1.1\r\nHost: gateway\r\nX-Big: " + "b".repeat(16 * 1024) +
            "\r\nContent-Length: 2\r\n\r\n{}";
        final long end = System.nanoTime() + holdNanos;
        int slowClosed = 0;
        int answered431 = 0;
        int sentOversized = 0;
        int offset = 0;
        while (System.nanoTime() < end)
        {
            for (int i = 0; i < slow.size(); i++)
            {
                try
                {
                    final OutputStream out = slow.get(i).getOutputStream();
                    out.write(head[offset % head.length]);
                    out.flush();
                }
                catch (final IOException ex)
                {
                    slowClosed++;
                    slow.get(i).close();
                    slow.set(i, new Socket(httpAddress.getHostString(), httpAddress.getPort()));
                }
            }
            offset++;
            final long second = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (sentOversized < oversized && System.nanoTime() < second)
            {
                sentOversized++;
                answered431 += oversizedRequest(httpAddress, big) ? 1 : 0;
            }
            final long left = second - System.nanoTime();
            if (left > 0)
            {
                TimeUnit.NANOSECONDS.sleep(left);
            }
        }
        int idleClosed = 0;
        for (final Socket socket : idleSockets)
        {
            socket.setSoTimeout(1);
            try
            {
                idleClosed += socket.getInputStream().read() == -1 ? 1 : 0;
            }
            catch (final IOException ex)
            {
                // still open: the read timed out
            }
            socket.close();
        }
        for (final Socket socket : slow)
        {
            socket.close();
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        System.out.printf(Locale.ROOT, "done: slowloris connections closed by the gateway %d; oversized requests %d, answered 431 %d; " +
            "idle connections closed %d of %d%n", slowClosed, sentOversized, answered431, idleClosed, idle);
    }

    private static boolean oversizedRequest(final InetSocketAddress address, final String request) throws IOException
    {
        try (Socket socket = new Socket(address.getHostString(), address.getPort()))
        {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            final InputStream in = socket.getInputStream();
            final byte[] status = in.readNBytes(12);
            return new String(status, StandardCharsets.US_ASCII).endsWith("431");
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static InetSocketAddress address(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        return InetSocketAddress.createUnresolved(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
