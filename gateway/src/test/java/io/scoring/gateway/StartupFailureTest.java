package io.scoring.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real binary ({@link Main} in a child JVM) refuses a bad setting before it serves: exit code 2, the setting and value named. */
class StartupFailureTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExitWithCodeTwoNamingTheFlagAndTheValueOfABadFlag() throws Exception
    {
        final GatewayProcess.Failure failure = GatewayProcess.failToStart(dir, Map.of(), "--drift-min-rows", "5000");

        assertEquals(2, failure.exitCode(), failure.output());
        assertTrue(failure.output().contains("scoring-gateway: drift-min-rows must be 1 to drift-window-rows (1000), got 5000"),
            failure.output());
        assertTrue(Files.notExists(dir.resolve("payload-log")), "nothing started");
    }

    @Test
    void shouldExitWithCodeTwoNamingTheSettingOfABadEnvironmentVariable() throws Exception
    {
        final GatewayProcess.Failure failure = GatewayProcess.failToStart(dir, Map.of("SCORING_RUNTIME", "tensorrt"));

        assertEquals(2, failure.exitCode(), failure.output());
        assertTrue(failure.output().contains("scoring-gateway: runtime must be one of auto, onnxruntime, got 'tensorrt'"),
            failure.output());
    }
}
