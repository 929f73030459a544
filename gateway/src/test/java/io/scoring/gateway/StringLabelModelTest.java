package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.scoring.gateway.grpc.ModelInferRequestDecoder;
import io.scoring.gateway.grpc.ModelInferResponseEncoder;
import io.scoring.gateway.grpc.PredictRequestDecoder;
import io.scoring.gateway.grpc.PredictResponseEncoder;
import io.scoring.gateway.http.PredictJsonEncoder;
import io.scoring.gateway.http.V2JsonEncoder;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;
import io.grpc.StatusRuntimeException;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferResponse;
import io.scoring.proto.inference.GrpcPredictV2.ModelMetadataRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelMetadataResponse;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.testsupport.StringLabelModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's scikit-learn pipeline exported as skl2onnx writes it when the training labels are strings
 * ("good", "bad"), served by a real gateway: every transport answers each applicant's label by name,
 * the one scikit-learn predicted. A second model's two versions share a model.json but not their label
 * outputs (int64 in version 1, strings in version 2), and V2 metadata describes each as it is.
 */
class StringLabelModelTest
{
    private static final String LABELS = "credit-risk-labels";
    private static final String VERSIONS = "credit-risk-versions";
    private static final List<String> NAMES = List.of("good", "bad");
    private static final Path SKLEARN = Path.of("src/main/resources/demo/models/credit-risk-sklearn");
    private static final Path PREDICTIONS = Path.of("src/test/resources/demo/credit-risk-sklearn-predictions.csv");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 50;

    @TempDir
    static Path dir;

    private static ScoringGateway gateway;
    private static GatewayClients clients;
    private static DemoTestSet demo;
    private static Map<String, String> sklearnLabel;
    private static List<String> numeric;
    private static List<String> categorical;

    @BeforeAll
    static void startGateway() throws Exception
    {
        final Path repository = Files.createDirectory(dir.resolve("models"));
        final byte[] intLabels = Files.readAllBytes(SKLEARN.resolve("1").resolve("model.onnx"));
        writeModel(repository, LABELS, "\"bad\"", Map.of("1", StringLabelModels.withStringLabels(intLabels, NAMES)));
        writeModel(repository, VERSIONS, "1",
            Map.of("1", intLabels, "2", StringLabelModels.withStringLabels(intLabels, List.of("0", "1"))));
        gateway = ScoringGateway.start(TestGateways.demoConfig(Files.createDirectory(dir.resolve("state")))
            .models(repository));
        clients = new GatewayClients(gateway.httpPort(), gateway.grpcPort());
        demo = new DemoTestSet();
        sklearnLabel = new HashMap<>();
        for (final String line : Files.readAllLines(PREDICTIONS).subList(1, 1 + demo.applicants.size()))
        {
            final String[] cells = line.split(",");
            sklearnLabel.put(cells[0], NAMES.get(Integer.parseInt(cells[2])));
        }
        final JsonNode config = JSON.readTree(SKLEARN.resolve("model.json").toFile());
        numeric = SklearnModelTest.names(config.get("inputs").get(0).get("features"));
        categorical = SklearnModelTest.names(config.get("inputs").get(1).get("features"));
    }

    @AfterAll
    static void stopGateway() throws Exception
    {
        clients.close();
        gateway.drain();
    }

    @Test
    void shouldAnswerTheLabelByNameInPredictProtobuf()
    {
        final PredictRequest.Builder batch = PredictRequest.newBuilder().setModel(LABELS);
        for (final DemoTestSet.Applicant applicant : applicants())
        {
            batch.addRows(DemoRequests.ownRequest(demo, applicant).getRows(0));
        }

        final PredictResponse response = clients.scoring.predict(batch.build());

        int bad = 0;
        for (int i = 0; i < BATCH; i++)
        {
            final String label = response.getResults(i).getLabelsOrThrow("output_label");
            assertEquals(sklearnLabel.get(applicants().get(i).id()), label, "applicant " + applicants().get(i).id());
            assertEquals(NAMES.indexOf(label), response.getResults(i).getScores(1), "the score is the label's index");
            bad += "bad".equals(label) ? 1 : 0;
        }
        assertTrue(bad > 0 && bad < BATCH, "both labels answered: " + bad + " bad of " + BATCH);
    }

    @Test
    void shouldAnswerTheLabelByNameInPredictJson() throws Exception
    {
        final String body = DemoRequests.ownJson(demo, applicants(), null)
            .replace("\"model\":\"credit-risk\"", "\"model\":\"" + LABELS + "\"");

        final JsonNode answer = JSON.readTree(clients.post("/v1/predict", body).body());

        for (int i = 0; i < BATCH; i++)
        {
            final JsonNode result = answer.get("results").get(i);
            assertEquals("{\"output_label\":\"" + sklearnLabel.get(applicants().get(i).id()) + "\"}",
                result.get("labels").toString(), result.toString());
            assertEquals(2, result.get("scores").size(), "every output keeps its score, in config order");
        }
    }

    @Test
    void shouldLeaveLabelsOutOfNumericAnswers() throws Exception
    {
        final String body = DemoRequests.ownJson(demo, applicants().subList(0, 1), "1")
            .replace("\"model\":\"credit-risk\"", "\"model\":\"" + VERSIONS + "\"");

        final String answer = clients.post("/v1/predict", body).body();

        assertTrue(answer.contains("\"scores\":[") && !answer.contains("labels"), answer);
    }

    @Test
    void shouldAnswerTheLabelAsBytesInV2Rest() throws Exception
    {
        final ObjectNode request = completeInputs();

        final JsonNode answer = JSON.readTree(clients.post("/v2/models/" + LABELS + "/infer", request.toString()).body());

        final JsonNode label = answer.get("outputs").get(1);
        assertEquals("output_label", label.get("name").asText(), answer.toString());
        assertEquals("BYTES", label.get("datatype").asText());
        assertEquals("[" + BATCH + "]", label.get("shape").toString());
        for (int i = 0; i < BATCH; i++)
        {
            assertEquals(sklearnLabel.get(applicants().get(i).id()), label.get("data").get(i).textValue());
        }
    }

    @ParameterizedTest(name = "raw {0}")
    @ValueSource(booleans = {false, true})
    void shouldAnswerTheLabelAsBytesInV2Grpc(final boolean raw)
    {
        final ModelInferResponse response = clients.inference.modelInfer(completeInputsRequest(raw));

        assertEquals("BYTES", response.getOutputs(1).getDatatype());
        assertEquals(List.of((long)BATCH), response.getOutputs(1).getShapeList());
        final List<String> labels = new ArrayList<>();
        if (raw)
        {
            final ByteBuffer bytes = response.getRawOutputContents(1).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            while (bytes.hasRemaining())
            {
                final byte[] label = new byte[bytes.getInt()];
                bytes.get(label);
                labels.add(new String(label, StandardCharsets.UTF_8));
            }
        }
        else
        {
            response.getOutputs(1).getContents().getBytesContentsList().forEach((b) -> labels.add(b.toStringUtf8()));
        }
        assertEquals(applicants().stream().map((a) -> sklearnLabel.get(a.id())).toList(), labels);
    }

    @Test
    void shouldDescribeEachVersionsOwnOutputsInV2Metadata() throws Exception
    {
        for (final String version : List.of("1", "2"))
        {
            final ModelMetadataResponse grpc = clients.inference.modelMetadata(
                ModelMetadataRequest.newBuilder().setName(VERSIONS).setVersion(version).build());
            final JsonNode rest = JSON.readTree(clients.get("/v2/models/" + VERSIONS + "/versions/" + version).body());

            final String expected = "1".equals(version) ? "INT64" : "BYTES";
            assertEquals(List.of(version), grpc.getVersionsList());
            assertEquals("output_label", grpc.getOutputs(1).getName());
            assertEquals(expected, grpc.getOutputs(1).getDatatype(), "version " + version);
            assertEquals(List.of(-1L), grpc.getOutputs(1).getShapeList());
            assertEquals(expected, rest.get("outputs").get(1).get("datatype").asText(), rest.toString());
            assertEquals("FP32", rest.get("outputs").get(0).get("datatype").asText());
            assertEquals("[-1]", rest.get("outputs").get(1).get("shape").toString());
        }
        final JsonNode champion = JSON.readTree(clients.get("/v2/models/" + VERSIONS).body());
        assertEquals("INT64", champion.get("outputs").get(1).get("datatype").asText(), "the champion, version 1");
    }

    @Test
    void shouldAnswerNotFoundNamingAVersionThatIsNotLoaded() throws Exception
    {
        final var rest = clients.get("/v2/models/" + VERSIONS + "/versions/3");
        final StatusRuntimeException grpc = assertThrows(StatusRuntimeException.class, () -> clients.inference
            .modelMetadata(ModelMetadataRequest.newBuilder().setName(VERSIONS).setVersion("3").build()));

        assertEquals(404, rest.statusCode());
        assertTrue(rest.body().contains("no version '3'"), rest.body());
        assertEquals(Status.Code.NOT_FOUND, grpc.getStatus().getCode());
        assertTrue(grpc.getStatus().getDescription().contains("no version '3'"), grpc.getStatus().toString());
    }

    @Test
    void shouldWriteThePredictAnswerTheGeneratedClassesWrite() throws Exception
    {
        final ScoringContext ctx = ownScored();
        final PredictResponse.Builder generated = PredictResponse.newBuilder().setRequestId(ctx.requestId().toString())
            .setModel(LABELS).setVersion("1").setRole(ctx.role().wireName());
        for (int row = 0; row < ctx.rowCount(); row++)
        {
            generated.addResultsBuilder().addScores(ctx.score(row, 0)).addScores(ctx.score(row, 1))
                .putLabels("output_label", NAMES.get((int)ctx.score(row, 1)));
        }

        final byte[] written = new PredictResponseEncoder().encode(ctx).readAllBytes();

        assertArrayEquals(generated.build().toByteArray(), written);
    }

    @Test
    void shouldEncodeStringLabelsWithoutAllocating() throws Exception
    {
        final ScoringContext own = ownScored();
        final ScoringContext v2 = v2Scored(false);
        final ScoringContext v2Raw = v2Scored(true);
        final PredictResponseEncoder ownProto = new PredictResponseEncoder();
        final ModelInferResponseEncoder v2Proto = new ModelInferResponseEncoder();
        final V2JsonEncoder v2Json = new V2JsonEncoder();
        final ByteBuf out = Unpooled.buffer(64 * 1024);
        final Runnable encodeAll = () ->
        {
            ownProto.encode(own);
            v2Proto.encode(v2);
            v2Proto.encode(v2Raw);
            out.clear();
            PredictJsonEncoder.encode(own, out);
            out.clear();
            v2Json.encode(v2, out);
        };
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++)
        {
            encodeAll.run();
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20_000; i++)
        {
            encodeAll.run();
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 20,000 answers in each of five encodings");
    }

    private static ScoringContext v2Scored(final boolean raw)
    {
        final ScoringContext ctx = new ScoringContext();
        final byte[] request = completeInputsRequest(raw).toByteArray();
        assertTrue(new ModelInferRequestDecoder(gateway.models()).decode(request, 0, request.length, ctx));
        assertEquals(Outcome.OK, new PredictPipeline(gateway.models(), 64, null).predict(ctx), ctx.errorMessage());
        return ctx;
    }

    /** The first applicants' own-API request, decoded and scored in process by the gateway's models. */
    private static ScoringContext ownScored()
    {
        final PredictRequest.Builder batch = PredictRequest.newBuilder().setModel(LABELS).setRequestId("r-1");
        for (final DemoTestSet.Applicant applicant : applicants())
        {
            batch.addRows(DemoRequests.ownRequest(demo, applicant).getRows(0));
        }
        final byte[] request = batch.build().toByteArray();
        final ScoringContext ctx = new ScoringContext();
        assertTrue(new PredictRequestDecoder().decode(request, 0, request.length, ctx));
        assertEquals(Outcome.OK, new PredictPipeline(gateway.models(), 64, null).predict(ctx), ctx.errorMessage());
        return ctx;
    }

    private static List<DemoTestSet.Applicant> applicants()
    {
        return demo.applicants.subList(0, BATCH);
    }

    /** {@link #completeInputs()} as a V2 gRPC request, typed or raw. */
    private static ModelInferRequest completeInputsRequest(final boolean raw)
    {
        return SklearnCompleteInputs.request(demo, applicants(), numeric, categorical, raw).setModelName(LABELS).build();
    }

    /** The V2 complete-input body of the first applicants: the graph's numeric and categorical inputs. */
    private static ObjectNode completeInputs()
    {
        final ObjectNode body = JSON.createObjectNode();
        final ArrayNode inputs = body.putArray("inputs");
        final ObjectNode numbers = inputs.addObject().put("name", "numeric").put("datatype", "FP32");
        numbers.putArray("shape").add(BATCH).add(numeric.size());
        final ObjectNode names = inputs.addObject().put("name", "categorical").put("datatype", "BYTES");
        names.putArray("shape").add(BATCH).add(categorical.size());
        final ArrayNode numberData = numbers.putArray("data");
        final ArrayNode nameData = names.putArray("data");
        for (final DemoTestSet.Applicant applicant : applicants())
        {
            numeric.forEach((feature) -> numberData.add((Double)demo.requestValue(applicant, feature)));
            categorical.forEach((feature) -> nameData.add((String)demo.requestValue(applicant, feature)));
        }
        return body;
    }

    /** The sklearn demo's model.json under {@code name}, its ZipMap's class {@code zipMapClass}, with these versions. */
    private static void writeModel(final Path repository, final String name, final String zipMapClass,
        final Map<String, byte[]> versions) throws Exception
    {
        final Path model = Files.createDirectory(repository.resolve(name));
        Files.writeString(model.resolve("model.json"), Files.readString(SKLEARN.resolve("model.json"))
            .replace("\"name\": \"credit-risk-sklearn\"", "\"name\": \"" + name + "\"")
            .replace("\"class\": 1", "\"class\": " + zipMapClass));
        for (final Map.Entry<String, byte[]> version : versions.entrySet())
        {
            Files.write(Files.createDirectory(model.resolve(version.getKey())).resolve("model.onnx"), version.getValue());
        }
    }
}
