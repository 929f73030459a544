package io.scoring.router.runtime;

import ai.onnxruntime.OrtException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.scoring.router.model.ModelConfig;
import io.scoring.router.runtime.nativeeval.NativeEvaluators;
import io.scoring.router.runtime.nativeeval.UnsupportedGraphException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ONNX loading path under Jazzer, on a model file as anyone with write access to the model repository
 * could leave it: the project's own ONNX graph reader ({@link NativeEvaluators#compile}, a scorer or an
 * {@link UnsupportedGraphException}) and the whole load ({@link OnnxRuntimes#load}: ONNX Runtime's session, the
 * signature check against model.json, the native evaluator if it agrees, the warm-up), a scorer or an
 * {@link OrtException} / {@link IllegalArgumentException} naming the problem, which the repository reports.
 * Nothing else is thrown, whatever loads is closed, and no ONNX Runtime session is left open. Seeds (the demo's two versions, a hand-made graph)
 * and kept findings: {@code OnnxModelFuzzTestInputs/} in the test resources.
 */
class OnnxModelFuzzTest
{
    private static final Path DEMO = Path.of("../gateway/src/main/resources/demo/models/credit-risk");
    private static final ModelConfig CONFIG = config();

    @FuzzTest(maxDuration = "5s")
    void anyModelFileLoadsOrIsRefusedWithItsReason(final byte[] model)
    {
        final int sessionsBefore = OnnxScorer.openSessions();
        try (Scorer compiled = NativeEvaluators.compile(model, CONFIG, 4, NativeEvaluators.TreeLayout.AUTO,
            CONFIG.outputs().stream().map((output) -> OutputForm.floatColumn(output.name())).toList()))
        {
            compiled.runtimeName(); // a graph the native evaluators take
        }
        catch (final UnsupportedGraphException refused)
        {
            // the native reader's answer: ONNX Runtime serves the model, or refuses it below
        }
        try (Scorer loaded = OnnxRuntimes.load(model, CONFIG, 4, OnnxRuntimes.Choice.AUTO))
        {
            loaded.runtimeName();
        }
        catch (final OrtException | IllegalArgumentException refused)
        {
            // ONNX Runtime's, or the signature check's, answer to a file that is no model for this model.json
        }
        assertEquals(sessionsBefore, OnnxScorer.openSessions(),
            "an ONNX Runtime session left open after " + model.length + " fuzzed bytes");
    }

    private static ModelConfig config()
    {
        try (InputStream in = Files.newInputStream(DEMO.resolve("model.json")))
        {
            return ModelConfig.parse(in, "demo");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
