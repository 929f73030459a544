package io.scoring.gateway.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.DemoBundle;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.monitoring.GatewayMonitoring;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.monitoring.Monitoring;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferResponse;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
import io.scoring.router.state.StateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call's latency figures are its own, even when another call runs on its thread between two of its
 * callbacks, which gRPC's listener contract allows.
 *
 * <p>grpc-java 1.85's ServerCallImpl happens to hold a unary call's message back until the client
 * half-closes and then delivers both callbacks in one task (its {@code delayedMessage}); earlier
 * versions, and any server that streams, deliver the message as it arrives. So this test drives the
 * V2 ModelInfer handler's callbacks itself, on one thread, as the contract allows: call A's message,
 * then all of call B, then, {@link #HOLD_MILLIS} later, A's half-close. A's decode takes microseconds
 * and so does the gateway's work on it: neither may be measured from B's start, nor include the time
 * A's client held its half-close.
 */
class PerCallStateTest
{
    /** Longer than the last finite bucket read here (1 s), so a misattributed pause cannot hide. */
    private static final long HOLD_MILLIS = 1_200;

    private static final Pattern DECODE_WITHIN_A_SECOND = Pattern.compile(
        "scoring_stage_duration_seconds_bucket\\{stage=\"decode\",le=\"1\\.0\"} (\\d+)");
    private static final Pattern DECODES = Pattern.compile(
        "scoring_stage_duration_seconds_count\\{stage=\"decode\"} (\\d+)");
    private static final Pattern TOTAL_WITHIN_A_SECOND = Pattern.compile(
        "scoring_request_duration_seconds_bucket\\{model=\"credit-risk\",role=\"pinned\",version=\"2\",le=\"1\\.0\"} (\\d+)");
    private static final Pattern TOTALS = Pattern.compile(
        "scoring_request_duration_seconds_count\\{model=\"credit-risk\",role=\"pinned\",version=\"2\"} (\\d+)");

    private FeatureStore store;
    private Monitoring monitor;
    private ModelRegistry models;
    private ServerMethodDefinition<?, ?> modelInfer;

    @BeforeEach
    void start() throws Exception
    {
        try (InputStream in = DemoBundle.features())
        {
            store = EmbeddedFeatureStore.load(in);
        }
        final List<String> outcomes = new ArrayList<>();
        for (final Outcome outcome : Outcome.values())
        {
            outcomes.add(outcome.label());
        }
        monitor = Monitoring.start(new Monitoring.Context().outcomes(outcomes));
        final ModelRepository repository = new ModelRepository(DemoBundle.models(), store, new ModelRepository.Context().maxRows(64));
        final GatewayMonitoring monitoring = new GatewayMonitoring(monitor, repository, store);
        models = repository.loadAll(StateStore.NONE, null, monitoring, monitoring);
        monitoring.models(models);
        final ServerServiceDefinition inference =
            GrpcTransport.inferenceService(new RequestCycle(new PredictPipeline(models, 64, monitoring)), new ServerState());
        modelInfer = inference.getMethod("inference.GRPCInferenceService/ModelInfer");
    }

    @AfterEach
    void stop()
    {
        models.close();
        monitor.close();
        store.close();
    }

    @Test
    void shouldChargeAV2CallItsOwnDecodeAndTotalLatencyWhenAnotherCallRunsBetweenItsMessageAndHalfClose()
        throws Exception
    {
        final RecordingCall<?, ?> callA = new RecordingCall<>(modelInfer);
        final ServerCall.Listener<?> listenerA = callA.start();
        callA.deliver(listenerA, completeInput("A", 1.0f));

        final RecordingCall<?, ?> callB = new RecordingCall<>(modelInfer);
        final ServerCall.Listener<?> listenerB = callB.start();
        callB.deliver(listenerB, completeInput("B", 2.0f));
        listenerB.onHalfClose();
        listenerB.onComplete();

        Thread.sleep(HOLD_MILLIS);
        listenerA.onHalfClose();
        listenerA.onComplete();

        assertEquals(Status.Code.OK, callA.status.getCode(), String.valueOf(callA.status));
        assertEquals("A", ModelInferResponse.parseFrom(callA.answer).getId());
        assertEquals("B", ModelInferResponse.parseFrom(callB.answer).getId());
        final String metrics = scrape();
        assertEquals(2, value(TOTALS, metrics));
        assertEquals(value(DECODES, metrics), value(DECODE_WITHIN_A_SECOND, metrics),
            "every decode took less than a second, A's included");
        assertEquals(2, value(TOTAL_WITHIN_A_SECOND, metrics),
            "the gateway's work on each call took less than a second, A's included");
    }

    /** A complete input vector for version 2, every feature {@code value}, as raw little-endian floats. */
    private byte[] completeInput(final String id, final float value)
    {
        final int features = models.model("credit-risk").config().featureCount();
        final ByteBuffer raw = ByteBuffer.allocate(features * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < features; i++)
        {
            raw.putFloat(value);
        }
        return ModelInferRequest.newBuilder().setModelName("credit-risk").setModelVersion("2").setId(id)
            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("features").setDatatype("FP32")
                .addShape(1).addShape(features))
            .addRawInputContents(ByteString.copyFrom(raw.array()))
            .build().toByteArray();
    }

    private String scrape() throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        monitor.scrape(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static long value(final Pattern metric, final String metrics)
    {
        final Matcher matcher = metric.matcher(metrics);
        assertTrue(matcher.find(), metric.pattern() + " in\n" + metrics);
        return Long.parseLong(matcher.group(1));
    }

    /**
     * The server side of one call as gRPC's ServerCallImpl presents it to a handler: messages are the
     * request's bytes through the method's request marshaller, and an answer is serialized through its
     * response marshaller inside {@code sendMessage}, as gRPC's framer does.
     */
    private static final class RecordingCall<Req, Resp> extends ServerCall<Req, Resp>
    {
        private final ServerMethodDefinition<Req, Resp> method;
        byte[] answer;
        Status status;

        @SuppressWarnings("unchecked")
        RecordingCall(final ServerMethodDefinition<?, ?> method)
        {
            this.method = (ServerMethodDefinition<Req, Resp>)method;
        }

        ServerCall.Listener<Req> start()
        {
            return method.getServerCallHandler().startCall(this, new Metadata());
        }

        @SuppressWarnings("unchecked")
        void deliver(final ServerCall.Listener<?> listener, final byte[] request)
        {
            ((ServerCall.Listener<Req>)listener).onMessage(
                method.getMethodDescriptor().parseRequest(new java.io.ByteArrayInputStream(request)));
        }

        @Override
        public void request(final int numMessages)
        {
        }

        @Override
        public void sendHeaders(final Metadata headers)
        {
        }

        @Override
        public void sendMessage(final Resp message)
        {
            try (InputStream stream = method.getMethodDescriptor().streamResponse(message))
            {
                answer = stream.readAllBytes();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void close(final Status status, final Metadata trailers)
        {
            this.status = status;
        }

        @Override
        public boolean isCancelled()
        {
            return false;
        }

        @Override
        public Attributes getAttributes()
        {
            return Attributes.EMPTY;
        }

        @Override
        public MethodDescriptor<Req, Resp> getMethodDescriptor()
        {
            return method.getMethodDescriptor();
        }
    }
}
