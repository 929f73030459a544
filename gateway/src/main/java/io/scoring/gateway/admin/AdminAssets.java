package io.scoring.gateway.admin;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;

/**
 * The ops page's static files, read from the jar once at start and answered from memory: the page
 * ({@code /}) and its script and style from {@code ops/} on the classpath, and uPlot with its licence
 * from its WebJar. Nothing comes from a CDN, so the page works in an air-gapped cluster.
 *
 * <p>No token is asked for these: they hold no data, and the page must load to ask for the token.
 * Every admin call the page then makes goes through {@link AdminHandler} like curl's.
 *
 * <p>Caching: {@code no-cache} with an ETag, so a browser revalidates (a 304, no body) and a new jar's
 * page is never hidden behind an old one. A Content-Security-Policy of {@code 'self'} only: no inline
 * script, no other origin, no framing.
 *
 * <p>Threading: immutable after construction; {@link #answer} runs on the event loop (a map lookup).
 */
final class AdminAssets
{
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; " +
        "img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

    private record Asset(byte[] bytes, String contentType, String etag)
    {
    }

    private final Map<String, Asset> byPath;

    AdminAssets()
    {
        final String uplot = "META-INF/resources/webjars/uplot/" + webJarVersion("org.webjars.npm", "uplot") + "/";
        byPath = Map.of(
            "/", asset("ops/index.html", "text/html; charset=utf-8"),
            "/ops/ops.js", asset("ops/ops.js", "text/javascript; charset=utf-8"),
            "/ops/ops.css", asset("ops/ops.css", "text/css; charset=utf-8"),
            "/ops/uPlot.iife.min.js", asset(uplot + "dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
            "/ops/uPlot.min.css", asset(uplot + "dist/uPlot.min.css", "text/css; charset=utf-8"),
            "/ops/uPlot.LICENSE.txt", asset(uplot + "LICENSE", "text/plain; charset=utf-8"));
    }

    /** Whether the path is one of the page's files (then {@link #answer} serves it without a token). */
    boolean serves(final String path)
    {
        return byPath.containsKey(path);
    }

    /** The file, a 304 when the browser holds it already, or a 405 for anything but GET. */
    FullHttpResponse answer(final FullHttpRequest request, final String path)
    {
        final Asset asset = byPath.get(path);
        if (!HttpMethod.GET.equals(request.method()))
        {
            final FullHttpResponse refused = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.METHOD_NOT_ALLOWED);
            refused.headers().set(HttpHeaderNames.ALLOW, "GET");
            return refused;
        }
        final boolean unchanged = asset.etag.equals(request.headers().get(HttpHeaderNames.IF_NONE_MATCH));
        final FullHttpResponse response = unchanged
            ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED)
            : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(asset.bytes));
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, asset.contentType)
            .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
            .set(HttpHeaderNames.ETAG, asset.etag)
            .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
            .set("X-Content-Type-Options", "nosniff")
            .set("Referrer-Policy", "no-referrer");
        return response;
    }

    /** A WebJar's version as its own pom.properties states it, so the POM alone pins it. */
    private static String webJarVersion(final String groupId, final String artifactId)
    {
        final String resource = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = AdminAssets.class.getClassLoader().getResourceAsStream(resource))
        {
            if (null == in)
            {
                throw new IllegalStateException("the WebJar " + groupId + ":" + artifactId + " is not in the jar");
            }
            final Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Asset asset(final String resource, final String contentType)
    {
        try (InputStream in = AdminAssets.class.getClassLoader().getResourceAsStream(resource))
        {
            if (null == in)
            {
                throw new IllegalStateException("the ops page's file " + resource + " is not in the jar");
            }
            final byte[] bytes = in.readAllBytes();
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new Asset(bytes, contentType, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JVM has SHA-256", ex);
        }
    }
}
