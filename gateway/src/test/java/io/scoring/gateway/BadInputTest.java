package io.scoring.gateway;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bad input gets a clear status naming the problem, on both transports and both protocols,
 * and the gateway keeps serving afterwards (checked after every test).
 */
class BadInputTest
{
    private static ScoringGateway gateway;
    private static GatewayClients clients;
    private static DemoTestSet demo;

    @BeforeAll
    static void startGateway() throws Exception
    {
        gateway = TestGateways.startDemo(); // 64 KiB request limit
        clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort());
        demo = new DemoTestSet();
    }

    @AfterAll
    static void stopGateway() throws Exception
    {
        clients.close();
        gateway.drain();
    }

    @AfterEach
    void shouldStillServeAGoodRequest() throws Exception
    {
        final PredictResponse response = clients.scoring.predict(good().build());
        assertEquals(1, response.getResultsCount());
        assertEquals(200, clients.post("/v1/predict", DemoRequests.ownJson(demo, demo.testRows().subList(0, 1), null))
            .statusCode());
    }

    private static PredictRequest.Builder good()
    {
        return DemoRequests.ownRequest(demo, demo.testRows().get(0));
    }

    private static PredictRequest withFeature(final String name, final FeatureValue value)
    {
        final PredictRequest.Builder request = good();
        return request.setRows(0, request.getRows(0).toBuilder().putFeatures(name, value)).build();
    }

    @Test
    void shouldAnswerNotFoundForAnUnknownModelOnEveryProtocol() throws Exception
    {
        assertGrpc(Status.Code.NOT_FOUND, "nope", () -> clients.scoring.predict(good().setModel("nope").build()));
        assertGrpc(Status.Code.NOT_FOUND, "nope", () -> clients.inference.modelInfer(
            ModelInferRequest.newBuilder().setModelName("nope").build()));
        assertHttp(404, "nope", clients.post("/v1/predict", "{\"model\":\"nope\",\"rows\":[]}"));
        assertHttp(404, "nope", clients.post("/v2/models/nope/infer", "{\"inputs\":[]}"));
        assertHttp(404, "nope", clients.get("/v2/models/nope"));
        assertGrpc(Status.Code.NOT_FOUND, "'7'", () -> clients.scoring.predict(good().setVersion("7").build()));
    }

    @Test
    void shouldNameAMissingRequiredFeature() throws Exception
    {
        final String required = demo.requestFeatures().stream()
            .filter((f) -> !demo.feature(f).has("default")).findFirst().orElseThrow();
        final PredictRequest.Builder request = good();
        request.setRows(0, request.getRows(0).toBuilder().removeFeatures(required));

        assertGrpc(Status.Code.INVALID_ARGUMENT, "'" + required + "'", () -> clients.scoring.predict(request.build()));
        assertHttp(400, "'" + required + "'", clients.post("/v1/predict",
            "{\"model\":\"credit-risk\",\"rows\":[{\"entity_key\":\"A0001\",\"features\":{}}]}"));
    }

    @Test
    void shouldNameAMistypedFeature() throws Exception
    {
        assertGrpc(Status.Code.INVALID_ARGUMENT, "'duration': must be a finite number", () -> clients.scoring.predict(
            withFeature("duration", FeatureValue.newBuilder().setStringValue("twelve").build())));
        assertGrpc(Status.Code.INVALID_ARGUMENT, "'purpose': must be a category name", () -> clients.scoring.predict(
            withFeature("purpose", FeatureValue.newBuilder().setNumberValue(3).build())));
        assertGrpc(Status.Code.INVALID_ARGUMENT, "unknown category 'spaceship'", () -> clients.scoring.predict(
            withFeature("purpose", FeatureValue.newBuilder().setStringValue("spaceship").build())));
        assertGrpc(Status.Code.INVALID_ARGUMENT, "'shoe_size'", () -> clients.scoring.predict(
            withFeature("shoe_size", FeatureValue.newBuilder().setNumberValue(42).build())));
        assertHttp(400, "rows[0].features.duration", clients.post("/v1/predict",
            "{\"model\":\"credit-risk\",\"rows\":[{\"entity_key\":\"A0001\",\"features\":{\"duration\":[12]}}]}"));
        assertHttp(400, "unknown field 'row'", clients.post("/v1/predict", "{\"model\":\"credit-risk\",\"row\":[]}"));
    }

    @Test
    void shouldNameAnInputWhoseShapeDisagreesWithItsContents() throws Exception
    {
        final ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("credit-risk")
            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("applicant_id").setDatatype("BYTES")
                .addShape(2).setContents(InferTensorContents.newBuilder()
                    .addBytesContents(ByteString.copyFromUtf8("A0001"))))
            .build();
        assertGrpc(Status.Code.INVALID_ARGUMENT, "input 'applicant_id': shape [2] holds 2 elements, but its data has 1",
            () -> clients.inference.modelInfer(request));
        assertHttp(400, "input 'features': shape [1, 20] holds 20 elements, but its data has 3", clients.post(
            "/v2/models/credit-risk/infer",
            "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,20],\"data\":[1,2,3]}]}"));
        assertHttp(400, "input 'duration': datatype BYTES does not match", clients.post(
            "/v2/models/credit-risk/infer",
            "{\"inputs\":[{\"name\":\"duration\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[12]}]}"));
    }

    @Test
    void shouldRejectMalformedJsonAndProtobufAsInvalidArgument() throws Exception
    {
        assertHttp(400, "malformed JSON", clients.post("/v1/predict", "{\"model\": \"credit-risk\", "));
        assertHttp(400, "malformed JSON", clients.post("/v2/models/credit-risk/infer", "not json"));

        final byte[] notProtobuf = {0x0a, (byte)0xff, (byte)0xff, (byte)0xff};
        assertGrpc(Status.Code.INVALID_ARGUMENT, "malformed", () -> ClientCalls.blockingUnaryCall(
            clients.channel, GatewayClients.rawMethod("scoring.v1.ScoringService/Predict"), CallOptions.DEFAULT, notProtobuf));
        assertGrpc(Status.Code.INVALID_ARGUMENT, "malformed", () -> ClientCalls.blockingUnaryCall(
            clients.channel, GatewayClients.rawMethod("inference.GRPCInferenceService/ModelInfer"), CallOptions.DEFAULT, notProtobuf));
    }

    @Test
    void shouldRefuseAnOversizedBodyWithResourceExhaustedOr413() throws Exception
    {
        final PredictRequest.Builder huge = good();
        huge.setRows(0, huge.getRows(0).toBuilder().setEntityKey("x".repeat(70_000)));
        assertGrpc(Status.Code.RESOURCE_EXHAUSTED, "", () -> clients.scoring.predict(huge.build()));

        final String body = "{\"model\":\"credit-risk\",\"request_id\":\"" + "x".repeat(70_000) + "\",\"rows\":[]}";
        assertHttp(413, "larger than the limit", clients.post("/v1/predict", body));
    }

    @Test
    void shouldAnswer413EveryTimeEvenWhileTheClientIsStillSendingAMegabyteBody() throws Exception
    {
        final String body = "{\"model\":\"credit-risk\",\"request_id\":\"" + "x".repeat(1 << 20) + "\",\"rows\":[]}";
        for (int i = 0; i < 20; i++)
        {
            assertHttp(413, "larger than the limit", clients.post("/v1/predict", body));
        }
    }

    private static void assertGrpc(final Status.Code code, final String messagePart, final Executable call)
    {
        final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, ex.getStatus().getCode(), String.valueOf(ex.getStatus()));
        assertTrue(String.valueOf(ex.getStatus().getDescription()).contains(messagePart),
            "'" + ex.getStatus().getDescription() + "' should mention " + messagePart);
    }

    private static void assertHttp(final int status, final String messagePart, final HttpResponse<String> response)
    {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().startsWith("{\"error\":"), response.body());
        assertTrue(response.body().contains(messagePart), "'" + response.body() + "' should mention " + messagePart);
    }
}
