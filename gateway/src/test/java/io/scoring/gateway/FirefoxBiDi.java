package io.scoring.gateway;

import org.openqa.selenium.Keys;
import org.openqa.selenium.bidi.Command;
import org.openqa.selenium.bidi.Connection;
import org.openqa.selenium.remote.http.ClientConfig;
import org.openqa.selenium.remote.http.HttpClient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A headless Firefox driven over WebDriver BiDi with no driver binary in between. Firefox started with
 * {@code --remote-debugging-port} serves BiDi itself at {@code ws://127.0.0.1:<port>/session}, and
 * {@code session.new} opens a session there.
 *
 * <p>Why not Selenium's {@code FirefoxDriver}: it always starts geckodriver, which Debian does not
 * package and which is not downloadable here (Selenium Manager fetches it from GitHub). Selenium's typed
 * BiDi modules ({@code BrowsingContext}, {@code Script}, {@code Input}) hang off such a driver; its BiDi
 * {@link Connection} does not, so this class sends over that connection the few commands the ops page's
 * test needs, as the BiDi specification names them (https://w3c.github.io/webdriver-bidi/).
 *
 * <p>One browsing context, one caller at a time.
 */
final class FirefoxBiDi implements AutoCloseable
{
    private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
    /** Firefox's own output kept for the message when it fails to start. */
    private static final int OUTPUT_LINES_KEPT = 40;
    private static final Duration COMMAND_PATIENCE = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final Connection connection;
    private final String context;

    private FirefoxBiDi(final Process process, final Path profile, final Connection connection, final String context)
    {
        this.process = process;
        this.profile = profile;
        this.connection = connection;
        this.context = context;
    }

    /** Starts the browser (port 0: Firefox picks a free one and prints it) and opens a BiDi session. */
    static FirefoxBiDi start(final Path firefox) throws IOException, InterruptedException
    {
        final Path profile = Files.createTempDirectory("firefox-profile");
        final Process process = new ProcessBuilder(firefox.toString(), "--headless", "--remote-debugging-port=0",
            "--profile", profile.toString(), "about:blank")
            .redirectErrorStream(true)
            .start();
        final CompletableFuture<String> address = new CompletableFuture<>();
        final Deque<String> output = new ArrayDeque<>();
        final Thread reader = new Thread(() -> drain(process, address, output), "firefox-output");
        reader.setDaemon(true);
        reader.start();
        try
        {
            final String url = address.get(60, TimeUnit.SECONDS);
            final Connection connection = new Connection(
                HttpClient.Factory.createDefault().createClient(ClientConfig.defaultConfig().baseUri(URI.create(url))), url);
            send(connection, "session.new", Map.of("capabilities", Map.of()));
            final List<?> contexts = (List<?>)send(connection, "browsingContext.getTree", Map.of()).get("contexts");
            final String context = (String)((Map<?, ?>)contexts.get(0)).get("context");
            return new FirefoxBiDi(process, profile, connection, context);
        }
        catch (final java.util.concurrent.ExecutionException | TimeoutException | RuntimeException ex)
        {
            process.destroyForcibly();
            delete(profile);
            synchronized (output)
            {
                throw new IllegalStateException("Firefox did not open a BiDi session (" + ex + "); its output:\n" +
                    String.join("\n", output), ex);
            }
        }
    }

    /** Reads Firefox's output to its end (a full pipe would stall it), noting the BiDi address. */
    private static void drain(final Process process, final CompletableFuture<String> address, final Deque<String> output)
    {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = lines.readLine()))
            {
                final Matcher listening = LISTENING.matcher(line);
                if (listening.find())
                {
                    address.complete(listening.group(1) + "/session");
                }
                synchronized (output)
                {
                    output.addLast(line);
                    if (output.size() > OUTPUT_LINES_KEPT)
                    {
                        output.removeFirst();
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            // the process went away: nothing more to read
        }
        address.completeExceptionally(new IllegalStateException("Firefox closed its output before it listened"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> send(final Connection connection, final String method, final Map<String, Object> params)
    {
        return (Map<String, Object>)connection.sendAndWait(new Command<>(method, params, Map.class), COMMAND_PATIENCE);
    }

    private Map<String, Object> send(final String method, final Map<String, Object> params)
    {
        return send(connection, method, params);
    }

    void navigate(final String url)
    {
        send("browsingContext.navigate", Map.of("context", context, "url", url, "wait", "complete"));
    }

    /**
     * The value of a JavaScript expression evaluated in the page (promises awaited): a String, Number,
     * Boolean or null; an element or object comes back as BiDi's remote value (a Map).
     */
    Object evaluate(final String expression)
    {
        final Map<String, Object> answer = send("script.evaluate", Map.of("expression", expression,
            "target", Map.of("context", context), "awaitPromise", true));
        if ("exception".equals(answer.get("type")))
        {
            throw new IllegalStateException("the page threw evaluating " + expression + ": " + answer.get("exceptionDetails"));
        }
        final Map<?, ?> result = (Map<?, ?>)answer.get("result");
        return switch ((String)result.get("type"))
        {
            case "undefined", "null" -> null;
            case "string", "boolean" -> result.get("value");
            // NaN and the infinities come as strings
            case "number" -> result.get("value") instanceof Number number ? number.doubleValue() : Double.NaN;
            default -> result;
        };
    }

    /** Presses and releases each key in turn, as a user types ({@link Keys} for Enter, Tab, Escape). */
    void type(final CharSequence... keys)
    {
        final List<Map<String, String>> actions = new ArrayList<>();
        keys(String.join("", keys)).forEach((key) ->
        {
            actions.add(Map.of("type", "keyDown", "value", key));
            actions.add(Map.of("type", "keyUp", "value", key));
        });
        keyboard(actions);
    }

    /** Ctrl+A: selects all of the focused field, so what is typed next replaces it. */
    void selectAll()
    {
        final String control = Keys.CONTROL.toString();
        keyboard(List.of(Map.of("type", "keyDown", "value", control), Map.of("type", "keyDown", "value", "a"),
            Map.of("type", "keyUp", "value", "a"), Map.of("type", "keyUp", "value", control)));
    }

    /** A mouse click in the middle of the first element the CSS selector finds, scrolled into view first. */
    void click(final String selector)
    {
        // input actions aim at the viewport: an element outside it cannot be clicked
        final Object element = evaluate("(() => { const e = document.querySelector(" + quoted(selector) + ");" +
            " e?.scrollIntoView({block: 'center'}); return e; })()");
        if (!(element instanceof Map<?, ?> node) || !"node".equals(node.get("type")))
        {
            throw new IllegalStateException("nothing to click: " + selector);
        }
        final Map<String, Object> origin = Map.of("type", "element", "element", Map.of("sharedId", node.get("sharedId")));
        send("input.performActions", Map.of("context", context, "actions", List.of(Map.of("type", "pointer", "id", "mouse",
            "parameters", Map.of("pointerType", "mouse"), "actions", List.of(
                Map.of("type", "pointerMove", "x", 0, "y", 0, "origin", origin),
                Map.of("type", "pointerDown", "button", 0),
                Map.of("type", "pointerUp", "button", 0))))));
    }

    private void keyboard(final List<Map<String, String>> actions)
    {
        send("input.performActions", Map.of("context", context,
            "actions", List.of(Map.of("type", "key", "id", "keyboard", "actions", actions))));
    }

    private static Stream<String> keys(final String text)
    {
        return text.codePoints().mapToObj(Character::toString);
    }

    /** A JavaScript string literal. */
    static String quoted(final String text)
    {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    @Override
    public void close() throws InterruptedException
    {
        try
        {
            send("session.end", Map.of());
        }
        catch (final RuntimeException ex)
        {
            // the browser is stopped below either way
        }
        connection.close();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        delete(profile);
    }

    private static void delete(final Path dir)
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
        }
        catch (final IOException ex)
        {
            // a temporary directory left behind is no test failure
        }
    }
}
