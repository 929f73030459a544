package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.monitoring.GatewayMonitoring;
import io.scoring.monitoring.feedback.FeedbackResult;
import io.scoring.monitoring.metrics.ScoringMetrics;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.pipeline.ScoringContext;
import io.scoring.router.Model;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP/JSON endpoints: the own API and the Open Inference Protocol's REST paths.
 *
 * <pre>
 *   POST /v1/predict                                   own API
 *   POST /v1/feedback                                  ground truth for a recent prediction
 *   GET  /metrics                                      Prometheus text exposition
 *   GET  /v2                                           server metadata
 *   GET  /v2/health/live | /v2/health/ready            health
 *   GET  /v2/models/{m}[/versions/{v}]                 model metadata
 *   GET  /v2/models/{m}[/versions/{v}]/ready           model readiness
 *   POST /v2/models/{m}[/versions/{v}]/infer           inference
 * </pre>
 *
 * Runs on the event loop that decoded the request; every error is an {@code {"error": "..."}} body
 * with the status {@link Outcome} maps it to.
 */
@ChannelHandler.Sharable
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest>
{
    private static final JsonFactory JSON = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
        .build();

    /** One per event loop: each keeps the buffer it copies bodies into. */
    private static final ThreadLocal<PredictJsonDecoder> PREDICT_DECODERS = ThreadLocal.withInitial(PredictJsonDecoder::new);
    private static final ThreadLocal<V2JsonDecoder> INFER_DECODERS = ThreadLocal.withInitial(V2JsonDecoder::new);
    private static final ThreadLocal<V2JsonEncoder> INFER_ENCODERS = ThreadLocal.withInitial(V2JsonEncoder::new);

    /** {@code /v2/models/{m}[/versions/{v}][/ready|/infer]}. */
    private static final Pattern MODEL_PATH = Pattern.compile("/v2/models/([^/]+)(?:/versions/([^/]+))?(?:/(ready|infer))?");

    private final PredictPipeline pipeline;
    private final ServerState state;
    private final GatewayMonitoring monitoring;

    HttpRequestHandler(final PredictPipeline pipeline, final ServerState state, final GatewayMonitoring monitoring)
    {
        this.pipeline = pipeline;
        this.state = state;
        this.monitoring = monitoring;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        ScoringContext.ofThread().received(System.nanoTime());
        if (!request.decoderResult().isSuccess())
        {
            error(ctx, request, Outcome.INVALID_ARGUMENT, "malformed HTTP request");
            return;
        }
        if (!Boolean.TRUE.equals(ctx.channel().attr(InFlightRequests.ADMITTED).get()))
        {
            error(ctx, request, Outcome.SHUTTING_DOWN, "the server is shutting down");
            return;
        }

        final String uri = request.uri();
        final int query = uri.indexOf('?');
        final String path = query < 0 ? uri : uri.substring(0, query);
        try
        {
            route(ctx, request, path);
        }
        catch (final IOException ex)
        {
            error(ctx, request, Outcome.SCORING_FAILED, "could not encode the answer: " + ex.getMessage());
        }
    }

    private void route(final ChannelHandlerContext ctx, final FullHttpRequest request, final String path)
        throws IOException
    {
        switch (path)
        {
            case "/v1/predict" -> { if (requireMethod(ctx, request, HttpMethod.POST)) predict(ctx, request); }
            case "/v1/feedback" -> { if (requireMethod(ctx, request, HttpMethod.POST)) feedback(ctx, request); }
            case "/metrics" -> { if (requireMethod(ctx, request, HttpMethod.GET)) metrics(ctx, request); }
            case "/v2" -> { if (requireMethod(ctx, request, HttpMethod.GET)) serverMetadata(ctx, request); }
            case "/v2/health/live" -> { if (requireMethod(ctx, request, HttpMethod.GET)) readiness(ctx, request, "live", true); }
            case "/v2/health/ready" ->
            {
                if (requireMethod(ctx, request, HttpMethod.GET))
                {
                    readiness(ctx, request, "ready", state.isReady());
                }
            }
            default ->
            {
                final Matcher model = MODEL_PATH.matcher(path);
                if (model.matches())
                {
                    modelEndpoint(ctx, request, model.group(1), model.group(2), model.group(3));
                }
                else
                {
                    error(ctx, request, HttpResponseStatus.NOT_FOUND, "no such path: " + path);
                }
            }
        }
    }

    private void modelEndpoint(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final String modelName,
        final String version,
        final String action) throws IOException
    {
        final Model model = pipeline.models().model(modelName);
        if (null == model)
        {
            error(ctx, request, Outcome.MODEL_NOT_FOUND, "model '" + modelName + "' is not served");
            return;
        }
        if (null != version && null == model.version(version))
        {
            error(ctx, request, Outcome.VERSION_NOT_FOUND, "model '" + modelName + "' has no version '" + version +
                "'; loaded: " + model.versions().keySet());
            return;
        }

        if (null == action)
        {
            if (requireMethod(ctx, request, HttpMethod.GET))
            {
                final ByteBuf body = ctx.alloc().buffer();
                try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream)new ByteBufOutputStream(body)))
                {
                    V2MetadataJson.encodeModelMetadata(json, model, version);
                }
                respond(ctx, request, HttpResponseStatus.OK, body);
            }
        }
        else if ("ready".equals(action))
        {
            if (requireMethod(ctx, request, HttpMethod.GET))
            {
                readiness(ctx, request, "ready", state.isReady());
            }
        }
        else if ("infer".equals(action))
        {
            if (requireMethod(ctx, request, HttpMethod.POST))
            {
                infer(ctx, request, model, version);
            }
        }
        else
        {
            error(ctx, request, HttpResponseStatus.NOT_FOUND, "no such path: " + request.uri());
        }
    }

    /** The own API's JSON, read and written by hand so that the path allocates nothing per request. */
    private void predict(final ChannelHandlerContext ctx, final FullHttpRequest request) throws IOException
    {
        score(ctx, request, ScoringContext.ofThread(),
            (content, decoded) -> PREDICT_DECODERS.get().decode(content, decoded),
            (scored, body) -> PredictJsonEncoder.encode(scored, body));
    }

    private void infer(final ChannelHandlerContext ctx, final FullHttpRequest request, final Model model, final String version)
        throws IOException
    {
        final ScoringContext scoring = ScoringContext.ofThread().reset(model.name(), version, "");
        scoring.model(model);
        score(ctx, request, scoring,
            (content, decoded) -> INFER_DECODERS.get().decode(content, decoded),
            (scored, body) -> INFER_ENCODERS.get().encode(scored, body));
    }

    /** Reads a request body into the scoring context. */
    @FunctionalInterface
    private interface BodyDecoder
    {
        void decode(ByteBuf content, ScoringContext scoring) throws JsonBodyException;
    }

    /** Appends the answer of a scored request to the body. */
    @FunctionalInterface
    private interface AnswerEncoder
    {
        void encode(ScoringContext scoring, ByteBuf body);
    }

    /** Decode, run the pipeline, encode the answer or the error, then record: the same for every scoring endpoint. */
    private void score(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final ScoringContext scoring,
        final BodyDecoder decoder,
        final AnswerEncoder encoder) throws IOException
    {
        try
        {
            decoder.decode(request.content(), scoring);
        }
        catch (final JsonBodyException ex)
        {
            scoring.fail(Outcome.INVALID_ARGUMENT, ex.getMessage());
        }
        scoring.decoded(System.nanoTime());

        final Outcome outcome = pipeline.predict(scoring);
        scoring.encoding(System.nanoTime());
        if (outcome == Outcome.OK)
        {
            final ByteBuf body = ctx.alloc().buffer();
            try
            {
                encoder.encode(scoring, body);
            }
            catch (final RuntimeException ex)
            {
                body.release();
                throw ex;
            }
            respond(ctx, request, HttpResponseStatus.OK, body);
        }
        else
        {
            error(ctx, request, outcome, scoring.errorMessage());
        }
        pipeline.finish(scoring);
    }

    /** {@code GET /metrics}: the Prometheus text exposition. */
    private void metrics(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        final ByteBuf body = ctx.alloc().buffer(64 * 1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body))
        {
            monitoring.monitoring().scrape(out);
        }
        catch (final IOException ex)
        {
            body.release();
            error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "scrape failed: " + ex.getMessage());
            return;
        }
        respond(ctx, request, HttpResponseStatus.OK, body, ScoringMetrics.CONTENT_TYPE);
    }

    /** {@code POST /v1/feedback {"request_id": "...", "label": 0 or 1}}: ground truth for a recent prediction. */
    private void feedback(final ChannelHandlerContext ctx, final FullHttpRequest request) throws IOException
    {
        String requestId = null;
        int label = -1;
        try (JsonParser parser = JSON.createParser((java.io.InputStream)new ByteBufInputStream(request.content())))
        {
            PredictJson.expect(parser.nextToken(), com.fasterxml.jackson.core.JsonToken.START_OBJECT, "the body");
            while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME)
            {
                final String field = parser.currentName();
                final com.fasterxml.jackson.core.JsonToken value = parser.nextToken();
                switch (field)
                {
                    case "request_id", "requestId" -> requestId = PredictJson.text(parser, value, "request_id");
                    case "label" ->
                    {
                        if (value != com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT)
                        {
                            throw new JsonBodyException("label: must be 0 or 1");
                        }
                        label = parser.getIntValue();
                    }
                    default -> throw new JsonBodyException("unknown field '" + field + "'");
                }
            }
        }
        catch (final JsonProcessingException ex) // StreamConstraintsException (too deep, too long) is not a StreamReadException
        {
            error(ctx, request, Outcome.INVALID_ARGUMENT, "malformed JSON: " + ex.getOriginalMessage());
            return;
        }
        catch (final JsonBodyException ex)
        {
            error(ctx, request, Outcome.INVALID_ARGUMENT, ex.getMessage());
            return;
        }
        if (null == requestId || requestId.isEmpty())
        {
            error(ctx, request, Outcome.INVALID_ARGUMENT, "'request_id' is required");
            return;
        }
        if (label != 0 && label != 1)
        {
            error(ctx, request, Outcome.INVALID_ARGUMENT, "label: must be 0 or 1 (1 = the class the score is the probability of)");
            return;
        }
        final FeedbackResult result = monitoring.monitoring().feedback(requestId, label);
        switch (result)
        {
            case JOINED ->
            {
                final ByteBuf body = ctx.alloc().buffer();
                try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream)new ByteBufOutputStream(body)))
                {
                    json.writeStartObject();
                    json.writeStringField("request_id", requestId);
                    json.writeBooleanField("joined", true);
                    json.writeEndObject();
                }
                respond(ctx, request, HttpResponseStatus.OK, body);
            }
            case INVALID_LABEL -> error(ctx, request, Outcome.INVALID_ARGUMENT, "label: must be 0 or 1");
            default -> error(ctx, request, HttpResponseStatus.NOT_FOUND, "request '" + requestId +
                "' is not among the recent predictions (" + result.name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
    }

    private void serverMetadata(final ChannelHandlerContext ctx, final FullHttpRequest request) throws IOException
    {
        final ByteBuf body = ctx.alloc().buffer();
        try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream)new ByteBufOutputStream(body)))
        {
            json.writeStartObject();
            json.writeStringField("name", ServerState.NAME);
            json.writeStringField("version", ServerState.VERSION);
            json.writeArrayFieldStart("extensions");
            json.writeEndArray();
            json.writeEndObject();
        }
        respond(ctx, request, HttpResponseStatus.OK, body);
    }

    private void readiness(final ChannelHandlerContext ctx, final FullHttpRequest request, final String field, final boolean yes)
        throws IOException
    {
        final ByteBuf body = ctx.alloc().buffer();
        try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream)new ByteBufOutputStream(body)))
        {
            json.writeStartObject();
            json.writeBooleanField(field, yes);
            json.writeEndObject();
        }
        respond(ctx, request, yes ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    private boolean requireMethod(final ChannelHandlerContext ctx, final FullHttpRequest request, final HttpMethod method)
    {
        if (request.method().equals(method))
        {
            return true;
        }
        error(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED,
            request.method() + " is not allowed on " + request.uri() + "; use " + method);
        return false;
    }

    private void error(final ChannelHandlerContext ctx, final FullHttpRequest request, final Outcome outcome, final String message)
    {
        error(ctx, request, HttpResponseStatus.valueOf(outcome.httpStatus()), message);
    }

    private void error(
        final ChannelHandlerContext ctx, final FullHttpRequest request, final HttpResponseStatus status, final String message)
    {
        respond(ctx, request, status, ErrorBody.of(ctx.alloc(), message));
    }

    private void respond(
        final ChannelHandlerContext ctx, final FullHttpRequest request, final HttpResponseStatus status, final ByteBuf body)
    {
        respond(ctx, request, status, body, HttpHeaderValues.APPLICATION_JSON);
    }

    private void respond(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final HttpResponseStatus status,
        final ByteBuf body,
        final CharSequence contentType)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, contentType)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        final boolean keepAlive = HttpUtil.isKeepAlive(request) && !state.isDraining();
        if (!keepAlive)
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0))
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }
}
