package io.scoring.gateway.grpc;

import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.ModelRegistry;

import java.io.InputStream;

/**
 * The Open Inference Protocol's {@code ModelInfer} over gRPC as the {@link RequestCycle} drives it:
 * {@link ModelInferRequestDecoder} in, {@link ModelInferResponseEncoder} out, both allocation-free.
 * The caller's requested outputs and raw-or-typed answer travel in the context's tensors.
 *
 * <p>Threading: one per thread; the decoder and encoder keep their buffers.
 */
public final class V2GrpcCodec implements RequestCycle.Codec<InputStream, InputStream>
{
    static final String METHOD = "inference.GRPCInferenceService/ModelInfer";

    private final ModelInferRequestDecoder decoder;
    private final ModelInferResponseEncoder encoder = new ModelInferResponseEncoder();

    public V2GrpcCodec(final ModelRegistry models)
    {
        decoder = new ModelInferRequestDecoder(models);
    }

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
