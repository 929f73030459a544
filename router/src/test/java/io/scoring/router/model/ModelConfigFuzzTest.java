package io.scoring.router.model;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * model.json's reader ({@link ModelConfig#parse(InputStream, String)}) under Jazzer: any file is a config or an
 * {@link IOException} naming the problem (what the model repository reports for that model), never another
 * exception; and the demo's model.json then parses as it does the first time. Seeds (the demo's model.json and
 * variants) and kept findings: {@code ModelConfigFuzzTestInputs/} in the test resources.
 */
class ModelConfigFuzzTest
{
    /** The bundled demo's, as the gateway ships it. */
    static final Path DEMO = Path.of("../gateway/src/main/resources/demo/models/credit-risk");
    private static final byte[] DEMO_CONFIG = demoConfig();
    private static final int DEMO_FEATURES = parse(DEMO_CONFIG).featureCount();

    @FuzzTest(maxDuration = "5s")
    void anyModelJsonParsesOrIsRefusedWithAnIOException(final byte[] file)
    {
        try
        {
            ModelConfig.parse(new ByteArrayInputStream(file), "fuzz");
        }
        catch (final IOException refused)
        {
            // the reader's answer to a bad file
        }
        assertEquals(DEMO_FEATURES, parse(DEMO_CONFIG).featureCount());
    }

    static ModelConfig parse(final byte[] file)
    {
        try
        {
            return ModelConfig.parse(new ByteArrayInputStream(file), "demo");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] demoConfig()
    {
        try
        {
            return Files.readAllBytes(DEMO.resolve("model.json"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
