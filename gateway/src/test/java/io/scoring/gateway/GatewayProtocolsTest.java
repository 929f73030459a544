package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferResponse;
import io.scoring.proto.inference.GrpcPredictV2.ModelMetadataRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelMetadataResponse;
import io.scoring.proto.inference.GrpcPredictV2.ModelReadyRequest;
import io.scoring.proto.inference.GrpcPredictV2.ServerLiveRequest;
import io.scoring.proto.inference.GrpcPredictV2.ServerReadyRequest;
import io.scoring.proto.v1.FeatureStatus;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway started on free ports, called through real gRPC and HTTP clients: own API and V2. */
class GatewayProtocolsTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ScoringGateway gateway;
    private static GatewayClients clients;
    private static DemoTestSet demo;

    @BeforeAll
    static void startGateway() throws Exception
    {
        gateway = TestGateways.startDemo();
        clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort());
        demo = new DemoTestSet();
    }

    @AfterAll
    static void stopGateway() throws Exception
    {
        clients.close();
        gateway.drain();
    }

    static PredictRequest.Builder ownRequest(final DemoTestSet.Applicant applicant)
    {
        return DemoRequests.ownRequest(demo, applicant);
    }

    @Test
    void shouldAnswerTheOwnApiOverGrpcSayingWhichVersionAndRoleServed()
    {
        final DemoTestSet.Applicant applicant = demo.testRows().get(0);
        final PredictResponse response = clients.scoring.predict(ownRequest(applicant).setRequestId("r-42").build());

        assertEquals("r-42", response.getRequestId());
        assertEquals("credit-risk", response.getModel());
        assertEquals(demo.modelConfig.get("champion").asText(), response.getVersion());
        assertEquals("champion", response.getRole());
        assertEquals(1, response.getResultsCount());
        final float score = response.getResults(0).getScores(0);
        assertTrue(score > 0 && score < 1, "a probability: " + score);
        assertEquals(0, response.getResults(0).getFeatureStatusCount(), "a stored applicant has every feature");
    }

    @Test
    void shouldAnswerTheOwnApiOverHttpJsonWithOneResultPerRow() throws Exception
    {
        final List<DemoTestSet.Applicant> applicants = demo.testRows().subList(0, 3);
        final HttpResponse<String> response = clients.post("/v1/predict", DemoRequests.ownJson(demo, applicants, "2"));

        assertEquals(200, response.statusCode(), response.body());
        final JsonNode body = JSON.readTree(response.body());
        assertEquals("json-1", body.get("request_id").asText());
        assertEquals("2", body.get("version").asText());
        assertEquals(demo.modelConfig.get("champion").asText().equals("2") ? "champion" : "pinned",
            body.get("role").asText());
        assertEquals(3, body.get("results").size());
        assertTrue(body.get("results").get(2).get("scores").get(0).asDouble() > 0);
    }

    @Test
    void shouldDefaultEveryStoredFeatureOfAnUnknownApplicantAndSaySo()
    {
        final DemoTestSet.Applicant known = demo.testRows().get(0);
        final PredictRequest request = ownRequest(known).setRows(0,
            ownRequest(known).getRows(0).toBuilder().setEntityKey("no-such-applicant")).build();

        final PredictResponse response = clients.scoring.predict(request);

        final List<FeatureStatus> statuses = response.getResults(0).getFeatureStatusList();
        final long storedFeatures = demo.featureNames.size() - demo.requestFeatures().size();
        assertEquals(storedFeatures, statuses.size());
        assertTrue(statuses.stream().allMatch((s) -> s.getReason() == FeatureStatus.Reason.ENTITY_NOT_FOUND));
    }

    @Test
    void shouldSayWhenAnOptionalRequestFeatureWasDefaulted()
    {
        final DemoTestSet.Applicant applicant = demo.testRows().get(0);
        final String optional = demo.requestFeatures().stream()
            .filter((f) -> demo.feature(f).has("default")).findFirst().orElseThrow();
        final PredictRequest.Builder request = ownRequest(applicant);
        request.setRows(0, request.getRows(0).toBuilder().removeFeatures(optional));

        final PredictResponse response = clients.scoring.predict(request.build());

        assertEquals(List.of(FeatureStatus.newBuilder().setFeature(optional)
            .setReason(FeatureStatus.Reason.NOT_IN_REQUEST).build()), response.getResults(0).getFeatureStatusList());
    }

    @Test
    void shouldAnswerV2ModelInferWithNamedInputsOverGrpc()
    {
        final DemoTestSet.Applicant applicant = demo.testRows().get(1);
        final ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("credit-risk").setId("v2-1");
        request.addInputsBuilder().setName(demo.modelConfig.get("entity_key").asText()).setDatatype("BYTES").addShape(1)
            .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8(applicant.id())));
        for (final String feature : demo.requestFeatures())
        {
            final Object value = demo.requestValue(applicant, feature);
            final var input = request.addInputsBuilder().setName(feature).addShape(1);
            if (value instanceof String text)
            {
                input.setDatatype("BYTES").setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8(text)));
            }
            else
            {
                input.setDatatype("FP64").setContents(InferTensorContents.newBuilder().addFp64Contents((Double)value));
            }
        }

        final ModelInferResponse response = clients.inference.modelInfer(request.build());
        final PredictResponse own = clients.scoring.predict(ownRequest(applicant).build());

        assertEquals("v2-1", response.getId());
        assertEquals(own.getVersion(), response.getModelVersion());
        assertEquals("champion", response.getParametersOrThrow("role").getStringParam());
        assertEquals("probability", response.getOutputs(0).getName());
        assertEquals(List.of(1L, 1L), response.getOutputs(0).getShapeList());
        assertEquals(own.getResults(0).getScores(0), response.getOutputs(0).getContents().getFp32Contents(0));
    }

    @Test
    void shouldScoreACompleteInputTensorSentAsRawBytesAsIs()
    {
        final List<DemoTestSet.Applicant> applicants = demo.testRows().subList(0, 2);
        final ByteBuffer raw = ByteBuffer.allocate(2 * demo.featureNames.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        applicants.forEach((a) -> { for (final float v : a.features()) raw.putFloat(v); });
        final ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("credit-risk").setModelVersion("2")
            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("features").setDatatype("FP32")
                .addShape(2).addShape(demo.featureNames.size()))
            .addRawInputContents(ByteString.copyFrom(raw.array()))
            .build();

        final ModelInferResponse response = clients.inference.modelInfer(request);

        assertEquals("2", response.getModelVersion());
        final ByteBuffer scores = response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 2; i++)
        {
            final float viaOwnApi = clients.scoring.predict(ownRequest(applicants.get(i)).setVersion("2").build())
                .getResults(0).getScores(0);
            assertEquals(viaOwnApi, scores.getFloat(), 1e-6f);
        }
    }

    @Test
    void shouldAnswerV2InferOverRestInBothForms() throws Exception
    {
        final DemoTestSet.Applicant applicant = demo.testRows().get(2);
        final var named = JSON.createObjectNode().put("id", "rest-1");
        final var inputs = named.putArray("inputs");
        inputs.addObject().put("name", "applicant_id").put("datatype", "BYTES").putArray("shape").add(1);
        ((com.fasterxml.jackson.databind.node.ObjectNode)inputs.get(0)).putArray("data").add(applicant.id());
        for (final String feature : demo.requestFeatures())
        {
            final Object value = demo.requestValue(applicant, feature);
            final var input = inputs.addObject().put("name", feature).put("datatype", value instanceof String ? "BYTES" : "FP32");
            input.putArray("shape").add(1);
            if (value instanceof String text)
            {
                input.putArray("data").add(text);
            }
            else
            {
                input.putArray("data").add((Double)value);
            }
        }
        final var complete = JSON.createObjectNode();
        final var tensor = complete.putArray("inputs").addObject().put("name", "features").put("datatype", "FP32");
        tensor.putArray("shape").add(1).add(demo.featureNames.size());
        final var row = tensor.putArray("data").addArray();
        for (final float v : applicant.features())
        {
            row.add(v);
        }

        final JsonNode namedAnswer = JSON.readTree(clients.post("/v2/models/credit-risk/infer", named.toString()).body());
        final JsonNode completeAnswer = JSON.readTree(clients.post("/v2/models/credit-risk/infer", complete.toString()).body());

        assertEquals("rest-1", namedAnswer.get("id").asText());
        assertEquals("champion", namedAnswer.get("parameters").get("role").asText());
        assertEquals(namedAnswer.get("model_version"), completeAnswer.get("model_version"));
        assertEquals(namedAnswer.get("outputs").get(0).get("data").get(0).floatValue(),
            completeAnswer.get("outputs").get(0).get("data").get(0).floatValue(), 1e-6f);
    }

    @Test
    void shouldDescribeTheNamedInputFormInModelMetadataOnBothTransports() throws Exception
    {
        final ModelMetadataResponse grpc = clients.inference.modelMetadata(
            ModelMetadataRequest.newBuilder().setName("credit-risk").build());
        final JsonNode rest = JSON.readTree(clients.get("/v2/models/credit-risk").body());

        assertEquals("applicant_id", grpc.getInputs(0).getName());
        assertEquals("BYTES", grpc.getInputs(0).getDatatype());
        assertEquals(1 + demo.requestFeatures().size() + 1, grpc.getInputsCount(), "the named form, then the graph's input");
        assertEquals(demo.requestFeatures(), grpc.getInputsList().subList(1, grpc.getInputsCount() - 1).stream()
            .map(ModelMetadataResponse.TensorMetadata::getName).toList());
        assertEquals("probability", grpc.getOutputs(0).getName());
        assertEquals(grpc.getInputsCount(), rest.get("inputs").size());
        assertEquals(grpc.getVersionsCount(), rest.get("versions").size());
        assertEquals(grpc.getPlatform(), rest.get("platform").asText());
    }

    @Test
    void shouldReportLiveAndReadyOnBothTransports() throws Exception
    {
        assertTrue(clients.inference.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(clients.inference.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertTrue(clients.inference.modelReady(ModelReadyRequest.newBuilder().setName("credit-risk").build()).getReady());
        assertFalse(clients.inference.modelReady(
            ModelReadyRequest.newBuilder().setName("credit-risk").setVersion("99").build()).getReady());
        assertEquals(200, clients.get("/v2/health/live").statusCode());
        assertEquals(200, clients.get("/v2/health/ready").statusCode());
        assertEquals(200, clients.get("/v2/models/credit-risk/ready").statusCode());
        assertEquals(200, clients.get("/v2/models/credit-risk/versions/1/ready").statusCode());
        assertEquals("scoring-gateway", JSON.readTree(clients.get("/v2").body()).get("name").asText());
    }
}
