package io.scoring.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.scoring.gateway.ServerState;
import io.scoring.gateway.health.HealthProbes;
import io.scoring.gateway.monitoring.GatewayMonitoring;
import io.scoring.monitoring.feedback.FeedbackResult;
import io.scoring.monitoring.metrics.ScoringMetrics;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.RequestCycle;
import io.scoring.router.Model;
import io.scoring.router.ModelVersion;

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
 * The two scoring endpoints ({@code /v1/predict}, {@code .../infer}) are served by the
 * {@link RequestCycle}, each with its codec ({@link PredictJsonCodec}, {@link V2JsonCodec}) and this
 * event loop's {@link HttpExchange} as the wire; this class only routes. Runs on the event loop that
 * decoded the request; every error is an {@code {"error": "..."}} body with the status {@link Outcome}
 * maps it to ({@link HttpExchange}).
 */
@ChannelHandler.Sharable
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest>
{
    /** Every JSON body read or written with Jackson here, off the scoring path: feedback, metadata, health. */
    static final JsonFactory JSON = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
        .build();

    /** {@code /v2/models/{m}[/versions/{v}][/ready|/infer]}. */
    private static final Pattern MODEL_PATH = Pattern.compile("/v2/models/([^/]+)(?:/versions/([^/]+))?(?:/(ready|infer))?");

    private final RequestCycle cycle;
    private final ServerState state;
    private final GatewayMonitoring monitoring;
    private final HealthProbes probes;
    /** One per event loop, borrowed for one request at a time. */
    private final ThreadLocal<HttpExchange> exchanges;

    private final int maxHeaderBytes;

    HttpRequestHandler(final RequestCycle cycle, final ServerState state, final GatewayMonitoring monitoring,
        final HealthProbes probes, final int maxHeaderBytes)
    {
        this.probes = probes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.cycle = cycle;
        this.state = state;
        this.monitoring = monitoring;
        exchanges = ThreadLocal.withInitial(() -> new HttpExchange(state));
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        final HttpExchange exchange = exchanges.get().begin(ctx, request);
        if (!request.decoderResult().isSuccess())
        {
            // the codec discards the rest of the connection's bytes after a failure: the answer closes it
            if (request.decoderResult().cause() instanceof TooLongHttpHeaderException)
            {
                exchange.error(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "the request's headers are larger than the limit of " + maxHeaderBytes + " bytes (--max-header-bytes)");
            }
            else if (request.decoderResult().cause() instanceof TooLongHttpLineException)
            {
                exchange.error(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is longer than 4096 bytes");
            }
            else
            {
                exchange.error(Outcome.INVALID_ARGUMENT, "malformed HTTP request");
            }
            return;
        }
        if (!Boolean.TRUE.equals(ctx.channel().attr(InFlightRequests.ADMITTED).get()))
        {
            exchange.error(Outcome.SHUTTING_DOWN, "the server is shutting down");
            return;
        }

        final String uri = request.uri();
        final int query = uri.indexOf('?');
        final String path = query < 0 ? uri : uri.substring(0, query);
        try
        {
            route(exchange, path);
        }
        catch (final IOException ex)
        {
            exchange.error(Outcome.SCORING_FAILED, "could not encode the answer: " + ex.getMessage());
        }
    }

    private void route(final HttpExchange exchange, final String path) throws IOException
    {
        switch (path)
        {
            case "/v1/predict" ->
            {
                if (requireMethod(exchange, HttpMethod.POST))
                {
                    score(exchange, null, null);
                }
            }
            case "/v1/feedback" -> { if (requireMethod(exchange, HttpMethod.POST)) feedback(exchange); }
            case "/metrics" -> { if (requireMethod(exchange, HttpMethod.GET)) metrics(exchange); }
            case "/v2" -> { if (requireMethod(exchange, HttpMethod.GET)) serverMetadata(exchange); }
            case "/v2/health/live" -> { if (requireMethod(exchange, HttpMethod.GET)) readiness(exchange, "live", true, null); }
            case "/v2/health/ready" ->
            {
                if (requireMethod(exchange, HttpMethod.GET))
                {
                    readiness(exchange, "ready", state.isReady(), "");
                }
            }
            default ->
            {
                final Matcher model = MODEL_PATH.matcher(path);
                if (model.matches())
                {
                    modelEndpoint(exchange, model.group(1), model.group(2), model.group(3));
                }
                else
                {
                    exchange.error(HttpResponseStatus.NOT_FOUND, "no such path: " + path);
                }
            }
        }
    }

    private void modelEndpoint(final HttpExchange exchange, final String modelName, final String version, final String action)
        throws IOException
    {
        final Model model = cycle.pipeline().models().model(modelName);
        final String failure = cycle.pipeline().models().failures().get(modelName);
        if (null == model && null != failure && "ready".equals(action))
        {
            if (requireMethod(exchange, HttpMethod.GET))
            {
                readiness(exchange, "ready", false, null);
            }
            return;
        }
        if (null == model)
        {
            exchange.error(Outcome.MODEL_NOT_FOUND, "model '" + modelName + "' is not served" +
                (null == failure ? "" : ": it FAILED to load: " + failure));
            return;
        }
        // resolved once: metadata describes this version even if it is unloaded meanwhile
        final ModelVersion described = null == version ? model.champion() : model.version(version);
        if (null == described)
        {
            exchange.error(Outcome.VERSION_NOT_FOUND, "model '" + modelName + "' has no version '" + version +
                "'; loaded: " + model.versions().keySet());
            return;
        }

        if (null == action)
        {
            if (requireMethod(exchange, HttpMethod.GET))
            {
                final ByteBuf body = exchange.buffer();
                try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream)new ByteBufOutputStream(body)))
                {
                    V2MetadataJson.encodeModelMetadata(json, model, version, described);
                }
                exchange.respond(HttpResponseStatus.OK, body);
            }
        }
        else if ("ready".equals(action))
        {
            if (requireMethod(exchange, HttpMethod.GET))
            {
                readiness(exchange, "ready", state.isReady(), model.name());
            }
        }
        else if ("infer".equals(action))
        {
            if (requireMethod(exchange, HttpMethod.POST))
            {
                score(exchange, model, version);
            }
        }
        else
        {
            exchange.error(HttpResponseStatus.NOT_FOUND, "no such path: " + exchange.httpRequest().uri());
        }
    }

    /** A scoring request (the own API's when {@code model} is null, else V2's) goes to the cycle with its deadline. */
    private void score(final HttpExchange exchange, final Model model, final String version)
    {
        final long deadlineNanos;
        try
        {
            deadlineNanos = RequestDeadline.of(exchange.httpRequest().headers(), System.nanoTime());
        }
        catch (final IllegalArgumentException ex)
        {
            exchange.error(Outcome.INVALID_ARGUMENT, ex.getMessage());
            return;
        }
        if (cycle.admission().isInline())
        {
            cycle.admit(exchange.scoring(model, version, deadlineNanos, null));
            return;
        }
        final ConnectionOrder order = ConnectionOrder.of(exchange.channel().channel(), cycle);
        order.admit(exchange.scoring(model, version, deadlineNanos, order));
    }

    /** {@code GET /metrics}: the Prometheus text exposition. */
    private void metrics(final HttpExchange exchange)
    {
        final ByteBuf body = exchange.channel().alloc().buffer(64 * 1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body))
        {
            monitoring.monitoring().scrape(out);
        }
        catch (final IOException ex)
        {
            body.release();
            exchange.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "scrape failed: " + ex.getMessage());
            return;
        }
        exchange.respond(HttpResponseStatus.OK, body, ScoringMetrics.CONTENT_TYPE);
    }

    /** {@code POST /v1/feedback {"request_id": "...", "label": 0 or 1}}: ground truth for a recent prediction. */
    private void feedback(final HttpExchange exchange) throws IOException
    {
        final FeedbackBody feedback;
        try
        {
            feedback = FeedbackBody.read(exchange.httpRequest().content());
        }
        catch (final JsonProcessingException ex) // StreamConstraintsException (too deep, too long) is not a StreamReadException
        {
            exchange.error(Outcome.INVALID_ARGUMENT, "malformed JSON: " + ex.getOriginalMessage());
            return;
        }
        catch (final JsonBodyException ex)
        {
            exchange.error(Outcome.INVALID_ARGUMENT, ex.getMessage());
            return;
        }
        final String requestId = feedback.requestId;
        if (null == requestId || requestId.isEmpty())
        {
            exchange.error(Outcome.INVALID_ARGUMENT, "'request_id' is required");
            return;
        }
        if (feedback.label != 0 && feedback.label != 1)
        {
            exchange.error(Outcome.INVALID_ARGUMENT, "label: must be 0 or 1 (1 = the class the score is the probability of)");
            return;
        }
        final FeedbackResult result = monitoring.monitoring().feedback(requestId, feedback.label);
        switch (result)
        {
            case JOINED ->
            {
                final ByteBuf body = exchange.buffer();
                try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream)new ByteBufOutputStream(body)))
                {
                    json.writeStartObject();
                    json.writeStringField("request_id", requestId);
                    json.writeBooleanField("joined", true);
                    json.writeEndObject();
                }
                exchange.respond(HttpResponseStatus.OK, body);
            }
            case INVALID_LABEL -> exchange.error(Outcome.INVALID_ARGUMENT, "label: must be 0 or 1");
            default -> exchange.error(HttpResponseStatus.NOT_FOUND, "request '" + requestId +
                "' is not among the recent predictions (" + result.name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
    }

    private void serverMetadata(final HttpExchange exchange) throws IOException
    {
        final ByteBuf body = exchange.buffer();
        try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream)new ByteBufOutputStream(body)))
        {
            json.writeStartObject();
            json.writeStringField("name", ServerState.NAME);
            json.writeStringField("version", ServerState.VERSION);
            json.writeArrayFieldStart("extensions");
            json.writeEndArray();
            json.writeEndObject();
        }
        exchange.respond(HttpResponseStatus.OK, body);
    }

    /**
     * {@code {"ready": true}} and, for readiness, the details beside it: each version's last health probe
     * ({@link HealthProbes#writeReadiness}), which do not change the answer.
     *
     * @param probesOf null: no details; empty: every model's versions; else that model's
     */
    private void readiness(final HttpExchange exchange, final String field, final boolean yes, final String probesOf)
        throws IOException
    {
        final ByteBuf body = exchange.buffer();
        try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream)new ByteBufOutputStream(body)))
        {
            json.writeStartObject();
            json.writeBooleanField(field, yes);
            if (null != probesOf && null != probes)
            {
                probes.writeReadiness(json, probesOf.isEmpty() ? null : probesOf);
            }
            json.writeEndObject();
        }
        exchange.respond(yes ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    private static boolean requireMethod(final HttpExchange exchange, final HttpMethod method)
    {
        final FullHttpRequest request = exchange.httpRequest();
        if (request.method().equals(method))
        {
            return true;
        }
        exchange.error(HttpResponseStatus.METHOD_NOT_ALLOWED,
            request.method() + " is not allowed on " + request.uri() + "; use " + method);
        return false;
    }
}
