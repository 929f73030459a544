package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.scoring.proto.inference.GrpcPredictV2.ModelReadyRequest;
import io.scoring.proto.v1.PredictResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A repository with one model that cannot load beside a good one: the gateway serves the good one and
 * reports the bad one FAILED, with its reason, in the admin API, its V2 readiness and a metric; with
 * {@code --strict-models true} it refuses to start instead.
 */
class FailedModelTest
{
    private static final Path DEMO = Path.of("src/main/resources/demo/models/credit-risk");

    @TempDir
    Path dir;

    @Test
    void shouldServeTheOtherModelsAndReportTheOneThatFailedToLoad() throws Exception
    {
        final Path repository = repositoryWithABrokenModel();
        final ScoringGateway gateway = ScoringGateway.start(
            TestGateways.demoConfig(Files.createDirectory(dir.resolve("state"))).models(repository));
        try (GatewayClients clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
        {
            final DemoTestSet demo = new DemoTestSet();
            final PredictResponse served = clients.scoring.predict(
                DemoRequests.ownRequest(demo, demo.applicants.get(0)).build());
            assertEquals("credit-risk", served.getModel());

            final JsonNode models = AdminClient.json(new AdminClient(gateway.adminPort(), null).get("/admin/models"));
            JsonNode broken = null;
            for (final JsonNode model : models.get("models"))
            {
                broken = "broken".equals(model.get("name").asText()) ? model : broken;
            }
            assertEquals("FAILED", broken.get("state").asText(), models.toString());
            assertTrue(broken.get("reason").asText().contains("'inputs' must be a non-empty array"), broken.toString());

            final var ready = clients.get("/v2/models/broken/ready");
            assertEquals(503, ready.statusCode());
            assertFalse(clients.inference.modelReady(ModelReadyRequest.newBuilder().setName("broken").build()).getReady());
            assertEquals(200, clients.get("/v2/models/credit-risk/ready").statusCode());
            final var infer = clients.post("/v2/models/broken/infer", "{\"inputs\":[]}");
            assertEquals(404, infer.statusCode());
            assertTrue(infer.body().contains("FAILED to load"), infer.body());
            assertTrue(clients.get("/metrics").body().contains("scoring_model_failed{model=\"broken\"} 1.0"));
        }
        finally
        {
            gateway.drain();
        }
    }

    @Test
    void shouldRefuseToStartWithStrictModels() throws Exception
    {
        final GatewayConfig config = TestGateways.demoConfig(Files.createDirectory(dir.resolve("state")))
            .models(repositoryWithABrokenModel());
        config.modelRepositoryContext().strictModels(true);

        final IOException failure = assertThrows(IOException.class, () -> ScoringGateway.start(config));

        assertTrue(failure.getMessage().contains("'inputs' must be a non-empty array"), failure.getMessage());
    }

    /** credit-risk version 1, and "broken": a model.json whose inputs are an empty list. */
    private Path repositoryWithABrokenModel() throws IOException
    {
        final Path repository = Files.createDirectory(dir.resolve("models"));
        final Path good = Files.createDirectories(repository.resolve("credit-risk").resolve("1"));
        Files.copy(DEMO.resolve("model.json"), good.getParent().resolve("model.json"));
        Files.copy(DEMO.resolve("1").resolve("model.onnx"), good.resolve("model.onnx"));
        final Path bad = Files.createDirectories(repository.resolve("broken").resolve("1"));
        Files.writeString(bad.getParent().resolve("model.json"), Files.readString(DEMO.resolve("model.json"))
            .replace("\"name\": \"credit-risk\"", "\"name\": \"broken\"")
            .replaceFirst("\"input\": \\{\\s*\"name\": \"features\"\\s*}", "\"inputs\": []"));
        Files.copy(DEMO.resolve("1").resolve("model.onnx"), bad.resolve("model.onnx"));
        return repository;
    }
}
