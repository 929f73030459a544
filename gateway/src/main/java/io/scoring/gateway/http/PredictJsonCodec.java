package io.scoring.gateway.http;

import io.netty.buffer.ByteBuf;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;

/**
 * The own API's JSON ({@code POST /v1/predict}) as the {@link RequestCycle} drives it:
 * {@link PredictJsonDecoder} in, {@link PredictJsonEncoder} out, both allocation-free.
 *
 * <p>Threading: one per thread ({@link #PER_THREAD}); the decoder keeps its buffer.
 */
public final class PredictJsonCodec implements RequestCycle.Codec<ByteBuf, ByteBuf>
{
    static final ThreadLocal<PredictJsonCodec> PER_THREAD = ThreadLocal.withInitial(PredictJsonCodec::new);

    private final PredictJsonDecoder decoder = new PredictJsonDecoder();

    @Override
    public void decode(final ByteBuf body, final ScoringContext ctx)
    {
        try
        {
            decoder.decode(body, ctx);
        }
        catch (final JsonBodyException ex)
        {
            ctx.fail(Outcome.INVALID_ARGUMENT, ex.getMessage());
        }
    }

    @Override
    public ByteBuf encode(final ScoringContext ctx, final ByteBuf into)
    {
        PredictJsonEncoder.encode(ctx, into);
        return into;
    }
}
