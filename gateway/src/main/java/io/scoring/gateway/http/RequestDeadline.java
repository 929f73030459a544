package io.scoring.gateway.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.scoring.gateway.pipeline.ScoringContext;

/**
 * An HTTP request's deadline, from the headers that carry one by convention. HTTP has no standard
 * header for it; two are in wide use, and the tighter of them wins:
 * <ul>
 *   <li>{@value #ENVOY_TIMEOUT}: milliseconds, what Envoy (and so Istio and most meshes) sends to the
 *       upstream so it "can make decisions based on the request timeout, e.g. early exit": a gateway
 *       behind a mesh gets its callers' timeouts with no change to the callers;</li>
 *   <li>{@value #GRPC_TIMEOUT}: gRPC's own header and syntax (up to 8 digits and a unit, {@code H M S m u n}),
 *       as gRPC-Web and gRPC-JSON transcoding proxies forward it: one header for a deadline on both transports.</li>
 * </ul>
 * A malformed value is the caller's error: 400 naming the header.
 *
 * <p>Stateless; called on the event loop per scoring request; allocation-free for a well-formed value.
 */
final class RequestDeadline
{
    static final String ENVOY_TIMEOUT = "x-envoy-expected-rq-timeout-ms";
    static final String GRPC_TIMEOUT = "grpc-timeout";

    private RequestDeadline()
    {
    }

    /**
     * @return the deadline as {@link System#nanoTime()}, or {@link ScoringContext#NO_DEADLINE} when neither header is sent
     * @throws IllegalArgumentException naming the header, when a value is malformed
     */
    static long of(final HttpHeaders headers, final long nowNanos)
    {
        long timeoutNanos = Long.MAX_VALUE;
        final String envoy = headers.get(ENVOY_TIMEOUT);
        if (null != envoy)
        {
            timeoutNanos = Math.min(timeoutNanos, digits(envoy, 0, envoy.length(), ENVOY_TIMEOUT, 12) * 1_000_000L);
        }
        final String grpc = headers.get(GRPC_TIMEOUT);
        if (null != grpc)
        {
            timeoutNanos = Math.min(timeoutNanos, grpcTimeoutNanos(grpc));
        }
        return timeoutNanos == Long.MAX_VALUE ? ScoringContext.NO_DEADLINE : nowNanos + timeoutNanos;
    }

    /** gRPC's {@code TimeoutValue TimeoutUnit}: at most 8 ASCII digits, then one of {@code H M S m u n}. */
    static long grpcTimeoutNanos(final String value)
    {
        final int last = value.length() - 1;
        if (last < 1)
        {
            throw malformed(GRPC_TIMEOUT, value);
        }
        final long amount = digits(value, 0, last, GRPC_TIMEOUT, 8);
        return switch (value.charAt(last))
        {
            case 'H' -> amount * 3_600_000_000_000L;
            case 'M' -> amount * 60_000_000_000L;
            case 'S' -> amount * 1_000_000_000L;
            case 'm' -> amount * 1_000_000L;
            case 'u' -> amount * 1_000L;
            case 'n' -> amount;
            default -> throw malformed(GRPC_TIMEOUT, value);
        };
    }

    private static long digits(final String value, final int from, final int to, final String header, final int maxDigits)
    {
        if (to <= from || to - from > maxDigits)
        {
            throw malformed(header, value);
        }
        long amount = 0;
        for (int i = from; i < to; i++)
        {
            final char c = value.charAt(i);
            if (c < '0' || c > '9')
            {
                throw malformed(header, value);
            }
            amount = amount * 10 + (c - '0');
        }
        return amount;
    }

    private static IllegalArgumentException malformed(final String header, final String value)
    {
        return new IllegalArgumentException("header '" + header + "': '" + value + "' is not a timeout" +
            (GRPC_TIMEOUT.equals(header) ? " (gRPC's syntax: up to 8 digits and a unit, H M S m u or n, e.g. 200m)"
                : " (whole milliseconds, e.g. 200)"));
    }
}
