package io.scoring.gateway.grpc;

import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;

import java.io.InputStream;

/**
 * The own API's protobuf ({@code scoring.v1.ScoringService/Predict}) as the {@link RequestCycle} drives
 * it: {@link PredictRequestDecoder} in, {@link PredictResponseEncoder} out, both allocation-free.
 *
 * <p>Threading: one per thread ({@link #PER_THREAD}); the decoder and encoder keep their buffers.
 */
public final class PredictGrpcCodec implements RequestCycle.Codec<InputStream, InputStream>
{
    static final ThreadLocal<PredictGrpcCodec> PER_THREAD = ThreadLocal.withInitial(PredictGrpcCodec::new);

    private final PredictRequestDecoder decoder = new PredictRequestDecoder();
    private final PredictResponseEncoder encoder = new PredictResponseEncoder();

    @Override
    public void decode(final InputStream message, final ScoringContext ctx)
    {
        if (!decoder.decode(message, ctx))
        {
            // the caller sent it, so INVALID_ARGUMENT, not gRPC's UNKNOWN for a request that fails to parse
            ctx.fail(Outcome.INVALID_ARGUMENT, decoder.error());
        }
    }

    /** The answer as a stream over the encoder's buffer, which gRPC drains inside {@code sendMessage}. */
    @Override
    public InputStream encode(final ScoringContext ctx, final InputStream unused)
    {
        return encoder.encode(ctx);
    }
}
