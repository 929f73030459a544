package io.scoring.gateway;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.scoring.gateway.cli.AdminCli;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.ScoringServiceGrpc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS and mTLS on every listener, through real clients: the system's curl, a grpc-java channel, the admin
 * CLI, and the JDK's TLS sockets; certificates rotated on disk under load.
 */
class TlsTest
{
    @TempDir
    static Path dir;
    private static TestCertificates.Pair ca;
    private static TestCertificates.Pair server1;
    private static TestCertificates.Pair server2;
    private static TestCertificates.Pair client;
    private static TestCertificates.Pair stranger;
    private static PredictRequest predict;
    private static String predictJson;

    @BeforeAll
    static void makeCertificates() throws Exception
    {
        final TestCertificates certificates = new TestCertificates(dir);
        ca = certificates.ca("test-ca");
        server1 = certificates.server(ca, "gateway-1");
        server2 = certificates.server(ca, "gateway-2");
        client = certificates.client(ca, "trusted-client");
        stranger = certificates.client(certificates.ca("other-ca"), "stranger");
        final DemoTestSet demo = new DemoTestSet();
        predict = DemoRequests.ownRequest(demo, demo.testRows().get(0)).build();
        predictJson = DemoRequests.ownJson(demo, demo.testRows().subList(0, 1), null);
    }

    private static ScoringGateway start(final TestCertificates.Pair server, final Path clientCa) throws Exception
    {
        return ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory(dir, "state"))
            .tlsCert(server.cert()).tlsKey(server.key()).tlsClientCa(clientCa));
    }

    @Test
    void shouldServePredictOverHttpsToCurlAndOverTlsToGrpcAndRefusePlaintext() throws Exception
    {
        final ScoringGateway gateway = start(server1, null);
        try
        {
            final Curl ok = curl("--cacert", ca.cert().toString(), "https://127.0.0.1:" + gateway.httpPort() + "/v1/predict");
            assertEquals(200, ok.status(), ok.output());
            assertTrue(ok.output().contains("\"role\""), ok.output());
            assertNotEquals(0, curl("http://127.0.0.1:" + gateway.httpPort() + "/v1/predict").exit(),
                "plain HTTP to the TLS port gets no answer");

            final ManagedChannel channel = grpcChannel(gateway.grpcPort(), null);
            try
            {
                assertTrue(ScoringServiceGrpc.newBlockingStub(channel).predict(predict).getResultsCount() > 0);
                assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus());
            }
            finally
            {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            final ManagedChannel plaintext = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
            try
            {
                final StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> ScoringServiceGrpc.newBlockingStub(plaintext).withDeadlineAfter(5, TimeUnit.SECONDS).predict(predict));
                assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
            }
            finally
            {
                plaintext.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        finally
        {
            gateway.drain();
        }
    }

    @Test
    void shouldRequireAClientCertificateFromTheClientCaOnEveryListener() throws Exception
    {
        final ScoringGateway gateway = start(server1, ca.cert());
        try
        {
            final ManagedChannel trusted = grpcChannel(gateway.grpcPort(), client);
            final ManagedChannel anonymous = grpcChannel(gateway.grpcPort(), null);
            final ManagedChannel foreign = grpcChannel(gateway.grpcPort(), stranger);
            try
            {
                assertTrue(ScoringServiceGrpc.newBlockingStub(trusted).predict(predict).getResultsCount() > 0);
                for (final ManagedChannel refused : List.of(anonymous, foreign))
                {
                    final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class,
                        () -> ScoringServiceGrpc.newBlockingStub(refused).withDeadlineAfter(5, TimeUnit.SECONDS).predict(predict));
                    assertEquals(Status.Code.UNAVAILABLE, ex.getStatus().getCode(), ex.toString());
                }
            }
            finally
            {
                for (final ManagedChannel channel : List.of(trusted, anonymous, foreign))
                {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }

            final String url = "https://127.0.0.1:" + gateway.httpPort() + "/v1/predict";
            final Curl withCert = curl("--cacert", ca.cert().toString(), "--cert", client.cert().toString(),
                "--key", client.key().toString(), url);
            assertEquals(200, withCert.status(), withCert.output());
            assertNotEquals(0, curl("--cacert", ca.cert().toString(), url).exit(), "no client certificate: no answer");
            assertNotEquals(0, curl("--cacert", ca.cert().toString(), "--cert", stranger.cert().toString(),
                "--key", stranger.key().toString(), url).exit(), "a certificate from another CA: no answer");

            final String admin = "https://127.0.0.1:" + gateway.adminPort();
            final String[] trustedCli = {"--url", admin, "--tls-ca", ca.cert().toString(),
                "--tls-cert", client.cert().toString(), "--tls-key", client.key().toString(), "models"};
            final Cli models = cli(trustedCli);
            assertEquals(AdminCli.OK, models.exit(), models.err());
            assertTrue(models.out().contains("credit-risk"), models.out());
            assertEquals(AdminCli.API_ERROR, cli("--url", admin, "--tls-ca", ca.cert().toString(), "models").exit(),
                "the CLI without a client certificate is refused");
            assertEquals(AdminCli.API_ERROR, cli("--url", admin, "--tls-cert", client.cert().toString(),
                "--tls-key", client.key().toString(), "models").exit(), "the CLI does not trust an unknown server");
        }
        finally
        {
            gateway.drain();
        }
    }

    /**
     * The certificate is replaced on disk while clients call: the certificate file first, the key a while
     * later (a careless rotation), then both agree. No call fails; connections made after the rotation see
     * the new certificate, on both the HTTP and the gRPC port; a gRPC connection opened before keeps serving.
     */
    @Test
    void shouldServeARotatedCertificateToNewHandshakesWithoutAFailedCall() throws Exception
    {
        final TestCertificates.Pair live = new TestCertificates.Pair(dir.resolve("live.pem"), dir.resolve("live.key"));
        Files.copy(server1.cert(), live.cert(), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(server1.key(), live.key(), StandardCopyOption.REPLACE_EXISTING);
        final ScoringGateway gateway = start(live, null);
        final ManagedChannel longLived = grpcChannel(gateway.grpcPort(), null);
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger grpcOk = new AtomicInteger();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<String> seen = new CopyOnWriteArrayList<>(); // the server certificate of each new connection
        final Thread grpcLoad = new Thread(() ->
        {
            final var stub = ScoringServiceGrpc.newBlockingStub(longLived);
            while (running.get())
            {
                try
                {
                    stub.withDeadlineAfter(5, TimeUnit.SECONDS).predict(predict);
                    grpcOk.incrementAndGet();
                }
                catch (final RuntimeException ex)
                {
                    failures.add("gRPC: " + ex);
                }
            }
        });
        final Thread httpsLoad = new Thread(() ->
        {
            while (running.get())
            {
                try
                {
                    seen.add(httpsPredictOnANewConnection(gateway.httpPort()));
                }
                catch (final Exception ex)
                {
                    failures.add("HTTPS: " + ex);
                }
            }
        });
        try
        {
            grpcLoad.start();
            httpsLoad.start();
            Thread.sleep(500);
            replace(server2.cert(), live.cert());
            Thread.sleep(2500); // several reloads see a certificate whose key is not there yet
            final int beforeKey = seen.size();
            replace(server2.key(), live.key());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!seen.get(seen.size() - 1).contains("gateway-2") && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            Thread.sleep(500);
            running.set(false);
            grpcLoad.join();
            httpsLoad.join();

            assertEquals(List.of(), failures, "no call failed during the rotation");
            assertTrue(seen.subList(0, beforeKey).stream().allMatch((cn) -> cn.contains("gateway-1")),
                "a certificate without its key is not served");
            final int firstNew = indexOfFirst(seen, "gateway-2");
            assertTrue(firstNew > 0, "new handshakes see the new certificate: " + seen.get(seen.size() - 1));
            assertTrue(seen.subList(firstNew, seen.size()).stream().allMatch((cn) -> cn.contains("gateway-2")),
                "and only the new one from then on");
            assertTrue(grpcOk.get() > 0 && seen.size() > 10, "load ran: " + grpcOk + " gRPC, " + seen.size() + " HTTPS");
            assertTrue(handshakeSubject(gateway.grpcPort()).contains("gateway-2"), "the gRPC port serves the new one");
            assertTrue(ScoringServiceGrpc.newBlockingStub(longLived).predict(predict).getResultsCount() > 0,
                "the connection opened before the rotation still serves");
        }
        finally
        {
            running.set(false);
            longLived.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            gateway.drain();
        }
    }

    @Test
    void shouldRefuseToStartWithAKeyThatIsNotTheCertificates() throws Exception
    {
        final Exception ex = assertThrows(Exception.class,
            () -> start(new TestCertificates.Pair(server1.cert(), server2.key()), null).drain());
        assertTrue(ex.getMessage().contains("is not the key of the certificate"), ex.getMessage());
        final IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
            () -> GatewayConfig.resolve(new String[]{"--tls-cert", server1.cert().toString()}, Map.of()));
        assertTrue(alone.getMessage().contains("tls-key"), alone.getMessage());
    }

    private static int indexOfFirst(final List<String> subjects, final String name)
    {
        for (int i = 0; i < subjects.size(); i++)
        {
            if (subjects.get(i).contains(name))
            {
                return i;
            }
        }
        return -1;
    }

    /** Moves a copy into place in one step, as Kubernetes swaps a Secret's files. */
    private static void replace(final Path source, final Path target) throws Exception
    {
        final Path next = target.resolveSibling(target.getFileName() + ".next");
        Files.copy(source, next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static SSLContext trustingTheCa() throws Exception
    {
        return ((JdkSslContext)SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
            .trustManager(ca.cert().toFile()).build()).context();
    }

    private static SSLSocket handshake(final int port) throws Exception
    {
        final SSLSocket socket = (SSLSocket)trustingTheCa().getSocketFactory().createSocket("127.0.0.1", port);
        final SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name 127.0.0.1
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static String subject(final SSLSocket socket) throws Exception
    {
        return ((X509Certificate)socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    private static String handshakeSubject(final int port) throws Exception
    {
        try (SSLSocket socket = handshake(port))
        {
            return subject(socket);
        }
    }

    /** One predict over a new TLS connection; returns the server certificate's subject, throws unless 200. */
    private static String httpsPredictOnANewConnection(final int port) throws Exception
    {
        try (SSLSocket socket = handshake(port))
        {
            final byte[] body = predictJson.getBytes(StandardCharsets.UTF_8);
            final OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
                "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            final String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
            if (null == status || !status.startsWith("HTTP/1.1 200"))
            {
                throw new IllegalStateException("answered " + status);
            }
            return subject(socket);
        }
    }

    private static ManagedChannel grpcChannel(final int port, final TestCertificates.Pair clientCertificate) throws Exception
    {
        final SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(ca.cert().toFile());
        if (null != clientCertificate)
        {
            tls.keyManager(clientCertificate.cert().toFile(), clientCertificate.key().toFile());
        }
        return NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(tls.build()).build();
    }

    private record Curl(int exit, int status, String output)
    {
    }

    /** The system's curl posting the predict body; the last line of its output is the HTTP status. */
    private static Curl curl(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10",
            "-H", "Content-Type: application/json", "--data-binary", predictJson, "-w", "\n%{http_code}"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final int exit = process.waitFor();
        final String last = output.substring(output.lastIndexOf('\n') + 1).trim();
        return new Curl(exit, last.matches("\\d{3}") ? Integer.parseInt(last) : 0, output);
    }

    private record Cli(int exit, String out, String err)
    {
    }

    private static Cli cli(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = AdminCli.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
