package io.scoring.gateway.http;

import io.netty.buffer.ByteBuf;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.Model;

/**
 * The Open Inference Protocol's {@code POST /v2/models/{m}[/versions/{v}]/infer} as the
 * {@link RequestCycle} drives it: {@link V2JsonDecoder} in, {@link V2JsonEncoder} out, both
 * allocation-free. The model and version come from the path ({@link #target}), the inputs and
 * requested outputs from the body (the outputs travel in the context's tensors).
 *
 * <p>Threading: one per thread ({@link #PER_THREAD}); it keeps the path's target from the handler's
 * call to the decode, within one callback of the cycle.
 */
public final class V2JsonCodec implements RequestCycle.Codec<ByteBuf, ByteBuf>
{
    static final ThreadLocal<V2JsonCodec> PER_THREAD = ThreadLocal.withInitial(V2JsonCodec::new);

    private final V2JsonDecoder decoder = new V2JsonDecoder();
    private final V2JsonEncoder encoder = new V2JsonEncoder();
    private Model model;
    private String version;

    /** The model (and version, null for the policy's choice) the request's path names. */
    public V2JsonCodec target(final Model model, final String version)
    {
        this.model = model;
        this.version = version;
        return this;
    }

    @Override
    public void decode(final ByteBuf body, final ScoringContext ctx)
    {
        ctx.reset(model.name(), version, "");
        ctx.model(model);
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
        encoder.encode(ctx, into);
        return into;
    }
}
