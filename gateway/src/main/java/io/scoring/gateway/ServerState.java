package io.scoring.gateway;

/**
 * Whether the gateway is ready for traffic. Ready once every model has loaded and the transports
 * listen; not ready again from the moment a drain starts, so load balancers stop sending before the
 * listeners close.
 */
public final class ServerState
{
    /** The server name and version V2 ServerMetadata reports. */
    public static final String NAME = "scoring-gateway";
    public static final String VERSION = "0.1.0";

    private volatile boolean ready;
    private volatile boolean draining;

    public boolean isReady()
    {
        return ready && !draining;
    }

    public boolean isDraining()
    {
        return draining;
    }

    void markReady()
    {
        ready = true;
    }

    void startDraining()
    {
        draining = true;
    }
}
