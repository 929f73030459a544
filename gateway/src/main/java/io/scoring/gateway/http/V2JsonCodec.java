package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamReadException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.Model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * The Open Inference Protocol's {@code POST /v2/models/{m}[/versions/{v}]/infer} as the
 * {@link RequestCycle} drives it, for now through Jackson ({@link V2Json}; it allocates). The model and
 * version come from the path ({@link #target}), the inputs and requested outputs from the body.
 * Replacing Jackson by a hand-written codec (as the own API's {@link PredictJsonDecoder} /
 * {@link PredictJsonEncoder}) changes this class only.
 *
 * <p>Threading: one per thread ({@link #PER_THREAD}); it keeps the path's target and the requested
 * outputs from decode to encode, both within one callback of the cycle.
 */
public final class V2JsonCodec implements RequestCycle.Codec<ByteBuf, ByteBuf>
{
    static final ThreadLocal<V2JsonCodec> PER_THREAD = ThreadLocal.withInitial(V2JsonCodec::new);

    private Model model;
    private String version;
    private Set<String> requestedOutputs;

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
        try (JsonParser parser = HttpRequestHandler.JSON.createParser((InputStream)new ByteBufInputStream(body)))
        {
            requestedOutputs = V2Json.decodeInfer(parser, ctx, model);
        }
        catch (final StreamReadException ex)
        {
            ctx.fail(Outcome.INVALID_ARGUMENT, "malformed JSON: " + ex.getOriginalMessage());
        }
        catch (final JsonBodyException ex)
        {
            ctx.fail(Outcome.INVALID_ARGUMENT, ex.getMessage());
        }
        catch (final IOException ex)
        {
            // reading a body already in memory fails only on what the body holds (e.g. nesting too deep)
            ctx.fail(Outcome.INVALID_ARGUMENT, "malformed JSON: " + ex.getMessage());
        }
    }

    @Override
    public ByteBuf encode(final ScoringContext ctx, final ByteBuf into)
    {
        try (JsonGenerator json = HttpRequestHandler.JSON.createGenerator((OutputStream)new ByteBufOutputStream(into)))
        {
            V2Json.encodeInfer(json, ctx, requestedOutputs);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex.getMessage(), ex);
        }
        return into;
    }
}
