package io.scoring.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only certificates, made at test time with the system's {@code openssl} (no private key is committed):
 * a CA, server certificates for {@code localhost} / {@code 127.0.0.1} signed by it, and client certificates,
 * all EC P-256, keys in PKCS#8 PEM as the gateway reads them.
 */
final class TestCertificates
{
    final Path dir;

    /** A certificate and its key. */
    record Pair(Path cert, Path key)
    {
    }

    TestCertificates(final Path dir)
    {
        this.dir = dir;
    }

    /** A self-signed CA named {@code name}. */
    Pair ca(final String name) throws IOException, InterruptedException
    {
        final Pair ca = new Pair(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", ca.key().toString(), "-out", ca.cert().toString(), "-days", "2", "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /** A server certificate for localhost and 127.0.0.1, common name {@code name}, signed by {@code ca}. */
    Pair server(final Pair ca, final String name) throws IOException, InterruptedException
    {
        return leaf(ca, name, "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    }

    /** A client certificate, common name {@code name}, signed by {@code ca}. */
    Pair client(final Pair ca, final String name) throws IOException, InterruptedException
    {
        return leaf(ca, name, "extendedKeyUsage=clientAuth\n");
    }

    private Pair leaf(final Pair ca, final String name, final String extensions) throws IOException, InterruptedException
    {
        final Pair leaf = new Pair(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
        final Path csr = dir.resolve(name + ".csr");
        final Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, "basicConstraints=CA:FALSE\n" + extensions);
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", leaf.key().toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(), "-CAkey", ca.key().toString(),
            "-CAcreateserial", "-out", leaf.cert().toString(), "-days", "2", "-extfile", ext.toString());
        return leaf;
    }

    private void openssl(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0)
        {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
