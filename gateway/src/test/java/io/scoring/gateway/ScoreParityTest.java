package io.scoring.gateway;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's score for an applicant, enriched from the store, equals ONNX Runtime's score on the
 * applicant's complete vector as the training command encoded it: for every test row and version.
 */
class ScoreParityTest
{
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

    @ParameterizedTest(name = "version {0}")
    @ValueSource(strings = {"1", "2"})
    void shouldScoreEveryTestRowExactlyAsOnnxRuntimeDoesOnTheSameVector(final String version) throws Exception
    {
        final List<DemoTestSet.Applicant> testRows = demo.testRows();
        assertTrue(testRows.size() >= 250, "the 30% test split of 1,000 applicants");
        final float[] expected = scoreDirectly(version, testRows);

        for (int i = 0; i < testRows.size(); i++)
        {
            final PredictRequest request = withDemo(testRows.get(i)).setVersion(version).build();
            final PredictResponse response = clients.scoring.predict(request);
            assertEquals(expected[i], response.getResults(0).getScores(0), 1e-6f,
                "applicant " + testRows.get(i).id() + ", version " + version);
        }
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(strings = {"1", "2"})
    void shouldScoreTheWholeTestSetInOneBatchAsOnnxRuntimeDoes(final String version) throws Exception
    {
        final List<DemoTestSet.Applicant> testRows = demo.testRows();
        final float[] expected = scoreDirectly(version, testRows);
        final PredictRequest.Builder batch = PredictRequest.newBuilder().setModel("credit-risk").setVersion(version);
        testRows.forEach((applicant) -> batch.addRows(withDemo(applicant).getRows(0)));

        final PredictResponse response = clients.scoring.predict(batch.build());

        assertEquals(testRows.size(), response.getResultsCount());
        for (int i = 0; i < testRows.size(); i++)
        {
            assertEquals(expected[i], response.getResults(i).getScores(0), 1e-6f, "applicant " + testRows.get(i).id());
        }
    }

    private static PredictRequest.Builder withDemo(final DemoTestSet.Applicant applicant)
    {
        return DemoRequests.ownRequest(demo, applicant);
    }

    /** ONNX Runtime called directly, in its own session, on the training command's encoded vectors. */
    private static float[] scoreDirectly(final String version, final List<DemoTestSet.Applicant> rows) throws Exception
    {
        final OrtEnvironment env = OrtEnvironment.getEnvironment();
        final byte[] model;
        try (InputStream in = ScoreParityTest.class.getClassLoader()
            .getResourceAsStream("demo/models/credit-risk/" + version + "/model.onnx"))
        {
            model = in.readAllBytes();
        }
        final float[][] vectors = rows.stream().map(DemoTestSet.Applicant::features).toArray(float[][]::new);
        try (OrtSession session = env.createSession(model);
             OnnxTensor input = OnnxTensor.createTensor(env, vectors);
             OrtSession.Result result = session.run(Map.of("features", input)))
        {
            final float[][] scores = (float[][])result.get("probability").orElseThrow().getValue();
            final float[] flat = new float[scores.length];
            for (int i = 0; i < scores.length; i++)
            {
                flat[i] = scores[i][0];
            }
            return flat;
        }
    }
}
