package io.scoring.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.DemoBundle;
import io.scoring.gateway.http.JsonBodyException;
import io.scoring.gateway.http.PredictJson;
import io.scoring.gateway.http.PredictJsonCodec;
import io.scoring.gateway.http.PredictJsonDecoder;
import io.scoring.gateway.http.PredictJsonEncoder;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What does {@code POST /v1/predict}'s JSON cost, and does the hand-written codec allocate anything
 * from the request's bytes to the answer's? Against the Jackson codec it replaced:
 * <ul>
 *   <li>{@code decode} / {@code jacksonDecode}: a typical demo body (one applicant, its four
 *   request-time features, a request id) from a pooled direct ByteBuf into the scoring context;</li>
 *   <li>{@code encode} / {@code jacksonEncode}: the answer to it, into a buffer from Netty's default
 *   (adaptive, pooled) allocator, as the handler's {@code ctx.alloc()}, released each time;</li>
 *   <li>{@code wholePath} / {@code jacksonWholePath}: bytes, decode, the pipeline (store lookup,
 *   native evaluator of the champion), encode, finish; {@code wholePath} through the gateway's
 *   request cycle with the own API's JSON codec, as the HTTP transport runs it.</li>
 * </ul>
 * Netty's per-request objects (the request, the response, its headers) are not part of it. Leak
 * detection is off: at Netty's default level it samples one buffer in 128 with a stack trace, an
 * allocation of the transport's that would hide the codec's zero.
 *
 * <pre>
 *   mvn -o -q -pl gateway,bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar JsonCodecBenchmark -prof gc -f 1 -wi 3 -i 3 -w 2s -r 2s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    // Netty's default (simple) leak detection records a stack trace for one buffer in 128: ~12 B/op of its own here
    "-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Thread)
public class JsonCodecBenchmark
{
    /** The first applicant of the demo data set as the load generator sends it, with a request id. */
    static final String BODY = "{\"model\":\"credit-risk\",\"request_id\":\"r-000001\",\"rows\":[{\"entity_key\":\"A0001\"," +
        "\"features\":{\"duration\":6,\"purpose\":\"radio/tv\",\"credit_amount\":1169,\"installment_commitment\":4}}]}";

    /** As the HTTP handler configures it. */
    private static final JsonFactory JSON = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
        .build();

    /** What the handler's {@code ctx.alloc()} is when the transport sets none: Netty 4.2's adaptive pooled allocator. */
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final PredictJsonDecoder decoder = new PredictJsonDecoder();
    private final ScoringContext request = new ScoringContext();
    private final ScoringContext scored = new ScoringContext();
    private FeatureStore store;
    private ModelRegistry models;
    private PredictPipeline pipeline;
    private RequestCycle cycle;
    private final PredictJsonCodec codec = new PredictJsonCodec();
    private final ReleasingWire wire = new ReleasingWire();
    private ByteBuf body;

    @Setup
    public void load() throws Exception
    {
        try (InputStream in = DemoBundle.features())
        {
            store = EmbeddedFeatureStore.load(in);
        }
        models = new ModelRepository(DemoBundle.models(), store, new ModelRepository.Context().maxRows(64)).loadAll();
        pipeline = new PredictPipeline(models, 64, null);
        cycle = new RequestCycle(pipeline);
        final byte[] bytes = BODY.getBytes(StandardCharsets.UTF_8);
        body = alloc.directBuffer(bytes.length).writeBytes(bytes);

        decoder.decode(body, scored);
        if (pipeline.predict(scored) != Outcome.OK)
        {
            throw new IllegalStateException(scored.errorMessage());
        }
    }

    @TearDown
    public void close()
    {
        body.release();
        models.close();
        store.close();
    }

    @Benchmark
    public int decode() throws JsonBodyException
    {
        decoder.decode(body, request);
        return request.requestFeatureCount();
    }

    @Benchmark
    public int jacksonDecode() throws IOException, JsonBodyException
    {
        try (JsonParser parser = JSON.createParser((InputStream)new ByteBufInputStream(body)))
        {
            PredictJson.decode(parser, request);
        }
        body.readerIndex(0);
        return request.requestFeatureCount();
    }

    @Benchmark
    public int encode()
    {
        final ByteBuf out = alloc.buffer();
        PredictJsonEncoder.encode(scored, out);
        final int written = out.readableBytes();
        out.release();
        return written;
    }

    @Benchmark
    public int jacksonEncode() throws IOException
    {
        final ByteBuf out = alloc.buffer();
        try (JsonGenerator json = JSON.createGenerator((OutputStream)new ByteBufOutputStream(out)))
        {
            PredictJson.encode(json, scored);
        }
        final int written = out.readableBytes();
        out.release();
        return written;
    }

    /** The gateway's request cycle with the own API's JSON codec, as the HTTP transport runs it. */
    @Benchmark
    public int wholePath()
    {
        cycle.serve(body, codec, wire);
        return wire.written;
    }

    @Benchmark
    public int jacksonWholePath() throws IOException, JsonBodyException
    {
        try (JsonParser parser = JSON.createParser((InputStream)new ByteBufInputStream(body)))
        {
            PredictJson.decode(parser, request);
        }
        body.readerIndex(0);
        int written = 0;
        if (pipeline.predict(request) == Outcome.OK)
        {
            final ByteBuf out = alloc.buffer();
            try (JsonGenerator json = JSON.createGenerator((OutputStream)new ByteBufOutputStream(out)))
            {
                PredictJson.encode(json, request);
            }
            written = out.readableBytes();
            out.release();
        }
        pipeline.finish(request);
        return written;
    }

    /** What the HTTP exchange does with an answer, short of writing it to a socket: takes the buffer, then lets it go. */
    static final class ReleasingWire implements RequestCycle.Wire<ByteBuf>
    {
        int written;

        @Override
        public ByteBuf answerBuffer()
        {
            return ByteBufAllocator.DEFAULT.buffer(); // what the handler's ctx.alloc() is when the transport sets none
        }

        @Override
        public void send(final ByteBuf answer)
        {
            written = answer.readableBytes();
            answer.release();
        }

        @Override
        public void refuse(final Outcome outcome, final String message)
        {
            written = 0;
        }
    }
}
