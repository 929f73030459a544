package io.scoring.bench;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.scoring.bench.load.DemoWorkload;
import io.scoring.gateway.grpc.PredictGrpcCodec;
import io.scoring.gateway.grpc.PredictRequestDecoder;
import io.scoring.gateway.grpc.PredictResponseEncoder;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.proto.v1.FeatureValue;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;
import io.scoring.proto.v1.Row;
import io.scoring.proto.v1.RowResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What do the own API's gRPC codecs cost, and does anything between the request's bytes and the
 * answer's bytes allocate?
 *
 * <p>The requests are the load generator's (one demo applicant each, with its four request-time
 * features), each given a request id, cycled over all 1,000 applicants:
 * <ul>
 *   <li>{@code decode}: a request's bytes, read from a stream as gRPC hands them, into the context;</li>
 *   <li>{@code encode}: a scored request's answer into the stream gRPC drains, drained into a buffer
 *   as gRPC's framer does;</li>
 *   <li>{@code wholePath}: the gateway's request cycle with the own API's gRPC codec: decode, predict
 *   (route, store lookup, assemble, score), encode and drain, then finish (meters, prediction memory,
 *   1% sampling: the gateway's monitoring, default settings).</li>
 * </ul>
 * gRPC's own per-call objects (call, metadata, Netty buffers) are not part of it.
 *
 * <pre>
 *   mvn -o -q -pl gateway,bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar GrpcCodecBenchmark -prof gc -f 1 -wi 3 -i 3 -w 2s -r 2s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class GrpcCodecBenchmark
{
    /** {@code auto}: the native evaluator; {@code onnxruntime}: ONNX Runtime. */
    @Param({"auto"})
    String runtime;

    private MonitoredDemo demo;
    private RequestCycle cycle;
    private byte[][] requests;
    private int next;

    private final PredictRequestDecoder decoder = new PredictRequestDecoder();
    private final PredictResponseEncoder encoder = new PredictResponseEncoder();
    private final PredictGrpcCodec codec = new PredictGrpcCodec();
    private final MessageStream message = new MessageStream();
    private final FramerSink framer = new FramerSink();
    private final DrainingWire wire = new DrainingWire(framer);

    @Setup
    public void load() throws Exception
    {
        demo = new MonitoredDemo(runtime);
        cycle = new RequestCycle(demo.pipeline);

        final PredictRequest[] workload = DemoWorkload.ownRequests();
        requests = new byte[workload.length][];
        for (int i = 0; i < workload.length; i++)
        {
            requests[i] = workload[i].toBuilder().setRequestId(String.format("0b9f6c1e-5d2a-4f4e-9a7b-%012d", i))
                .build().toByteArray();
        }
        for (int i = 0; i < requests.length; i++)
        {
            if (wholePath() <= 0)
            {
                throw new IllegalStateException(ScoringContext.ofThread().errorMessage());
            }
        }
    }

    @TearDown
    public void close()
    {
        demo.close();
    }

    @Benchmark
    public int decode()
    {
        final ScoringContext ctx = ScoringContext.ofThread();
        decoder.decode(message.wrap(nextRequest()), ctx);
        return ctx.rowCount();
    }

    /** The answer of the last request {@link #load} scored, in the thread's context. */
    @Benchmark
    public int encode() throws IOException
    {
        return ((Drainable)encoder.encode(ScoringContext.ofThread())).drainTo(framer);
    }

    /**
     * What the hand-written decoder replaced, for the ratio: protobuf's generated parser, then the
     * parsed message copied into the context as the generated-stub handler did.
     */
    @Benchmark
    public int generatedDecode() throws IOException
    {
        final PredictRequest request = PredictRequest.parseFrom(message.wrap(nextRequest()));
        final ScoringContext ctx = ScoringContext.ofThread().reset(request.getModel(), request.getVersion(), request.getRequestId());
        for (final Row row : request.getRowsList())
        {
            final int index = ctx.addRow(row.getEntityKey());
            for (final Map.Entry<String, FeatureValue> feature : row.getFeaturesMap().entrySet())
            {
                if (feature.getValue().getKindCase() == FeatureValue.KindCase.NUMBER_VALUE)
                {
                    ctx.addNumber(index, feature.getKey(), feature.getValue().getNumberValue());
                }
                else
                {
                    ctx.addText(index, feature.getKey(), feature.getValue().getStringValue());
                }
            }
        }
        return ctx.rowCount();
    }

    /** What the hand-written encoder replaced: the answer built with the generated builders, then serialized. */
    @Benchmark
    public int generatedEncode() throws IOException
    {
        final ScoringContext ctx = ScoringContext.ofThread();
        final PredictResponse.Builder response = PredictResponse.newBuilder()
            .setRequestId(ctx.requestId().toString())
            .setModel(ctx.model().name())
            .setVersion(ctx.version().version())
            .setRole(ctx.role().wireName());
        for (int row = 0; row < ctx.rowCount(); row++)
        {
            final RowResult.Builder result = response.addResultsBuilder();
            for (int j = 0; j < ctx.outputCount(); j++)
            {
                result.addScores(ctx.score(row, j));
            }
        }
        response.build().writeTo(framer);
        return response.getResultsCount();
    }

    /** The gateway's request cycle with the own API's gRPC codec, as the transport runs it. */
    @Benchmark
    public int wholePath()
    {
        cycle.serve(message.wrap(nextRequest()), codec, wire);
        return wire.written;
    }

    private byte[] nextRequest()
    {
        final byte[] request = requests[next];
        next = next + 1 == requests.length ? 0 : next + 1;
        return request;
    }

    /** A message's bytes as gRPC hands them to the handler: a stream that knows its length. */
    static final class MessageStream extends InputStream implements KnownLength
    {
        private byte[] bytes;
        private int position;

        MessageStream wrap(final byte[] bytes)
        {
            this.bytes = bytes;
            position = 0;
            return this;
        }

        @Override
        public int available()
        {
            return bytes.length - position;
        }

        @Override
        public int read()
        {
            return position < bytes.length ? bytes[position++] & 0xFF : -1;
        }

        @Override
        public int read(final byte[] target, final int offset, final int length)
        {
            if (position == bytes.length)
            {
                return -1;
            }
            final int count = Math.min(length, bytes.length - position);
            System.arraycopy(bytes, position, target, offset, count);
            position += count;
            return count;
        }
    }

    /** What the gRPC call does with an answer: gRPC's framer drains it inside {@code sendMessage}. */
    static final class DrainingWire implements RequestCycle.Wire<InputStream>
    {
        private final OutputStream framer;
        int written;

        DrainingWire(final OutputStream framer)
        {
            this.framer = framer;
        }

        @Override
        public InputStream answerBuffer()
        {
            return null;
        }

        @Override
        public void send(final InputStream answer)
        {
            try
            {
                written = ((Drainable)answer).drainTo(framer);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        @Override
        public void refuse(final Outcome outcome, final String message)
        {
            written = -1;
        }
    }

    /** Where gRPC's framer copies a drained answer: its transport buffer. */
    static final class FramerSink extends OutputStream
    {
        private final byte[] buffer = new byte[1 << 16];

        @Override
        public void write(final int b)
        {
            buffer[0] = (byte)b;
        }

        @Override
        public void write(final byte[] bytes, final int offset, final int length)
        {
            System.arraycopy(bytes, offset, buffer, 0, length);
        }
    }
}
