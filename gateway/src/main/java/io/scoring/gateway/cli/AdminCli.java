package io.scoring.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.scoring.gateway.admin.AdminTransport;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * {@code java -jar scoring-gateway.jar admin <command> ...}: the admin API from a shell. Prints the
 * API's JSON answer, indented, on stdout.
 *
 * <p>Exit codes: 0 the API answered 2xx; 1 the API refused the call (its error on stderr) or could not
 * be reached; 2 the command line is wrong (usage on stderr).
 */
public final class AdminCli
{
    public static final int OK = 0;
    public static final int API_ERROR = 1;
    public static final int USAGE_ERROR = 2;

    static final String URL_ENV = "SCORING_ADMIN_URL";
    static final String CALLER_ENV = "SCORING_ADMIN_CALLER";
    static final String DEFAULT_URL = "http://127.0.0.1:8082";
    /** A load validates and warms up a model before it answers; a large model takes a while. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String USAGE = String.join("\n",
        "usage: java -jar scoring-gateway.jar admin [--url URL] <command> [arguments]",
        "",
        "commands:",
        "  models                     every model: its versions (state, runtime) and traffic policy",
        "  traffic <model>            the model's traffic policy",
        "  set-traffic <model> --champion V [--canary V:PERCENT] [--shadow V:PERCENT]...",
        "  set-traffic <model> --json '{\"champion\":\"1\",\"canary\":{\"version\":\"2\",\"percent\":10}}'",
        "                             replaces the traffic policy (flags add to or override --json)",
        "  load <model> <version>     loads a version from the model repository, validated and warmed up",
        "  unload <model> <version>   unloads a version that carries no traffic",
        "  promote <model>            the canary becomes the champion",
        "  rollback <model>           the previous champion takes the live traffic back",
        "  rollout <model> --version V --steps 10,50 --step-seconds S --min-requests N",
        "          [--confirm] [--gate wait|skip] [--on-inconclusive pause|fail] [--max-wait-seconds S]",
        "          [--threshold NAME=VALUE]... [--json '{...}']",
        "                             starts a rollout: replay gate, judged steps, then promotion (or a confirm)",
        "  rollout-status <model>     the rollout's state, checks, steps, timeline and past rollouts",
        "  rollout-pause <model> | rollout-resume <model> | rollout-abort <model> | rollout-confirm <model>",
        "  health <model>             each loaded version's last health probe: result, reason, largest score error, duration",
        "  health-run <model>         probes the model's versions now, then answers as health",
        "  audit                      every change: time, caller, action, before and after",
        "",
        "options:",
        "  --url URL                  the admin API; default $" + URL_ENV + ", else " + DEFAULT_URL,
        "  --tls-ca FILE              over https: trust the CAs in this PEM file (default: the JVM's)",
        "  --tls-cert FILE            over https: present this PEM client certificate (the gateway's --tls-client-ca)",
        "  --tls-key FILE             ... and its PEM PKCS#8 private key",
        "",
        "environment:",
        "  " + AdminTransport.TOKEN_ENV + "        the bearer token sent with every call",
        "  " + CALLER_ENV + "       who you are in the audit log; default $USER",
        "",
        "exit codes: 0 done; 1 the API refused or could not be reached (reason on stderr); 2 usage error");

    /** How many positional arguments follow each command. */
    private static final Map<String, Integer> ARITY = Map.ofEntries(
        Map.entry("models", 0), Map.entry("traffic", 1), Map.entry("set-traffic", 1), Map.entry("load", 2),
        Map.entry("unload", 2), Map.entry("promote", 1), Map.entry("rollback", 1), Map.entry("audit", 0),
        Map.entry("rollout", 1), Map.entry("rollout-status", 1), Map.entry("rollout-pause", 1),
        Map.entry("rollout-resume", 1), Map.entry("rollout-abort", 1), Map.entry("rollout-confirm", 1),
        Map.entry("health", 1), Map.entry("health-run", 1));
    /** The rollout's options and the JSON field each sets. */
    private static final Map<String, String> ROLLOUT_OPTIONS = Map.of(
        "--version", "version", "--steps", "steps", "--step-seconds", "step_seconds", "--min-requests", "min_requests",
        "--gate", "gate", "--on-inconclusive", "on_inconclusive", "--max-wait-seconds", "max_wait_seconds");

    private AdminCli()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs one command; returns the exit code. */
    public static int run(final String[] args, final Map<String, String> env, final PrintStream out, final PrintStream err)
    {
        final HttpRequest request;
        final HttpClient client;
        try
        {
            final CommandLine line = CommandLine.parse(args);
            if (line.help)
            {
                out.println(USAGE);
                return OK;
            }
            request = line.toRequest(env);
            client = line.client();
        }
        catch (final UsageException ex)
        {
            err.println("scoring-gateway admin: " + ex.getMessage());
            err.println(USAGE);
            return USAGE_ERROR;
        }
        return send(client, request, env, out, err);
    }

    private static int send(final HttpClient client, final HttpRequest request, final Map<String, String> env,
        final PrintStream out, final PrintStream err)
    {
        final HttpResponse<String> response;
        try
        {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            err.println("scoring-gateway admin: cannot reach " + request.uri() + ": " + ex);
            return API_ERROR;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("scoring-gateway admin: interrupted");
            return API_ERROR;
        }

        final JsonNode body = parseOrNull(response.body());
        if (response.statusCode() / 100 == 2)
        {
            out.println(null == body ? response.body() : body.toPrettyString());
            return OK;
        }
        final String reason = null != body && body.path("error").isTextual() ? body.get("error").asText() : response.body();
        final boolean noToken = response.statusCode() == 401 && isBlank(env.get(AdminTransport.TOKEN_ENV));
        err.println("scoring-gateway admin: HTTP " + response.statusCode() + ": " + reason +
            (noToken ? " (" + AdminTransport.TOKEN_ENV + " is not set)" : ""));
        return API_ERROR;
    }

    private static JsonNode parseOrNull(final String text)
    {
        try
        {
            return JSON.readTree(text);
        }
        catch (final JsonProcessingException ex)
        {
            return null;
        }
    }

    private static boolean isBlank(final String value)
    {
        return null == value || value.isBlank();
    }

    /** A command line that cannot be run as written. */
    private static final class UsageException extends Exception
    {
        UsageException(final String message)
        {
            super(message, null, false, false);
        }
    }

    /** The parsed arguments: a command, its positional arguments, and the options. */
    private static final class CommandLine
    {
        private boolean help;
        private String url;
        private String json;
        private String champion;
        private String canary;
        private String tlsCa;
        private String tlsCert;
        private String tlsKey;
        private final List<String> shadows = new ArrayList<>();
        private final List<String> positional = new ArrayList<>();
        private final Map<String, String> rolloutOptions = new java.util.LinkedHashMap<>();
        private final List<String> thresholds = new ArrayList<>();
        private boolean confirm;

        static CommandLine parse(final String[] args) throws UsageException
        {
            final CommandLine line = new CommandLine();
            for (int i = 0; i < args.length; i++)
            {
                String option = args[i];
                if (!option.startsWith("-"))
                {
                    line.positional.add(option);
                    continue;
                }
                if ("--help".equals(option) || "-h".equals(option))
                {
                    line.help = true;
                    return line;
                }
                if ("--confirm".equals(option))
                {
                    line.confirm = true;
                    continue;
                }
                String value = null;
                final int eq = option.indexOf('=');
                if (eq > 0)
                {
                    value = option.substring(eq + 1);
                    option = option.substring(0, eq);
                }
                else if (i + 1 < args.length)
                {
                    value = args[++i];
                }
                if (null == value)
                {
                    throw new UsageException(option + " needs a value");
                }
                switch (option)
                {
                    case "--url" -> line.url = value;
                    case "--json" -> line.json = value;
                    case "--champion" -> line.champion = value;
                    case "--canary" -> line.canary = value;
                    case "--shadow" -> line.shadows.add(value);
                    case "--threshold" -> line.thresholds.add(value);
                    case "--tls-ca" -> line.tlsCa = value;
                    case "--tls-cert" -> line.tlsCert = value;
                    case "--tls-key" -> line.tlsKey = value;
                    default ->
                    {
                        if (!ROLLOUT_OPTIONS.containsKey(option))
                        {
                            throw new UsageException("unknown option '" + option + "'");
                        }
                        line.rolloutOptions.put(option, value);
                    }
                }
            }
            if (line.positional.isEmpty())
            {
                throw new UsageException("no command");
            }
            return line;
        }

        /** HTTP/1.1; over https with the CA and client certificate given, else the JVM's trust store. */
        HttpClient client() throws UsageException
        {
            final HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT);
            if ((null == tlsCert) != (null == tlsKey))
            {
                throw new UsageException("--tls-cert and --tls-key go together");
            }
            if (null == tlsCa && null == tlsCert)
            {
                return client.build();
            }
            final SslContextBuilder tls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
            try
            {
                if (null != tlsCa)
                {
                    tls.trustManager(new File(tlsCa));
                }
                if (null != tlsCert)
                {
                    tls.keyManager(new File(tlsCert), new File(tlsKey));
                }
                // the JDK provider's context is a javax.net.ssl.SSLContext, which java.net.http takes
                return client.sslContext(((JdkSslContext)tls.build()).context()).build();
            }
            catch (final SSLException | IllegalArgumentException ex)
            {
                throw new UsageException("cannot use --tls-ca / --tls-cert / --tls-key: " + ex.getMessage());
            }
        }

        HttpRequest toRequest(final Map<String, String> env) throws UsageException
        {
            final String command = positional.get(0);
            final Integer arity = ARITY.get(command);
            if (null == arity)
            {
                throw new UsageException("unknown command '" + command + "'");
            }
            if (positional.size() - 1 != arity)
            {
                throw new UsageException(command + " takes " + arity + " argument(s), got " + (positional.size() - 1));
            }
            final boolean setTraffic = "set-traffic".equals(command);
            final boolean rollout = "rollout".equals(command);
            if (!setTraffic && (null != champion || null != canary || !shadows.isEmpty()))
            {
                throw new UsageException("--champion, --canary and --shadow go with set-traffic only");
            }
            if (!setTraffic && !rollout && null != json)
            {
                throw new UsageException("--json goes with set-traffic and rollout only");
            }
            if (!rollout && (confirm || !rolloutOptions.isEmpty() || !thresholds.isEmpty()))
            {
                throw new UsageException("--version, --steps, --step-seconds, --min-requests, --confirm, --gate, " +
                    "--on-inconclusive, --max-wait-seconds and --threshold go with rollout only");
            }

            final String model = arity > 0 ? "/admin/models/" + pathSegment(positional.get(1)) : "";
            final String path = switch (command)
            {
                case "models" -> "/admin/models";
                case "audit" -> "/admin/audit";
                case "traffic", "set-traffic" -> model + "/traffic";
                case "load", "unload" -> model + "/versions/" + pathSegment(positional.get(2)) + "/" + command;
                case "rollout", "rollout-status" -> model + "/rollout";
                case "rollout-pause", "rollout-resume", "rollout-abort", "rollout-confirm" ->
                    model + "/rollout/" + command.substring("rollout-".length());
                case "health" -> model + "/health";
                case "health-run" -> model + "/health/run";
                default -> model + "/" + command; // promote, rollback
            };

            final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl(env) + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
            final String token = env.get(AdminTransport.TOKEN_ENV);
            if (!isBlank(token))
            {
                request.header("Authorization", "Bearer " + token.trim());
            }
            final String caller = isBlank(env.get(CALLER_ENV)) ? env.get("USER") : env.get(CALLER_ENV);
            if (!isBlank(caller))
            {
                request.header("X-Scoring-Caller", caller.trim());
            }
            if (setTraffic)
            {
                request.header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(policyJson(), StandardCharsets.UTF_8));
            }
            else if (rollout)
            {
                request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(rolloutJson(), StandardCharsets.UTF_8));
            }
            else if (List.of("models", "traffic", "audit", "rollout-status", "health").contains(command))
            {
                request.GET();
            }
            else
            {
                request.POST(HttpRequest.BodyPublishers.noBody());
            }
            return request.build();
        }

        /** The admin API's URL without a trailing slash. */
        private String baseUrl(final Map<String, String> env) throws UsageException
        {
            String base = null != url ? url : isBlank(env.get(URL_ENV)) ? DEFAULT_URL : env.get(URL_ENV).trim();
            while (base.endsWith("/"))
            {
                base = base.substring(0, base.length() - 1);
            }
            try
            {
                final URI uri = URI.create(base);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || null == uri.getHost())
                {
                    throw new UsageException("--url must be http://host:port or https://host:port, got '" + base + "'");
                }
                return base;
            }
            catch (final IllegalArgumentException ex)
            {
                throw new UsageException("--url '" + base + "' is not a URL: " + ex.getMessage());
            }
        }

        /** The body of set-traffic: --json, then --champion, --canary and --shadow on top. */
        private String policyJson() throws UsageException
        {
            if (null == json && null == champion)
            {
                throw new UsageException("set-traffic needs --champion V (or --json '{...}')");
            }
            final ObjectNode policy = jsonObject();
            if (null != champion)
            {
                policy.put("champion", champion);
            }
            if (null != canary)
            {
                policy.set("canary", share("--canary", canary));
            }
            if (!shadows.isEmpty())
            {
                final JsonNode existing = policy.get("shadows");
                final ArrayNode list = existing instanceof ArrayNode array ? array : policy.putArray("shadows");
                for (final String shadow : shadows)
                {
                    list.add(share("--shadow", shadow));
                }
            }
            return policy.toString();
        }

        /** The body of rollout: --json, then the options on top. */
        private String rolloutJson() throws UsageException
        {
            final ObjectNode body = jsonObject();
            for (final Map.Entry<String, String> option : rolloutOptions.entrySet())
            {
                final String field = ROLLOUT_OPTIONS.get(option.getKey());
                switch (field)
                {
                    case "version", "gate", "on_inconclusive" -> body.put(field, option.getValue());
                    case "steps" ->
                    {
                        final ArrayNode steps = body.putArray("steps");
                        for (final String step : option.getValue().split(",", -1))
                        {
                            steps.add(number(option.getKey(), step));
                        }
                    }
                    default -> body.put(field, number(option.getKey(), option.getValue()));
                }
            }
            if (confirm)
            {
                body.put("confirm", true);
            }
            for (final String threshold : thresholds)
            {
                final int eq = threshold.indexOf('=');
                if (eq <= 0)
                {
                    throw new UsageException("--threshold takes NAME=VALUE, e.g. alpha=0.05, got '" + threshold + "'");
                }
                final JsonNode existing = body.get("thresholds");
                final ObjectNode map = existing instanceof ObjectNode object ? object : body.putObject("thresholds");
                map.put(threshold.substring(0, eq), number("--threshold", threshold.substring(eq + 1)));
            }
            if (!body.has("version"))
            {
                throw new UsageException("rollout needs --version V (and --steps, --step-seconds, --min-requests)");
            }
            return body.toString();
        }

        private static BigDecimal number(final String option, final String text) throws UsageException
        {
            try
            {
                return new BigDecimal(text.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new UsageException(option + ": '" + text + "' is not a number");
            }
        }

        /** --json as an object, or an empty one. */
        private ObjectNode jsonObject() throws UsageException
        {
            try
            {
                final JsonNode parsed = null == json ? JSON.createObjectNode() : JSON.readTree(json);
                if (!(parsed instanceof ObjectNode object))
                {
                    throw new UsageException("--json must be a JSON object");
                }
                return object;
            }
            catch (final JsonProcessingException ex)
            {
                throw new UsageException("--json is not valid JSON: " + ex.getOriginalMessage());
            }
        }

        private static ObjectNode share(final String option, final String versionAndPercent) throws UsageException
        {
            final int colon = versionAndPercent.lastIndexOf(':');
            if (colon <= 0 || colon == versionAndPercent.length() - 1)
            {
                throw new UsageException(option + " takes VERSION:PERCENT, e.g. 2:10, got '" + versionAndPercent + "'");
            }
            return JSON.createObjectNode()
                .put("version", versionAndPercent.substring(0, colon))
                .put("percent", number(option, versionAndPercent.substring(colon + 1)));
        }
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters. */
    static String pathSegment(final String text)
    {
        final StringBuilder encoded = new StringBuilder();
        for (final byte b : text.getBytes(StandardCharsets.UTF_8))
        {
            final char c = (char)(b & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0)
            {
                encoded.append(c);
            }
            else
            {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                    .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        return encoded.toString();
    }
}
