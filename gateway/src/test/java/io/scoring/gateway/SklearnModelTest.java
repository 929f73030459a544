package io.scoring.gateway;

import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferResponse;
import io.scoring.proto.inference.GrpcPredictV2.ModelMetadataRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelMetadataResponse;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.router.traffic.TrafficPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's second model, {@code credit-risk-sklearn}: a scikit-learn pipeline exported in skl2onnx's
 * layout (inputs {@code numeric} float [N, 7] and {@code categorical} string [N, 13]; outputs
 * {@code output_label} int64 and {@code output_probability}, a ZipMap in version 1, [N, 2] in version 2),
 * served beside {@code credit-risk} and called through real clients. Every applicant, enriched from the
 * embedded store, scores as ONNX Runtime scores the model on the applicant's complete inputs, and as
 * scikit-learn itself did (training/sklearn/credit_risk_sklearn.py wrote its predictions).
 */
class SklearnModelTest
{
    private static final String MODEL = "credit-risk-sklearn";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 200;

    private static ScoringGateway gateway;
    private static GatewayClients clients;
    private static DemoTestSet demo;
    private static JsonNode config;
    private static List<String> numeric;
    private static List<String> categorical;

    @BeforeAll
    static void startGateway() throws Exception
    {
        gateway = TestGateways.startDemo();
        clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort());
        demo = new DemoTestSet();
        try (InputStream in = resource("demo/models/" + MODEL + "/model.json"))
        {
            config = JSON.readTree(in);
        }
        numeric = names(config.get("inputs").get(0).get("features"));
        categorical = names(config.get("inputs").get(1).get("features"));
    }

    @AfterAll
    static void stopGateway() throws Exception
    {
        clients.close();
        gateway.drain();
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(strings = {"1", "2"})
    void shouldScoreEveryApplicantOverGrpcAsOnnxRuntimeAndScikitLearnDo(final String version) throws Exception
    {
        final Expected expected = Expected.of(version);
        for (int from = 0; from < demo.applicants.size(); from += BATCH)
        {
            final PredictRequest.Builder batch = PredictRequest.newBuilder().setModel(MODEL).setVersion(version);
            for (final DemoTestSet.Applicant applicant : demo.applicants.subList(from, from + BATCH))
            {
                batch.addRows(DemoRequests.ownRequest(demo, applicant).getRows(0));
            }
            final PredictResponse response = clients.scoring.predict(batch.build());
            assertEquals(version, response.getVersion());
            for (int i = 0; i < BATCH; i++)
            {
                expected.assertRow(from + i, response.getResults(i).getScores(0), response.getResults(i).getScores(1));
            }
        }
    }

    @Test
    void shouldScoreEveryApplicantOverHttpJsonAsOnnxRuntimeDoes() throws Exception
    {
        final Expected expected = Expected.of("1");
        for (int from = 0; from < demo.applicants.size(); from += BATCH)
        {
            final String body = DemoRequests.ownJson(demo, demo.applicants.subList(from, from + BATCH), "1")
                .replace("\"model\":\"credit-risk\"", "\"model\":\"" + MODEL + "\"");
            final JsonNode answer = JSON.readTree(clients.post("/v1/predict", body).body());
            for (int i = 0; i < BATCH; i++)
            {
                final JsonNode scores = answer.get("results").get(i).get("scores");
                expected.assertRow(from + i, scores.get(0).floatValue(), scores.get(1).floatValue());
            }
        }
    }

    @ParameterizedTest(name = "raw {0}")
    @ValueSource(booleans = {false, true})
    void shouldScoreTheGraphsOwnInputsSentCompleteOverV2Grpc(final boolean raw) throws Exception
    {
        final Expected expected = Expected.of("2");
        final List<DemoTestSet.Applicant> applicants = demo.applicants.subList(0, BATCH);
        final ModelInferRequest.Builder request = SklearnCompleteInputs.request(demo, applicants, numeric, categorical, raw)
            .setModelName(MODEL).setModelVersion("2");

        final ModelInferResponse response = clients.inference.modelInfer(request.build());

        assertEquals("output_probability", response.getOutputs(0).getName());
        assertEquals(List.of((long)BATCH, 1L), response.getOutputs(0).getShapeList());
        assertEquals("INT64", response.getOutputs(1).getDatatype());
        assertEquals(List.of((long)BATCH), response.getOutputs(1).getShapeList());
        for (int i = 0; i < BATCH; i++)
        {
            if (raw)
            {
                expected.assertRow(i,
                    response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat(4 * i),
                    response.getRawOutputContents(1).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong(8 * i));
            }
            else
            {
                expected.assertRow(i, response.getOutputs(0).getContents().getFp32Contents(i),
                    response.getOutputs(1).getContents().getInt64Contents(i));
            }
        }
    }

    @Test
    void shouldScoreTheGraphsOwnInputsSentCompleteOverV2Rest() throws Exception
    {
        final Expected expected = Expected.of("1");
        final List<DemoTestSet.Applicant> applicants = demo.applicants.subList(0, BATCH);
        final ObjectNode body = JSON.createObjectNode();
        final ArrayNode inputs = body.putArray("inputs");
        final ObjectNode numbers = inputs.addObject().put("name", "numeric").put("datatype", "FP32");
        numbers.putArray("shape").add(BATCH).add(numeric.size());
        final ObjectNode names = inputs.addObject().put("name", "categorical").put("datatype", "BYTES");
        names.putArray("shape").add(BATCH).add(categorical.size());
        final ArrayNode numberData = numbers.putArray("data");
        final ArrayNode nameData = names.putArray("data");
        for (final DemoTestSet.Applicant applicant : applicants)
        {
            numeric.forEach((feature) -> numberData.add((Double)value(applicant, feature)));
            categorical.forEach((feature) -> nameData.add((String)value(applicant, feature)));
        }

        final JsonNode answer = JSON.readTree(clients.post("/v2/models/" + MODEL + "/versions/1/infer", body.toString()).body());

        final JsonNode probability = answer.get("outputs").get(0);
        final JsonNode label = answer.get("outputs").get(1);
        assertEquals("FP32", probability.get("datatype").asText(), answer.toString());
        assertEquals("[" + BATCH + "]", probability.get("shape").toString(), "a ZipMap's column: one number per row");
        assertEquals("INT64", label.get("datatype").asText());
        for (int i = 0; i < BATCH; i++)
        {
            assertTrue(label.get("data").get(i).isIntegralNumber());
            expected.assertRow(i, probability.get("data").get(i).floatValue(), label.get("data").get(i).longValue());
        }
    }

    @Test
    void shouldRefuseAnUnknownCategoryInAStringInputNamingTheInputAndFeature() throws Exception
    {
        final String body = "{\"inputs\":[{\"name\":\"numeric\",\"datatype\":\"FP32\",\"shape\":[1,7],\"data\":[1,2,3,4,5,6,7]}," +
            "{\"name\":\"categorical\",\"datatype\":\"BYTES\",\"shape\":[1,13],\"data\":[\"<0\",\"nope\",\"x\",\"x\",\"x\"," +
            "\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]}]}";

        final var response = clients.post("/v2/models/" + MODEL + "/infer", body);

        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("input 'categorical': row 0, feature 'credit_history': unknown category 'nope'"),
            response.body());
    }

    @Test
    void shouldDescribeTheGraphsInputsAndOutputsInV2Metadata() throws Exception
    {
        final ModelMetadataResponse grpc = clients.inference.modelMetadata(
            ModelMetadataRequest.newBuilder().setName(MODEL).build());
        final JsonNode rest = JSON.readTree(clients.get("/v2/models/" + MODEL).body());

        final Map<String, String> inputs = new HashMap<>();
        grpc.getInputsList().forEach((t) -> inputs.put(t.getName(), t.getDatatype() + t.getShapeList()));
        assertEquals("FP32[-1, 7]", inputs.get("numeric"));
        assertEquals("BYTES[-1, 13]", inputs.get("categorical"));
        assertEquals("BYTES[-1]", inputs.get("applicant_id"));
        assertEquals("output_probability", grpc.getOutputs(0).getName());
        assertEquals("FP32", grpc.getOutputs(0).getDatatype());
        assertEquals(List.of(-1L), grpc.getOutputs(0).getShapeList());
        assertEquals("output_label", grpc.getOutputs(1).getName());
        assertEquals("INT64", grpc.getOutputs(1).getDatatype());
        assertEquals(grpc.getInputsCount(), rest.get("inputs").size());
        assertEquals("INT64", rest.get("outputs").get(1).get("datatype").asText());
    }

    @Test
    void shouldServeItBesideTheFirstDemoModelWithCanaryShadowAndMonitoring() throws Exception
    {
        final GatewayConfig gatewayConfig = TestGateways.demoConfig(Files.createTempDirectory("scoring-state"));
        gatewayConfig.monitoringContext().defaultSamplingPercent(100);
        final ScoringGateway monitored = ScoringGateway.start(gatewayConfig, "");
        monitored.models().setPolicy(MODEL, new TrafficPolicy("1", new TrafficPolicy.Share("2", 5_000),
            List.of(new TrafficPolicy.Share("2", 10_000))), "test");
        final AdminClient admin = new AdminClient(monitored.adminPort(), null);
        try (GatewayClients own = new GatewayClients(monitored.httpPort(), monitored.grpcPort()))
        {
            final Map<String, Integer> byRole = new HashMap<>();
            for (final DemoTestSet.Applicant applicant : demo.applicants.subList(0, 400))
            {
                final PredictResponse response = own.scoring.predict(
                    DemoRequests.ownRequest(demo, applicant).setModel(MODEL).build());
                byRole.merge(response.getRole() + " " + response.getVersion(), 1, Integer::sum);
            }
            assertEquals(2, byRole.size(), "champion 1 and canary 2 both answer: " + byRole);
            assertTrue(byRole.get("canary 2") > 120 && byRole.get("champion 1") > 120, byRole.toString());

            final JsonNode comparison = DriftAndComparisonTest.await(
                () -> DriftAndComparisonTest.get(admin, "/admin/models/" + MODEL + "/comparison"),
                (report) -> report.path("challengers").path(0).path("pairs").asInt() >= 100);
            assertEquals("2", comparison.path("challengers").path(0).path("version").asText());
            final JsonNode drift = DriftAndComparisonTest.await(
                () -> DriftAndComparisonTest.get(admin, "/admin/models/" + MODEL + "/drift"),
                (report) -> DriftAndComparisonTest.versionNamed(report.path("versions"), "1").path("window_rows").asInt() >= 100);
            assertTrue(DriftAndComparisonTest.versionNamed(drift.path("versions"), "1").path("window_rows").asInt() >= 100);
            final String metrics = own.get("/metrics").body();
            assertTrue(metrics.contains("model=\"" + MODEL + "\""), "its requests are measured");
        }
        finally
        {
            monitored.drain();
        }
    }

    private static Object value(final DemoTestSet.Applicant applicant, final String feature)
    {
        return demo.requestValue(applicant, feature);
    }

    /** The texts of a JSON array of strings (model.json's feature lists). */
    static List<String> names(final JsonNode array)
    {
        final List<String> names = new ArrayList<>();
        array.forEach((n) -> names.add(n.asText()));
        return names;
    }

    private static InputStream resource(final String name) throws IOException
    {
        return SklearnModelTest.class.getClassLoader().getResourceAsStream(name);
    }

    /** ONNX Runtime's own scores on every applicant's complete inputs, and scikit-learn's predictions. */
    private record Expected(float[] probability, long[] label, double[] sklearnProbability, long[] sklearnLabel)
    {
        static Expected of(final String version) throws Exception
        {
            final int n = demo.applicants.size();
            final float[][] numbers = new float[n][numeric.size()];
            final String[] names = new String[n * categorical.size()];
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < numeric.size(); c++)
                {
                    numbers[i][c] = ((Double)value(demo.applicants.get(i), numeric.get(c))).floatValue();
                }
                for (int c = 0; c < categorical.size(); c++)
                {
                    names[i * categorical.size() + c] = (String)value(demo.applicants.get(i), categorical.get(c));
                }
            }
            final byte[] model;
            try (InputStream in = resource("demo/models/" + MODEL + "/" + version + "/model.onnx"))
            {
                model = in.readAllBytes();
            }
            final OrtEnvironment env = OrtEnvironment.getEnvironment();
            final float[] probability = new float[n];
            final long[] label;
            try (OrtSession session = env.createSession(model);
                 OnnxTensor numberTensor = OnnxTensor.createTensor(env, numbers);
                 OnnxTensor nameTensor = OnnxTensor.createTensor(env, names, new long[]{n, categorical.size()});
                 OrtSession.Result result = session.run(Map.of("numeric", numberTensor, "categorical", nameTensor)))
            {
                label = (long[])result.get("output_label").orElseThrow().getValue();
                final OnnxValue probabilities = result.get("output_probability").orElseThrow();
                for (int i = 0; i < n; i++)
                {
                    probability[i] = probabilities.getValue() instanceof float[][] matrix ? matrix[i][1] :
                        (Float)((OnnxMap)((List<?>)probabilities.getValue()).get(i)).getValue().get(1L);
                }
            }
            final List<String> lines = new ArrayList<>();
            try (InputStream in = resource("demo/credit-risk-sklearn-predictions.csv"))
            {
                lines.addAll(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
            }
            final double[] sklearnProbability = new double[n];
            final long[] sklearnLabel = new long[n];
            final int column = "1".equals(version) ? 1 : 3;
            for (int i = 0; i < n; i++)
            {
                final String[] cells = lines.get(i + 1).split(",");
                assertEquals(demo.applicants.get(i).id(), cells[0]);
                sklearnProbability[i] = Double.parseDouble(cells[column]);
                sklearnLabel[i] = Long.parseLong(cells[column + 1]);
            }
            return new Expected(probability, label, sklearnProbability, sklearnLabel);
        }

        void assertRow(final int applicant, final float servedProbability, final double servedLabel)
        {
            final String who = "applicant " + demo.applicants.get(applicant).id();
            assertEquals(probability[applicant], servedProbability, 1e-6f, who + ": ONNX Runtime's own score");
            assertEquals(sklearnProbability[applicant], servedProbability, 1e-5, who + ": scikit-learn's score");
            assertEquals(label[applicant], (long)servedLabel, who + ": ONNX Runtime's label");
            assertEquals(sklearnLabel[applicant], (long)servedLabel, who + ": scikit-learn's label");
        }
    }
}
