package io.scoring.gateway.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
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
import io.netty.handler.codec.http.QueryStringDecoder;
import com.fasterxml.jackson.core.JsonGenerator;
import io.scoring.gateway.monitoring.GatewayMonitoring;
import io.scoring.gateway.health.HealthProbes;
import io.scoring.gateway.rollout.Rollouts;
import io.scoring.monitoring.Monitoring;
import io.scoring.monitoring.history.HistoryReport;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import io.scoring.router.RouterException;
import io.scoring.router.traffic.TrafficPolicy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The admin API's endpoints, JSON in and out; every error is {@code {"error": "..."}}.
 *
 * <pre>
 *   GET  /admin/models                                    every model: versions, state, runtime, policy;
 *                                                         a model that failed to load: state FAILED, reason
 *   GET  /admin/models/{model}/traffic                    the traffic policy
 *   PUT  /admin/models/{model}/traffic                    replaces it; answers the model
 *   POST /admin/models/{model}/versions/{version}/load    loads, validates, warms up; answers the model
 *   POST /admin/models/{model}/versions/{version}/unload
 *   POST /admin/models/{model}/promote | /rollback
 *   POST /admin/models/{model}/rollout                    starts a rollout (see {@link Rollouts}); answers its state
 *   GET  /admin/models/{model}/rollout                    its state: checks, steps, timeline, past rollouts
 *   POST /admin/models/{model}/rollout/pause | /resume | /abort | /confirm
 *   GET  /admin/models/{model}/health                     each loaded version's last health probe ({@link HealthProbes})
 *   POST /admin/models/{model}/health/run                 probes the model's versions now; answers as GET
 *   GET  /admin/audit                                     every change, oldest first
 *   GET  /admin/models/{model}/latency | drift | comparison | accuracy | split-check | requests | sampling
 *   GET  / and /ops/...                                   the ops page ({@link AdminAssets}), without a token
 * </pre>
 *
 * <p>While a rollout of a model runs or waits for its confirm, the calls that steer its traffic by hand
 * (traffic, promote, rollback) answer 409.
 *
 * <p>Threading: authentication and routing run on the event loop; the operation itself never does
 * (a load creates and warms up a runtime, the audit reads a file, and the event loops also serve
 * predictions). Changes run on one thread, in arrival order, reads on another so they stay answerable
 * while a load runs. Each queue is bounded; a call beyond it gets 503.
 *
 * <p>The audit's caller is {@code name@address} with the name from the {@code X-Scoring-Caller}
 * header, or the bare address without one. The name is the caller's claim: the token proves
 * only that the caller may administer.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest>
{
    /** Admin calls waiting behind the one running, per queue; more than a human or a script sends. */
    static final int QUEUE_CAPACITY = 16;
    static final String CALLER_HEADER = "X-Scoring-Caller";
    /** Longer names are cut: the audit log is not a place for payloads. */
    static final int MAX_CALLER_CHARS = 64;

    private static final System.Logger LOG = System.getLogger(AdminHandler.class.getName());
    private static final ObjectMapper JSON = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
    private static final String AUTHENTICATE = "Bearer realm=\"scoring-admin\"";

    /** An admin operation: the call's path parameters, body and caller in, the answer out. */
    @FunctionalInterface
    private interface Operation
    {
        JsonNode apply(Call call) throws RouterException, IOException;
    }

    private record Call(Map<String, String> params, String body, String caller)
    {
        String model()
        {
            return params.get("model");
        }

        String version()
        {
            return params.get("version");
        }
    }

    /** One admin endpoint: a method and a path template whose {@code {name}} segments match any one segment. */
    private record Endpoint(HttpMethod method, String[] template, Operation operation)
    {
        Endpoint(final HttpMethod method, final String template, final Operation operation)
        {
            this(method, template.substring(1).split("/"), operation);
        }

        /** The path parameters, or null when the path does not fit the template. */
        Map<String, String> match(final String[] path)
        {
            if (path.length != template.length)
            {
                return null;
            }
            final Map<String, String> params = new HashMap<>();
            for (int i = 0; i < path.length; i++)
            {
                if (template[i].startsWith("{"))
                {
                    params.put(template[i].substring(1, template[i].length() - 1), path[i]);
                }
                else if (!template[i].equals(path[i]))
                {
                    return null;
                }
            }
            return params;
        }
    }

    private final ModelRegistry models;
    private final Monitoring monitoring;
    private final Rollouts rollouts;
    private final HealthProbes probes;
    private final byte[] token;
    private final List<Endpoint> endpoints;
    private final AdminAssets assets = new AdminAssets();
    private final ThreadPoolExecutor changes = boundedSingleThread("admin-changes");
    private final ThreadPoolExecutor reads = boundedSingleThread("admin-reads");

    /** @param token required on every call; null: none (the transport then listens on loopback only) */
    AdminHandler(
        final ModelRegistry models, final GatewayMonitoring monitoring, final Rollouts rollouts, final HealthProbes probes,
        final String token)
    {
        this.models = models;
        this.rollouts = rollouts;
        this.probes = probes;
        this.monitoring = monitoring.monitoring();
        this.token = null == token ? null : token.getBytes(StandardCharsets.UTF_8);
        this.endpoints = List.of(
            new Endpoint(HttpMethod.GET, "/admin/models", (call) -> listModels()),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/traffic", (call) -> model(call).policy().toJson()),
            new Endpoint(HttpMethod.PUT, "/admin/models/{model}/traffic", this::setTraffic),
            new Endpoint(HttpMethod.POST, "/admin/models/{model}/versions/{version}/load", (call) -> describeAfter(call,
                () -> models.load(call.model(), call.version(), call.caller()))),
            new Endpoint(HttpMethod.POST, "/admin/models/{model}/versions/{version}/unload", (call) ->
                describeAfter(call, () -> models.unload(call.model(), call.version(), call.caller()))),
            new Endpoint(HttpMethod.POST, "/admin/models/{model}/promote", (call) -> steerAfter(call,
                () -> models.promote(call.model(), call.caller()))),
            new Endpoint(HttpMethod.POST, "/admin/models/{model}/rollback", (call) -> steerAfter(call,
                () -> models.rollback(call.model(), call.caller()))),
            new Endpoint(HttpMethod.POST, "/admin/models/{model}/rollout", (call) ->
                rollouts.start(call.model(), body(call), call.caller())),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/rollout", (call) -> rollouts.state(call.model())),
            new Endpoint(HttpMethod.POST, "/admin/models/{model}/rollout/pause", (call) ->
                rollouts.pause(call.model(), call.caller())),
            new Endpoint(HttpMethod.POST, "/admin/models/{model}/rollout/resume", (call) ->
                rollouts.resume(call.model(), call.caller())),
            new Endpoint(HttpMethod.POST, "/admin/models/{model}/rollout/abort", (call) ->
                rollouts.abort(call.model(), call.caller())),
            new Endpoint(HttpMethod.POST, "/admin/models/{model}/rollout/confirm", (call) ->
                rollouts.confirm(call.model(), call.caller())),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/health", (call) -> probes.report(call.model())),
            new Endpoint(HttpMethod.POST, "/admin/models/{model}/health/run", (call) -> probes.runNow(call.model())),
            new Endpoint(HttpMethod.GET, "/admin/audit", (call) -> JSON.createObjectNode().set("audit", models.audit())),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/latency", (call) -> report(call, this.monitoring.latency(call.model())::writeJson)),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/drift", (call) -> report(call, this.monitoring.drift(call.model())::writeJson)),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/comparison", (call) -> report(call, this.monitoring.comparison(call.model())::writeJson)),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/accuracy", (call) -> report(call, this.monitoring.accuracy(call.model())::writeJson)),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/requests", (call) -> report(call, this.monitoring.requests(call.model())::writeJson)),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/segments", (call) -> report(call, this.monitoring.segments(call.model())::writeJson)),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/history", this::history),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/split-check", (call) -> report(call, this.monitoring.sampleRatioMismatch(call.model())::writeJson)),
            new Endpoint(HttpMethod.GET, "/admin/models/{model}/sampling", (call) -> sampling(call)),
            new Endpoint(HttpMethod.PUT, "/admin/models/{model}/sampling", this::setSampling));
    }

    boolean requiresToken()
    {
        return null != token;
    }

    // ---------------------------------------------------------------------------------------------
    // the operations, off the event loop

    private JsonNode listModels()
    {
        final ObjectNode answer = JSON.createObjectNode();
        final var list = answer.putArray("models");
        models.models().forEach((model) -> list.add(models.describe(model)));
        models.failures().forEach((model, reason) ->
            list.addObject().put("name", model).put("state", "FAILED").put("reason", reason));
        return answer;
    }

    private static JsonNode body(final Call call) throws RouterException
    {
        try
        {
            return JSON.readTree(call.body());
        }
        catch (final JsonProcessingException ex)
        {
            throw new RouterException(RouterException.Kind.INVALID, "malformed JSON: " + ex.getOriginalMessage());
        }
    }

    private JsonNode setTraffic(final Call call) throws RouterException, IOException
    {
        final JsonNode body = body(call);
        final TrafficPolicy policy;
        try
        {
            policy = TrafficPolicy.parse(body);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new RouterException(RouterException.Kind.INVALID, ex.getMessage());
        }
        return steerAfter(call, () -> models.setPolicy(call.model(), policy, call.caller()));
    }

    /** A monitoring report's JSON writer. */
    @FunctionalInterface
    private interface Report
    {
        void writeJson(JsonGenerator json) throws IOException;
    }

    private JsonNode report(final Call call, final Report report) throws RouterException, IOException
    {
        model(call); // 404 for an unknown model
        final java.io.StringWriter text = new java.io.StringWriter();
        try (JsonGenerator json = JSON.getFactory().createGenerator(text))
        {
            report.writeJson(json);
        }
        return JSON.readTree(text.toString());
    }

    /** How far back a history query reaches without {@code from}: a week, the range dashboards default to. */
    static final long HISTORY_RANGE_DEFAULT_MILLIS = 7L * 24 * 3600 * 1000;

    /**
     * {@code GET .../history?metric=accuracy.auc[&version=2][&from=...][&to=...]}: one metric's recorded values,
     * oldest first; {@code from}/{@code to} are epoch milliseconds or ISO-8601 instants, by default the last week.
     */
    private JsonNode history(final Call call) throws RouterException, IOException
    {
        final Model model = model(call);
        final String metric = call.params().get("metric");
        if (null == metric || metric.isEmpty())
        {
            throw new RouterException(RouterException.Kind.INVALID, "metric: required, e.g. metric=accuracy.auc");
        }
        final long to = instant(call, "to", System.currentTimeMillis());
        final long from = instant(call, "from", to - HISTORY_RANGE_DEFAULT_MILLIS);
        if (from > to)
        {
            throw new RouterException(RouterException.Kind.INVALID, "from (" + from + ") must not be after to (" + to + ")");
        }
        final HistoryReport report = monitoring.history(model.name(), call.params().get("version"), metric, from, to);
        if (null == report)
        {
            throw new RouterException(RouterException.Kind.NOT_FOUND, "no evaluation history: --history-dir is off");
        }
        return report(call, report::writeJson);
    }

    private static long instant(final Call call, final String name, final long absent) throws RouterException
    {
        final String text = call.params().get(name);
        if (null == text || text.isEmpty())
        {
            return absent;
        }
        try
        {
            return text.chars().allMatch(Character::isDigit) ? Long.parseLong(text) : Instant.parse(text).toEpochMilli();
        }
        catch (final NumberFormatException | DateTimeParseException ex)
        {
            throw new RouterException(RouterException.Kind.INVALID,
                name + ": epoch milliseconds or an ISO-8601 instant such as 2026-12-06T10:00:00Z, got '" + text + "'");
        }
    }

    private JsonNode sampling(final Call call) throws RouterException
    {
        return JSON.createObjectNode().put("percent", monitoring.samplingPercent(model(call).name()));
    }

    /** {@code PUT .../sampling {"percent": 5}}: the share of requests sampled for drift, comparison and the payload log. */
    private JsonNode setSampling(final Call call) throws RouterException
    {
        final Model model = model(call);
        final JsonNode percent = body(call).get("percent");
        if (null == percent || !percent.isNumber() || percent.asDouble() < 0 || percent.asDouble() > 100)
        {
            throw new RouterException(RouterException.Kind.INVALID, "percent: required, a number from 0 to 100");
        }
        monitoring.samplingPercent(model.name(), percent.asDouble());
        return sampling(call);
    }

    @FunctionalInterface
    private interface Change
    {
        void run() throws RouterException, IOException;
    }

    /** A change of the model's traffic by hand: refused (409) while a rollout steers it. */
    private JsonNode steerAfter(final Call call, final Change change) throws RouterException, IOException
    {
        rollouts.refuseManualSteering(call.model());
        return describeAfter(call, change);
    }

    private JsonNode describeAfter(final Call call, final Change change) throws RouterException, IOException
    {
        change.run();
        return models.describe(model(call));
    }

    private Model model(final Call call) throws RouterException
    {
        final Model model = models.model(call.model());
        if (null == model)
        {
            throw new RouterException(RouterException.Kind.NOT_FOUND, "model '" + call.model() + "' is not served");
        }
        return model;
    }

    private static FullHttpResponse answer(final Operation operation, final Call call)
    {
        try
        {
            return json(HttpResponseStatus.OK, operation.apply(call));
        }
        catch (final RouterException ex)
        {
            return error(switch (ex.kind())
            {
                case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
                case INVALID -> HttpResponseStatus.BAD_REQUEST;
                case CONFLICT -> HttpResponseStatus.CONFLICT;
            }, ex.getMessage());
        }
        catch (final RejectedExecutionException ex)
        {
            // a worker the call needs (the health probes' thread) has stopped: the gateway is going away, not failing
            return error(HttpResponseStatus.SERVICE_UNAVAILABLE, ex.getMessage());
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "admin call failed", ex);
            return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "the admin call failed: " + ex);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // on the event loop: authenticate, route, hand off

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        ctx.channel().config().setAutoRead(false); // until this one is answered: see AdminTransport
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess())
        {
            send(ctx, false, error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"));
            return;
        }
        final QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        final String path = uri.path();
        if (assets.serves(path))
        {
            send(ctx, keepAlive, assets.answer(request, path));
            return;
        }
        final String refusal = authenticate(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (null != refusal)
        {
            final FullHttpResponse response = error(HttpResponseStatus.UNAUTHORIZED, refusal);
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, AUTHENTICATE);
            send(ctx, keepAlive, response);
            return;
        }

        final String[] segments = path.startsWith("/") ? path.substring(1).split("/") : new String[0];
        final StringJoiner allowed = new StringJoiner(", ");
        for (final Endpoint endpoint : endpoints)
        {
            final Map<String, String> params = endpoint.match(segments);
            if (null != params && endpoint.method.equals(request.method()))
            {
                uri.parameters().forEach((name, values) -> params.putIfAbsent(name, values.get(0))); // path first
                final Call call = new Call(params, request.content().toString(StandardCharsets.UTF_8), caller(ctx, request));
                final ExecutorService executor = HttpMethod.GET.equals(endpoint.method) ? reads : changes;
                try
                {
                    executor.execute(() -> send(ctx, keepAlive, answer(endpoint.operation, call)));
                }
                catch (final RejectedExecutionException ex)
                {
                    send(ctx, keepAlive, error(HttpResponseStatus.SERVICE_UNAVAILABLE, executor.isShutdown()
                        ? "the gateway is shutting down"
                        : "too many admin calls waiting (" + QUEUE_CAPACITY + "); try again"));
                }
                return;
            }
            if (null != params)
            {
                allowed.add(endpoint.method.name());
            }
        }
        if (allowed.length() > 0)
        {
            final FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                request.method() + " is not allowed on " + path + "; use " + allowed);
            response.headers().set(HttpHeaderNames.ALLOW, allowed.toString());
            send(ctx, keepAlive, response);
        }
        else
        {
            send(ctx, keepAlive, error(HttpResponseStatus.NOT_FOUND, "no such path: " + path));
        }
    }

    /** Null when the call may proceed, else why not. */
    private String authenticate(final String authorization)
    {
        if (null == token)
        {
            return null;
        }
        if (null == authorization || !authorization.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            return "this call needs the header 'Authorization: Bearer <token>' (the gateway's " +
                AdminTransport.TOKEN_ENV + ")";
        }
        // constant time in the length of the configured token, which must come first
        final byte[] presented = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(token, presented) ? null : "the bearer token is wrong";
    }

    private static String caller(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        final String address = ((InetSocketAddress)ctx.channel().remoteAddress()).getAddress().getHostAddress();
        final String name = request.headers().get(CALLER_HEADER);
        if (null == name || name.isBlank())
        {
            return address;
        }
        final String trimmed = name.strip();
        return (trimmed.length() > MAX_CALLER_CHARS ? trimmed.substring(0, MAX_CALLER_CHARS) : trimmed) + "@" + address;
    }

    private static FullHttpResponse json(final HttpResponseStatus status, final JsonNode body)
    {
        final byte[] bytes;
        try
        {
            bytes = JSON.writeValueAsBytes(body);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a JSON tree always serializes", ex);
        }
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            Unpooled.wrappedBuffer(bytes, new byte[]{'\n'}));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        // live figures and the audit: a browser (the ops page) or a proxy must never answer from a cache
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }

    private static FullHttpResponse error(final HttpResponseStatus status, final String message)
    {
        return json(status, JSON.createObjectNode().put("error", message));
    }

    /** Answers, then reads on to the connection's next request (or closes it). Safe from any thread. */
    private static void send(final ChannelHandlerContext ctx, final boolean keepAlive, final FullHttpResponse response)
    {
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (!keepAlive)
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(response).addListener((ChannelFutureListener)(written) ->
        {
            if (keepAlive && written.isSuccess())
            {
                ctx.channel().config().setAutoRead(true);
            }
            else
            {
                ctx.close();
            }
        });
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        LOG.log(System.Logger.Level.DEBUG, "admin connection failed", cause);
        ctx.close();
    }

    // ---------------------------------------------------------------------------------------------
    // the two queues

    private static ThreadPoolExecutor boundedSingleThread(final String name)
    {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY), (task) ->
        {
            final Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    void shutdown()
    {
        changes.shutdown();
        reads.shutdown();
    }

    void awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        changes.awaitTermination(timeout, unit);
        reads.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
