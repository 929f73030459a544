package io.scoring.gateway;

/** Starts gateways for tests: the bundled demo on free ports. */
final class TestGateways
{
    private TestGateways()
    {
    }

    static ScoringGateway startDemo() throws Exception
    {
        return ScoringGateway.start(GatewayConfig.defaults()
            .with(GatewayConfig.Setting.HTTP_PORT, "0")
            .with(GatewayConfig.Setting.GRPC_PORT, "0")
            .with(GatewayConfig.Setting.ADMIN_PORT, "0")
            .with(GatewayConfig.Setting.IO_THREADS, "2")
            .with(GatewayConfig.Setting.MAX_REQUEST_BYTES, "65536")
            .with(GatewayConfig.Setting.DRAIN_SECONDS, "5"));
    }
}
