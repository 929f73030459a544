package io.scoring.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

/** Starts gateways for tests: the bundled demo on free ports. */
final class TestGateways
{
    private TestGateways()
    {
    }

    /** The demo with a fresh, empty state directory. */
    static ScoringGateway startDemo() throws Exception
    {
        return ScoringGateway.start(demoConfig(Files.createTempDirectory("scoring-state")));
    }

    /**
     * The demo on free ports, configured as an operator would: through flags ({@code moreFlags} after the
     * defaults here, e.g. {@code "--sampling-percent", "100"}).
     */
    static GatewayConfig demoConfig(final Path stateDir, final String... moreFlags)
    {
        final String[] flags = Stream.concat(Stream.of(
            "--state-dir", stateDir.toString(),
            "--http-port", "0",
            "--grpc-port", "0",
            "--admin-port", "0",
            "--io-threads", "2",
            "--max-request-bytes", "65536",
            "--drain-seconds", "5"), Arrays.stream(moreFlags)).toArray(String[]::new);
        return GatewayConfig.resolve(flags, Map.of());
    }
}
