package io.scoring.gateway;

/**
 * What bounds one client's share of the gateway's memory and connections, on both transports: the
 * settings {@code --max-connections}, {@code --max-header-bytes}, {@code --request-read-timeout-ms},
 * {@code --idle-timeout-ms} and {@code --grpc-max-calls-per-connection} ({@link GatewayConfig}).
 *
 * @param maxConnections           connections at once on each listener (HTTP, gRPC); beyond it a new one is closed when accepted
 * @param maxHeaderBytes           a request's headers (HTTP: 431 beyond it; gRPC: its metadata)
 * @param requestReadTimeoutMillis an HTTP request must arrive whole within this of its first byte
 * @param idleTimeoutMillis        a connection with no traffic (HTTP) or no call (gRPC) this long is closed
 * @param maxCallsPerConnection    gRPC calls open at once on one connection (HTTP/2 MAX_CONCURRENT_STREAMS)
 */
public record ClientLimits(
    int maxConnections, int maxHeaderBytes, long requestReadTimeoutMillis, long idleTimeoutMillis, int maxCallsPerConnection)
{
    /** The defaults, for tests and tools that start a transport without settings. */
    public static final ClientLimits DEFAULTS = new ClientLimits(GatewayConfig.MAX_CONNECTIONS_DEFAULT,
        GatewayConfig.MAX_HEADER_BYTES_DEFAULT, GatewayConfig.REQUEST_READ_TIMEOUT_MS_DEFAULT,
        GatewayConfig.IDLE_TIMEOUT_MS_DEFAULT, GatewayConfig.GRPC_MAX_CALLS_PER_CONNECTION_DEFAULT);
}
