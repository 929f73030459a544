package io.scoring.gateway;

/** Starts gateways for tests: the bundled demo on free ports. */
final class TestGateways
{
    private TestGateways()
    {
    }

    /** The demo with a fresh, empty state directory. */
    static ScoringGateway startDemo() throws Exception
    {
        return ScoringGateway.start(demoConfig(java.nio.file.Files.createTempDirectory("scoring-state")));
    }

    static GatewayConfig demoConfig(final java.nio.file.Path stateDir)
    {
        return GatewayConfig.defaults()
            .with(GatewayConfig.Setting.STATE_DIR, stateDir.toString())
            .with(GatewayConfig.Setting.HTTP_PORT, "0")
            .with(GatewayConfig.Setting.GRPC_PORT, "0")
            .with(GatewayConfig.Setting.ADMIN_PORT, "0")
            .with(GatewayConfig.Setting.IO_THREADS, "2")
            .with(GatewayConfig.Setting.MAX_REQUEST_BYTES, "65536")
            .with(GatewayConfig.Setting.DRAIN_SECONDS, "5");
    }
}
