package io.scoring.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.scoring.gateway.cli.AdminCli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin CLI ({@code scoring-gateway.jar admin ...}) against a gateway started on free ports: what
 * it prints, and its exit codes (0 done, 1 the API refused, 2 usage).
 */
class AdminCliTest
{
    private static final String TOKEN = "cli-test-token";

    private static ScoringGateway gateway;
    private static Map<String, String> env;

    /** One run of the CLI: its exit code and what it printed. */
    private record Run(int code, String out, String err)
    {
        JsonNode json() throws Exception
        {
            return AdminClient.JSON.readTree(out);
        }
    }

    @BeforeAll
    static void startGateway() throws Exception
    {
        gateway = ScoringGateway.start(TestGateways.demoConfig(Files.createTempDirectory("scoring-state")), TOKEN);
        env = Map.of(
            "SCORING_ADMIN_URL", "http://127.0.0.1:" + gateway.adminPort(),
            "SCORING_ADMIN_TOKEN", TOKEN,
            "SCORING_ADMIN_CALLER", "cli-test");
    }

    @AfterAll
    static void stopGateway() throws Exception
    {
        gateway.drain();
    }

    private static Run admin(final Map<String, String> env, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = AdminCli.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run admin(final String... args)
    {
        return admin(env, args);
    }

    private static Run succeeded(final Run run)
    {
        assertEquals(0, run.code(), run.err());
        return run;
    }

    @Test
    void shouldSetShowPromoteAndRollBackTheTrafficAndShowItInTheAudit() throws Exception
    {
        final int earlier = succeeded(admin("audit")).json().get("audit").size();

        final Run set = succeeded(admin("set-traffic", "credit-risk", "--champion", "1", "--canary", "2:12.5"));
        assertTrue(set.out().contains("\n  \"traffic\" : {"), "indented JSON:\n" + set.out());
        assertEquals(12.5, set.json().get("traffic").get("canary").get("percent").asDouble());

        final JsonNode traffic = succeeded(admin("traffic", "credit-risk")).json();
        assertEquals("1", traffic.get("champion").asText());
        assertEquals("2", traffic.get("canary").get("version").asText());

        assertEquals("2", succeeded(admin("promote", "credit-risk")).json().get("traffic").get("champion").asText());
        assertEquals("1", succeeded(admin("rollback", "credit-risk")).json().get("traffic").get("champion").asText());

        final JsonNode audit = succeeded(admin("audit")).json().get("audit");
        assertEquals(earlier + 3, audit.size());
        assertEquals(List.of("set_traffic", "promote", "rollback"), List.of(audit.get(earlier).get("action").asText(),
            audit.get(earlier + 1).get("action").asText(), audit.get(earlier + 2).get("action").asText()));
        assertEquals("cli-test@127.0.0.1", audit.get(earlier).get("caller").asText());
        assertEquals("2", audit.get(earlier + 1).get("after").get("traffic").get("champion").asText());
    }

    @Test
    void shouldTakeThePolicyAsJsonWithFlagsOnTopAndTheUrlAsAnOption() throws Exception
    {
        final Map<String, String> noUrl = new HashMap<>(env);
        noUrl.remove("SCORING_ADMIN_URL");
        final String url = "--url=http://127.0.0.1:" + gateway.adminPort() + "/";
        try
        {
            final JsonNode model = succeeded(admin(noUrl, url, "set-traffic", "credit-risk",
                "--json", "{\"champion\":\"2\"}", "--shadow", "1:5")).json();
            assertEquals("2", model.get("traffic").get("champion").asText());
            assertEquals("1", model.get("traffic").get("shadows").get(0).get("version").asText());
            assertEquals(5.0, model.get("traffic").get("shadows").get(0).get("percent").asDouble());
            assertEquals("credit-risk", succeeded(admin(noUrl, url, "models")).json().get("models").get(0).get("name").asText());
        }
        finally
        {
            succeeded(admin("set-traffic", "credit-risk", "--champion", "1"));
        }
    }

    @Test
    void shouldExitTwoWithTheUsageForACommandLineItCannotRun() throws Exception
    {
        final int auditSize = succeeded(admin("audit")).json().get("audit").size();
        for (final String[] args : List.of(
            new String[]{},
            new String[]{"frobnicate"},
            new String[]{"promote"},
            new String[]{"load", "credit-risk"},
            new String[]{"set-traffic", "credit-risk"},
            new String[]{"set-traffic", "credit-risk", "--champion", "1", "--canary", "2"},
            new String[]{"set-traffic", "credit-risk", "--champion", "1", "--canary", "2:ten"},
            new String[]{"set-traffic", "credit-risk", "--json", "{not json"},
            new String[]{"set-traffic", "credit-risk", "--champion"},
            new String[]{"models", "--champion", "1"},
            new String[]{"models", "--verbose", "yes"},
            new String[]{"--url", "ftp://example.org", "models"}))
        {
            final Run run = admin(args);
            assertEquals(2, run.code(), String.join(" ", args));
            assertTrue(run.err().contains("usage: "), run.err());
            assertTrue(run.out().isEmpty());
        }
        assertEquals(auditSize, succeeded(admin("audit")).json().get("audit").size(), "nothing was sent");
    }

    @Test
    void shouldPrintTheUsageOnStdoutForHelp()
    {
        final Run help = succeeded(admin("--help"));
        assertTrue(help.out().startsWith("usage: java -jar scoring-gateway.jar admin"), help.out());
        assertTrue(help.out().contains("set-traffic <model> --champion V"));
    }

    @Test
    void shouldExitOneWithTheApiErrorOnStderrWhenTheApiRefuses() throws Exception
    {
        final Run conflict = admin("promote", "credit-risk");
        assertEquals(1, conflict.code());
        assertTrue(conflict.err().contains("HTTP 409") && conflict.err().contains("no canary"), conflict.err());
        assertTrue(conflict.out().isEmpty());

        final Run invalid = admin("set-traffic", "credit-risk", "--champion", "1", "--canary", "2:101");
        assertEquals(1, invalid.code());
        assertTrue(invalid.err().contains("HTTP 400") && invalid.err().contains("canary.percent"), invalid.err());

        final Run unknown = admin("traffic", "no-such-model");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("HTTP 404"), unknown.err());

        final Map<String, String> wrongToken = new HashMap<>(env);
        wrongToken.put("SCORING_ADMIN_TOKEN", "wrong");
        assertEquals(1, admin(wrongToken, "models").code());
        final Map<String, String> noToken = new HashMap<>(env);
        noToken.remove("SCORING_ADMIN_TOKEN");
        final Run unauthenticated = admin(noToken, "models");
        assertEquals(1, unauthenticated.code());
        assertTrue(unauthenticated.err().contains("HTTP 401") && unauthenticated.err().contains("SCORING_ADMIN_TOKEN is not set"),
            unauthenticated.err());
    }

    @Test
    void shouldExitOneWhenNothingListensAtTheUrl() throws Exception
    {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0))
        {
            closedPort = socket.getLocalPort();
        }
        final Run run = admin("--url", "http://127.0.0.1:" + closedPort, "models");
        assertEquals(1, run.code());
        assertTrue(run.err().contains("cannot reach"), run.err());
    }
}
