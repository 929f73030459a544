package io.scoring.gateway.tls;

import io.grpc.netty.GrpcSslContexts;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * TLS for the three listeners: one certificate and key (PEM files), and, when a client CA is given, client
 * certificates required and checked against it (mTLS). Two Netty {@link SslContext}s share the same key and
 * trust managers: {@link #http()} for the HTTP/1.1 listeners (predict and admin), {@link #grpc()} with ALPN
 * h2 and gRPC's cipher suites.
 *
 * <p><b>Engine.</b> OpenSSL (BoringSSL, from {@code netty-tcnative-boringssl-static}) where it loads, else
 * the JDK's; which one is logged at start. {@code -Dio.netty.handler.ssl.noOpenSsl=true} forces the JDK.
 *
 * <p><b>Reloading.</b> The contexts are built once, over grpc-java's {@link AdvancedTlsX509KeyManager} and
 * {@link AdvancedTlsX509TrustManager}, which every handshake asks for the key and the trusted CAs. A thread
 * reads the files every {@value #RELOAD_PERIOD_MILLIS} ms; when the certificate or the key changed, and the
 * pair parses and matches, it becomes the key manager's for the next handshakes. Connections already open
 * keep the session they negotiated, so a rotation drops no request. A pair caught half-written (the key
 * not yet matching the certificate) is not taken: the previous one serves until both files agree. The CA
 * file is reloaded by the trust manager itself, on the same thread and period.
 *
 * <p>Threading: built on the main thread; the reload thread is the only writer of the managers, which are
 * safe to read from any event loop.
 */
public final class GatewayTls implements AutoCloseable
{
    /** 1 s: a rotated certificate serves within a second; reading two small files that often costs nothing. */
    static final long RELOAD_PERIOD_MILLIS = 1000;

    private static final System.Logger LOG = System.getLogger(GatewayTls.class.getName());

    private final Path certFile;
    private final Path keyFile;
    private final AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
    private final ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor((task) ->
    {
        final Thread thread = new Thread(task, "scoring-tls-reload");
        thread.setDaemon(true);
        return thread;
    });
    private final SslProvider provider;
    private final SslContext http;
    private final SslContext grpc;
    private byte[] certBytes = new byte[0];
    private byte[] keyBytes = new byte[0];

    private GatewayTls(final Path certFile, final Path keyFile, final Path clientCaFile)
        throws IOException, GeneralSecurityException
    {
        this.certFile = certFile;
        this.keyFile = keyFile;
        final String problem = reload();
        if (null != problem)
        {
            throw new GeneralSecurityException(problem);
        }
        AdvancedTlsX509TrustManager clients = null;
        if (null != clientCaFile)
        {
            clients = AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                .build();
            clients.updateTrustCredentials(clientCaFile.toFile(), RELOAD_PERIOD_MILLIS, TimeUnit.MILLISECONDS, reloader);
        }
        provider = openSslUsable() ? SslProvider.OPENSSL : SslProvider.JDK;
        http = withClients(SslContextBuilder.forServer(keys).sslProvider(provider), clients).build();
        grpc = GrpcSslContexts.configure(withClients(SslContextBuilder.forServer(keys), clients), provider).build();
        reloader.scheduleWithFixedDelay(this::reloadLogged, RELOAD_PERIOD_MILLIS, RELOAD_PERIOD_MILLIS,
            TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "TLS on every listener through {0}, certificate {1}{2}; reloaded on change",
            provider == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")" :
                "the JDK (OpenSSL unavailable: " + OpenSsl.unavailabilityCause() + ")",
            certFile, null == clientCaFile ? "" : ", client certificates required (CA " + clientCaFile + ")");
    }

    /**
     * @param certFile     the certificate chain, PEM, the server's certificate first
     * @param keyFile      its private key, PEM, PKCS#8 ({@code BEGIN PRIVATE KEY}), RSA or EC
     * @param clientCaFile the CAs whose client certificates are accepted, PEM; null: no client certificates
     * @throws IOException naming the file and the problem, when a file cannot be read or the pair does not match
     */
    public static GatewayTls open(final Path certFile, final Path keyFile, final Path clientCaFile) throws IOException
    {
        try
        {
            return new GatewayTls(certFile, keyFile, clientCaFile);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException("TLS: " + ex.getMessage(), ex);
        }
    }

    /** For the HTTP/1.1 listeners (predict and admin). */
    public SslContext http()
    {
        return http;
    }

    /** For the gRPC listener: ALPN h2 and gRPC's cipher suites. */
    public SslContext grpc()
    {
        return grpc;
    }

    /** {@link SslProvider#OPENSSL} where netty-tcnative loads, else {@link SslProvider#JDK}. */
    public SslProvider provider()
    {
        return provider;
    }

    @Override
    public void close()
    {
        reloader.shutdownNow();
    }

    /**
     * Puts TLS in front of an HTTP/1.1 connection's pipeline: the context's handler, and behind it one that
     * closes a connection whose handshake failed (plaintext, no or a foreign client certificate, a client that
     * does not trust us) quietly, at FINE: a stack trace per bad connection would let any client fill the log.
     */
    public static void addTo(final Channel channel, final SslContext context)
    {
        channel.pipeline().addLast(context.newHandler(channel.alloc()), HandshakeFailures.INSTANCE);
    }

    @ChannelHandler.Sharable
    private static final class HandshakeFailures extends ChannelInboundHandlerAdapter
    {
        static final HandshakeFailures INSTANCE = new HandshakeFailures();

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            if (cause instanceof DecoderException && (cause.getCause() instanceof SSLException))
            {
                LOG.log(System.Logger.Level.DEBUG, "TLS handshake with {0} failed: {1}", ctx.channel().remoteAddress(),
                    cause.getCause().getMessage());
                ctx.close();
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }

    private static SslContextBuilder withClients(final SslContextBuilder builder, final AdvancedTlsX509TrustManager clients)
    {
        return null == clients ? builder : builder.trustManager(clients).clientAuth(ClientAuth.REQUIRE);
    }

    /** OpenSSL serves here when it loads and takes its key from a key manager (the reloadable one). */
    private static boolean openSslUsable()
    {
        return OpenSsl.isAvailable() && OpenSsl.supportsKeyManagerFactory() && SslProvider.isAlpnSupported(SslProvider.OPENSSL);
    }

    private void reloadLogged()
    {
        try
        {
            final String problem = reload();
            if (null != problem)
            {
                LOG.log(System.Logger.Level.WARNING, "TLS: not reloaded, the previous certificate still serves: " + problem);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "TLS: cannot read " + certFile + " or " + keyFile + ": " + ex);
        }
    }

    /**
     * Takes the files' pair when it changed, parses and matches. Returns null when the pair serves (or did
     * not change), else why not; a pair that failed is tried again only once either file changes again.
     */
    private String reload() throws IOException
    {
        final byte[] cert = Files.readAllBytes(certFile);
        final byte[] key = Files.readAllBytes(keyFile);
        if (Arrays.equals(cert, certBytes) && Arrays.equals(key, keyBytes))
        {
            return null;
        }
        certBytes = cert;
        keyBytes = key;
        final X509Certificate[] chain;
        final PrivateKey privateKey;
        try
        {
            chain = CertificateUtils.getX509Certificates(new ByteArrayInputStream(cert));
            if (chain.length == 0)
            {
                return certFile + " holds no PEM certificate";
            }
        }
        catch (final GeneralSecurityException | RuntimeException ex)
        {
            return certFile + " is not a PEM certificate chain: " + ex.getMessage();
        }
        try
        {
            privateKey = CertificateUtils.getPrivateKey(new ByteArrayInputStream(key));
        }
        catch (final GeneralSecurityException | IOException | RuntimeException ex)
        {
            return keyFile + " is not a PEM PKCS#8 RSA or EC private key (BEGIN PRIVATE KEY): " + ex.getMessage();
        }
        if (!matches(privateKey, chain[0]))
        {
            return keyFile + " is not the key of the certificate in " + certFile;
        }
        keys.updateIdentityCredentials(chain, privateKey);
        LOG.log(System.Logger.Level.INFO, "TLS certificate {0}, valid until {1}",
            chain[0].getSubjectX500Principal().getName(), chain[0].getNotAfter().toInstant());
        return null;
    }

    /** Whether the key signs what the certificate's public key verifies: the pair belongs together. */
    private static boolean matches(final PrivateKey key, final X509Certificate certificate)
    {
        final String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        try
        {
            final byte[] nonce = new byte[32];
            new SecureRandom().nextBytes(nonce);
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(nonce);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(nonce);
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }
}
