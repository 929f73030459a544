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
        return new GatewayConfig()
            .stateDir(stateDir)
            .httpPort(0)
            .grpcPort(0)
            .adminPort(0)
            .ioThreads(2)
            .maxRequestBytes(65536)
            .drainSeconds(5);
    }
}
