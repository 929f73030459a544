package io.scoring.gateway;

import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.scoring.gateway.grpc.RandomInferRequests;
import io.scoring.gateway.http.RandomInferBodies;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded mutation corpus against all six request decoders through the real server and real
 * clients: the own API's JSON over HTTP and protobuf over gRPC; V2 JSON with named inputs and with
 * the complete tensor; V2 gRPC with typed and with raw contents. Valid requests are mutated (byte
 * flips, insertions, deletions, truncations, duplicated runs) and joined by hand-made hostile ones
 * (deep nesting, huge names and numbers, values of the wrong type). No answer may be a server error
 * (HTTP 5xx; gRPC INTERNAL, UNKNOWN, DATA_LOSS, UNAVAILABLE), and the server must answer valid
 * requests on every protocol afterwards. The statuses seen are printed per decoder.
 */
class MutationCorpusTest
{
    private static final int PER_DECODER = 1_500;
    private static final Set<Status.Code> SERVER_ERRORS =
        Set.of(Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.DATA_LOSS, Status.Code.UNAVAILABLE);
    private static final String[] HOSTILE_JSON_VALUES = {
        "{}", "[]", "null", "true", "\"x\"", "-0", "1e999", "9".repeat(2_000), "[".repeat(5_000) + "]".repeat(5_000),
        "{\"a\":".repeat(500) + "1" + "}".repeat(500), "\"" + "n".repeat(60_000) + "\"", "\"\\ud800\"", "0.1e-99999"};

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

    @Test
    void shouldAnswerNoMutatedRequestWithAServerErrorOnAnyDecoderAndKeepServing() throws Exception
    {
        final Random random = new Random(20261206L);
        final List<DemoTestSet.Applicant> applicants = demo.testRows();
        final Map<String, Map<String, Integer>> seen = new TreeMap<>();

        final List<byte[]> own = new ArrayList<>();
        final List<byte[]> ownJson = new ArrayList<>();
        final List<byte[]> namedJson = new ArrayList<>();
        final List<byte[]> completeJson = new ArrayList<>();
        final List<byte[]> typed = new ArrayList<>();
        final List<byte[]> raw = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            final DemoTestSet.Applicant applicant = applicants.get(random.nextInt(applicants.size()));
            own.add(DemoRequests.ownRequest(demo, applicant).setRequestId("m-" + i).build().toByteArray());
            ownJson.add(utf8(DemoRequests.ownJson(demo, List.of(applicant), null)));
            final ModelInferRequest namedTyped = RandomInferRequests.named(applicant.id(), false);
            namedJson.add(utf8(RandomInferBodies.body(random, namedTyped)));
            completeJson.add(utf8(RandomInferBodies.body(random, RandomInferRequests.complete(random, 1 + random.nextInt(3), false))));
            typed.add(namedTyped.toByteArray());
            raw.add((random.nextBoolean() ? RandomInferRequests.named(applicant.id(), true)
                : RandomInferRequests.complete(random, 1 + random.nextInt(3), true)).toByteArray());
        }

        for (int i = 0; i < PER_DECODER; i++)
        {
            http(seen, "own JSON /v1/predict", "/v1/predict", json(random, ownJson));
            http(seen, "V2 JSON named inputs", "/v2/models/credit-risk/infer", json(random, namedJson));
            http(seen, "V2 JSON complete tensor", "/v2/models/credit-risk/infer", json(random, completeJson));
            grpc(seen, "own gRPC Predict", "scoring.v1.ScoringService/Predict", protobuf(random, own));
            grpc(seen, "V2 gRPC typed contents", "inference.GRPCInferenceService/ModelInfer", protobuf(random, typed));
            grpc(seen, "V2 gRPC raw contents", "inference.GRPCInferenceService/ModelInfer", protobuf(random, raw));
        }
        seen.forEach((decoder, statuses) -> System.out.println("mutation corpus, " + decoder + ": " + statuses));

        for (final Map.Entry<String, Map<String, Integer>> decoder : seen.entrySet())
        {
            for (final String status : decoder.getValue().keySet())
            {
                assertTrue(!status.startsWith("5") && SERVER_ERRORS.stream().noneMatch((c) -> status.equals(c.name())),
                    decoder.getKey() + " answered " + status + ": " + seen);
            }
        }
        shouldStillServeValidRequestsOnEveryProtocol(applicants.get(0));
    }

    private static void shouldStillServeValidRequestsOnEveryProtocol(final DemoTestSet.Applicant applicant) throws Exception
    {
        assertEquals(1, clients.scoring.predict(DemoRequests.ownRequest(demo, applicant).build()).getResultsCount());
        assertEquals(200, clients.post("/v1/predict", DemoRequests.ownJson(demo, List.of(applicant), null)).statusCode());
        assertEquals(1, clients.inference.modelInfer(RandomInferRequests.named(applicant.id(), false)).getOutputsCount());
        assertEquals(1, clients.inference.modelInfer(RandomInferRequests.named(applicant.id(), true)).getRawOutputContentsCount());
        final HttpResponse<String> v2 = clients.post("/v2/models/credit-risk/infer",
            RandomInferBodies.body(new Random(1), RandomInferRequests.named(applicant.id(), false)));
        assertEquals(200, v2.statusCode(), v2.body());
    }

    private static void http(final Map<String, Map<String, Integer>> seen, final String decoder, final String path,
        final byte[] body) throws Exception
    {
        final HttpResponse<String> response = clients.post(path, body);
        count(seen, decoder, Integer.toString(response.statusCode()));
        if (response.statusCode() >= 500)
        {
            System.out.println(decoder + " answered " + response.statusCode() + " " + response.body() + " to " +
                new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8));
        }
    }

    private static void grpc(final Map<String, Map<String, Integer>> seen, final String decoder, final String method,
        final byte[] message)
    {
        String status;
        try
        {
            ClientCalls.blockingUnaryCall(clients.channel, GatewayClients.rawMethod(method), CallOptions.DEFAULT, message);
            status = Status.Code.OK.name();
        }
        catch (final StatusRuntimeException ex)
        {
            status = ex.getStatus().getCode().name();
            if (SERVER_ERRORS.contains(ex.getStatus().getCode()))
            {
                System.out.println(decoder + " answered " + ex.getStatus());
            }
        }
        count(seen, decoder, status);
    }

    private static void count(final Map<String, Map<String, Integer>> seen, final String decoder, final String status)
    {
        seen.computeIfAbsent(decoder, (d) -> new TreeMap<>()).merge(status, 1, Integer::sum);
    }

    /** A mutated valid body, or one with a hostile value put in the place of one of its values. */
    private static byte[] json(final Random random, final List<byte[]> valid)
    {
        final byte[] body = valid.get(random.nextInt(valid.size()));
        if (random.nextInt(8) != 0)
        {
            return mutate(random, body);
        }
        final String text = new String(body, StandardCharsets.UTF_8);
        final List<Integer> values = new ArrayList<>();
        for (int i = 0; i < text.length(); i++)
        {
            if (text.charAt(i) == ':' || text.charAt(i) == '[')
            {
                values.add(i + 1);
            }
        }
        final int at = values.get(random.nextInt(values.size()));
        final String hostile = HOSTILE_JSON_VALUES[random.nextInt(HOSTILE_JSON_VALUES.length)];
        final String replaced = random.nextBoolean() ? text.substring(0, at) + hostile + "," + text.substring(at)
            : "{\"" + "k".repeat(random.nextInt(60_000)) + "\":" + hostile + "," + text.substring(1);
        return utf8(replaced);
    }

    /** A mutated valid message, or one nested in groups, or with a huge unknown field. */
    private static byte[] protobuf(final Random random, final List<byte[]> valid)
    {
        final byte[] message = valid.get(random.nextInt(valid.size()));
        switch (random.nextInt(10))
        {
            case 0 ->
            {
                final int depth = 90 + random.nextInt(20);
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(message);
                for (int i = 0; i < depth; i++)
                {
                    out.write(0x4B); // start group 9
                }
                for (int i = 0; i < depth; i++)
                {
                    out.write(0x4C);
                }
                return out.toByteArray();
            }
            case 1 ->
            {
                final int size = random.nextInt(70_000);
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(0x1A); // the id (field 3 in both requests), huge
                writeVarint(out, size);
                out.writeBytes("i".repeat(size).getBytes(StandardCharsets.UTF_8));
                out.writeBytes(message);
                return out.toByteArray();
            }
            default ->
            {
                return mutate(random, message);
            }
        }
    }

    private static void writeVarint(final ByteArrayOutputStream out, final int value)
    {
        int v = value;
        while ((v & ~0x7F) != 0)
        {
            out.write(v & 0x7F | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    /** Byte flips, insertions, deletions, duplicated runs, and truncation. */
    private static byte[] mutate(final Random random, final byte[] bytes)
    {
        byte[] out = bytes;
        for (int m = 1 + random.nextInt(4); m > 0 && out.length > 0; m--)
        {
            final int at = random.nextInt(out.length);
            final ByteArrayOutputStream next = new ByteArrayOutputStream();
            next.write(out, 0, at);
            switch (random.nextInt(5))
            {
                case 0 -> next.write(random.nextInt(256));
                case 1 -> next.write(out[at] ^ 1 << random.nextInt(8));
                case 2 -> next.write(out, at, Math.min(out.length - at, 1 + random.nextInt(16)));
                case 3 -> next.write("{[\",:]}0-e".charAt(random.nextInt(10)));
                default ->
                {
                    // a deletion
                }
            }
            final int from = Math.min(out.length, at + random.nextInt(3));
            next.write(out, from, out.length - from);
            out = next.toByteArray();
        }
        return random.nextInt(10) == 0 ? java.util.Arrays.copyOf(out, random.nextInt(out.length + 1)) : out;
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
