package io.scoring.bench;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.scoring.bench.load.DemoWorkload;
import io.scoring.gateway.grpc.PredictGrpcCodec;
import io.scoring.gateway.grpc.V2GrpcCodec;
import io.scoring.gateway.http.PredictJsonCodec;
import io.scoring.gateway.http.V2JsonCodec;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.proto.inference.GrpcPredictV2.InferTensorContents;
import io.scoring.proto.inference.GrpcPredictV2.ModelInferRequest;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.router.Model;
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
 * Each runs the gateway's request cycle ({@link RequestCycle}) with the protocol's codec: decode,
 * predict (route, store lookup, assemble, score with the native evaluator), encode (drained as gRPC's
 * framer does, or into a pooled ByteBuf as Netty's handler does), then finish (meters, prediction
 * memory, 1% sampling: the gateway's monitoring). Transport objects (calls, metadata, HTTP messages)
 * are not part of it.
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
    private final GrpcCodecBenchmark.DrainingWire grpcWire = new GrpcCodecBenchmark.DrainingWire(new GrpcCodecBenchmark.FramerSink());
    private final JsonCodecBenchmark.ReleasingWire jsonWire = new JsonCodecBenchmark.ReleasingWire();
    private final PredictGrpcCodec ownGrpcCodec = new PredictGrpcCodec();
    private final PredictJsonCodec ownJsonCodec = new PredictJsonCodec();
    private final V2JsonCodec v2JsonCodec = new V2JsonCodec();
    private V2GrpcCodec v2GrpcCodec;

    private MonitoredDemo demo;
    private RequestCycle cycle;
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
        cycle = new RequestCycle(demo.pipeline);
        model = demo.models.model("credit-risk");
        v2GrpcCodec = new V2GrpcCodec(demo.models);

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
    public int ownGrpc()
    {
        cycle.serve(message.wrap(own[advance()]), ownGrpcCodec, grpcWire);
        return grpcWire.written;
    }

    @Benchmark
    public int v2GrpcTyped()
    {
        cycle.serve(message.wrap(v2Typed[advance()]), v2GrpcCodec, grpcWire);
        return grpcWire.written;
    }

    @Benchmark
    public int v2GrpcRaw()
    {
        cycle.serve(message.wrap(v2Raw[advance()]), v2GrpcCodec, grpcWire);
        return grpcWire.written;
    }

    @Benchmark
    public int ownJson()
    {
        cycle.serve(ownJson[advance()], ownJsonCodec, jsonWire);
        return jsonWire.written;
    }

    @Benchmark
    public int v2Json()
    {
        cycle.serve(v2Json[advance()], v2JsonCodec.target(model, null), jsonWire);
        return jsonWire.written;
    }

    private int advance()
    {
        final int current = next;
        next = next + 1 == own.length ? 0 : next + 1;
        return current;
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
