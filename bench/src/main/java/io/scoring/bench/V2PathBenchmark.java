package io.scoring.bench;

import com.google.protobuf.ByteString;
import io.grpc.Drainable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.scoring.bench.load.DemoWorkload;
import io.scoring.gateway.grpc.ModelInferRequestDecoder;
import io.scoring.gateway.grpc.ModelInferResponseEncoder;
import io.scoring.gateway.grpc.PredictRequestDecoder;
import io.scoring.gateway.grpc.PredictResponseEncoder;
import io.scoring.gateway.http.JsonBodyException;
import io.scoring.gateway.http.PredictJsonDecoder;
import io.scoring.gateway.http.PredictJsonEncoder;
import io.scoring.gateway.http.V2JsonDecoder;
import io.scoring.gateway.http.V2JsonEncoder;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Does a V2 (Open Inference Protocol) request cost what the own API's does, bytes to bytes, and does
 * anything on its way allocate?
 *
 * <p>The same 1,000 demo applicants as the load generator's, each with a request id, in each form:
 * <ul>
 *   <li>{@code ownGrpc}, {@code ownJson}: the own API's Predict (protobuf as gRPC hands it, JSON as
 *   Netty hands it);</li>
 *   <li>{@code v2GrpcTyped}, {@code v2GrpcRaw}: V2 ModelInfer with named inputs (the entity key and the
 *   four request-time features), typed contents or raw contents;</li>
 *   <li>{@code v2Json}: the same request as a V2 JSON body.</li>
 * </ul>
 * Each runs the whole path: decode, predict (route, store lookup, assemble, score with the native
 * evaluator), encode (drained as gRPC's framer does, or into a pooled ByteBuf as Netty's handler
 * does), then finish (meters, prediction memory, 1% sampling: the gateway's monitoring). Transport
 * objects (calls, metadata, HTTP messages) are not part of it.
 *
 * <pre>
 *   mvn -B -q -pl bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar V2PathBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    // Netty's default (simple) leak detection records a stack trace for one buffer in 128
    "-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Thread)
public class V2PathBenchmark
{
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final GrpcCodecBenchmark.MessageStream message = new GrpcCodecBenchmark.MessageStream();
    private final GrpcCodecBenchmark.FramerSink framer = new GrpcCodecBenchmark.FramerSink();
    private final PredictRequestDecoder ownDecoder = new PredictRequestDecoder();
    private final PredictResponseEncoder ownEncoder = new PredictResponseEncoder();
    private final PredictJsonDecoder ownJsonDecoder = new PredictJsonDecoder();
    private final V2JsonDecoder v2JsonDecoder = new V2JsonDecoder();
    private final V2JsonEncoder v2JsonEncoder = new V2JsonEncoder();
    private final ModelInferResponseEncoder v2Encoder = new ModelInferResponseEncoder();
    private ModelInferRequestDecoder v2Decoder;

    private MonitoredDemo demo;
    private ModelRegistry models;
    private PredictPipeline pipeline;
    private Model model;
    private byte[][] own;
    private byte[][] v2Typed;
    private byte[][] v2Raw;
    private ByteBuf[] ownJson;
    private ByteBuf[] v2Json;
    private int next;

    @Setup
    public void load() throws Exception
    {
        demo = new MonitoredDemo("auto");
        models = demo.models;
        pipeline = demo.pipeline;
        model = models.model("credit-risk");
        v2Decoder = new ModelInferRequestDecoder(models);

        final PredictRequest[] workload = DemoWorkload.ownRequests();
        own = new byte[workload.length][];
        v2Typed = new byte[workload.length][];
        v2Raw = new byte[workload.length][];
        ownJson = new ByteBuf[workload.length];
        v2Json = new ByteBuf[workload.length];
        for (int i = 0; i < workload.length; i++)
        {
            final String id = String.format("0b9f6c1e-5d2a-4f4e-9a7b-%012d", i);
            final PredictRequest request = workload[i].toBuilder().setRequestId(id).build();
            own[i] = request.toByteArray();
            v2Typed[i] = v2(request, false).toByteArray();
            v2Raw[i] = v2(request, true).toByteArray();
            ownJson[i] = direct(ownJson(request));
            v2Json[i] = direct(v2Json(request));
        }
        for (int i = 0; i < workload.length; i++)
        {
            if (ownGrpc() <= 0 || v2GrpcTyped() <= 0 || v2GrpcRaw() <= 0 || ownJson() <= 0 || v2Json() <= 0)
            {
                throw new IllegalStateException(ScoringContext.ofThread().errorMessage());
            }
        }
    }

    @TearDown
    public void close()
    {
        for (int i = 0; i < ownJson.length; i++)
        {
            ownJson[i].release();
            v2Json[i].release();
        }
        demo.close();
    }

    @Benchmark
    public int ownGrpc() throws IOException
    {
        final ScoringContext ctx = ScoringContext.ofThread().received(System.nanoTime());
        if (!ownDecoder.decode(message.wrap(own[next]), ctx))
        {
            return -1;
        }
        return answer(ctx, false);
    }

    @Benchmark
    public int v2GrpcTyped() throws IOException
    {
        return v2Grpc(v2Typed[next]);
    }

    @Benchmark
    public int v2GrpcRaw() throws IOException
    {
        return v2Grpc(v2Raw[next]);
    }

    private int v2Grpc(final byte[] request) throws IOException
    {
        final ScoringContext ctx = ScoringContext.ofThread().received(System.nanoTime());
        if (!v2Decoder.decode(message.wrap(request), ctx))
        {
            return -1;
        }
        return answer(ctx, true);
    }

    /** Predicts, encodes and drains the answer as gRPC's marshaller and framer do inside sendMessage, finishes. */
    private int answer(final ScoringContext ctx, final boolean v2) throws IOException
    {
        ctx.decoded(System.nanoTime());
        final Outcome outcome = pipeline.predict(ctx);
        ctx.encoding(System.nanoTime());
        final int written = outcome != Outcome.OK ? -1
            : ((Drainable)(v2 ? v2Encoder.encode(ctx) : ownEncoder.encode(ctx))).drainTo(framer);
        pipeline.finish(ctx);
        advance();
        return written;
    }

    @Benchmark
    public int ownJson() throws JsonBodyException
    {
        final ScoringContext ctx = ScoringContext.ofThread().received(System.nanoTime());
        ownJsonDecoder.decode(ownJson[next], ctx);
        return jsonAnswer(ctx, false);
    }

    @Benchmark
    public int v2Json() throws JsonBodyException
    {
        final ScoringContext ctx = ScoringContext.ofThread().received(System.nanoTime()).reset(model.name(), null, null);
        ctx.model(model);
        v2JsonDecoder.decode(v2Json[next], ctx);
        return jsonAnswer(ctx, true);
    }

    private int jsonAnswer(final ScoringContext ctx, final boolean v2)
    {
        ctx.decoded(System.nanoTime());
        int written = -1;
        if (pipeline.predict(ctx) == Outcome.OK)
        {
            ctx.encoding(System.nanoTime());
            final ByteBuf out = alloc.buffer();
            if (v2)
            {
                v2JsonEncoder.encode(ctx, out);
            }
            else
            {
                PredictJsonEncoder.encode(ctx, out);
            }
            written = out.readableBytes();
            out.release();
        }
        pipeline.finish(ctx);
        advance();
        return written;
    }

    private void advance()
    {
        next = next + 1 == own.length ? 0 : next + 1;
    }

    private ByteBuf direct(final String body)
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return alloc.directBuffer(bytes.length).writeBytes(bytes);
    }

    /** The own request's applicant as V2 named inputs: the entity key and each request-time feature. */
    private static ModelInferRequest v2(final PredictRequest request, final boolean raw)
    {
        final ModelInferRequest.Builder v2 = ModelInferRequest.newBuilder().setModelName(request.getModel())
            .setId(request.getRequestId());
        final ByteString key = ByteString.copyFromUtf8(request.getRows(0).getEntityKey());
        addInput(v2, "applicant_id", "BYTES", InferTensorContents.newBuilder().addBytesContents(key), raw,
            ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(key.size()).array()).concat(key));
        for (final Map.Entry<String, FeatureValue> feature : request.getRows(0).getFeaturesMap().entrySet())
        {
            final FeatureValue value = feature.getValue();
            if (value.getKindCase() == FeatureValue.KindCase.STRING_VALUE)
            {
                final ByteString text = ByteString.copyFromUtf8(value.getStringValue());
                addInput(v2, feature.getKey(), "BYTES", InferTensorContents.newBuilder().addBytesContents(text), raw,
                    ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(text.size()).array())
                        .concat(text));
            }
            else
            {
                addInput(v2, feature.getKey(), "FP32", InferTensorContents.newBuilder()
                    .addFp32Contents((float)value.getNumberValue()), raw, ByteString.copyFrom(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN).putFloat((float)value.getNumberValue()).array()));
            }
        }
        return v2.build();
    }

    private static void addInput(final ModelInferRequest.Builder request, final String name, final String datatype,
        final InferTensorContents.Builder contents, final boolean raw, final ByteString rawContents)
    {
        final ModelInferRequest.InferInputTensor.Builder input = request.addInputsBuilder()
            .setName(name).setDatatype(datatype).addShape(1);
        if (raw)
        {
            request.addRawInputContents(rawContents);
        }
        else
        {
            input.setContents(contents);
        }
    }

    private static String ownJson(final PredictRequest request)
    {
        final StringBuilder json = new StringBuilder("{\"model\":\"").append(request.getModel())
            .append("\",\"request_id\":\"").append(request.getRequestId())
            .append("\",\"rows\":[{\"entity_key\":\"").append(request.getRows(0).getEntityKey()).append("\",\"features\":{");
        String separator = "";
        for (final Map.Entry<String, FeatureValue> feature : request.getRows(0).getFeaturesMap().entrySet())
        {
            json.append(separator).append('"').append(feature.getKey()).append("\":").append(jsonValue(feature.getValue()));
            separator = ",";
        }
        return json.append("}}]}").toString();
    }

    private static String v2Json(final PredictRequest request)
    {
        final StringBuilder json = new StringBuilder("{\"id\":\"").append(request.getRequestId())
            .append("\",\"inputs\":[{\"name\":\"applicant_id\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"")
            .append(request.getRows(0).getEntityKey()).append("\"]}");
        for (final Map.Entry<String, FeatureValue> feature : request.getRows(0).getFeaturesMap().entrySet())
        {
            final boolean text = feature.getValue().getKindCase() == FeatureValue.KindCase.STRING_VALUE;
            json.append(",{\"name\":\"").append(feature.getKey()).append("\",\"datatype\":\"")
                .append(text ? "BYTES" : "FP32").append("\",\"shape\":[1],\"data\":[")
                .append(jsonValue(feature.getValue())).append("]}");
        }
        return json.append("]}").toString();
    }

    private static String jsonValue(final FeatureValue value)
    {
        return value.getKindCase() == FeatureValue.KindCase.STRING_VALUE ? "\"" + value.getStringValue() + "\""
            : Double.toString(value.getNumberValue());
    }
}
