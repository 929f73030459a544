package io.scoring.gateway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README.md's "Configuration" section is the settings' contract: every setting the gateway reads has a
 * row there (its flag and its environment variable), and every row there is a setting the gateway reads.
 */
class ReadmeConfigurationTest
{
    private static final Path README = Path.of("..", "README.md");
    /** A table row of the section: {@code | `--flag` | `SCORING_FLAG` | default | what |}. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`--([a-z0-9-]+)`\\s*\\|\\s*`([A-Z0-9_]+)`\\s*\\|");

    @Test
    void shouldDocumentEverySettingInOneReadmeRowAndNoSettingThatDoesNotExist() throws IOException
    {
        final Map<String, String> documented = documentedSettings();
        final Map<String, String> declared = new TreeMap<>();
        for (final Settings.Setting setting : Settings.ALL)
        {
            declared.put(setting.name(), setting.envName());
        }

        final TreeSet<String> undocumented = new TreeSet<>(declared.keySet());
        undocumented.removeAll(documented.keySet());
        final TreeSet<String> unknown = new TreeSet<>(documented.keySet());
        unknown.removeAll(declared.keySet());
        assertTrue(undocumented.isEmpty(), "settings without a README row: " + undocumented);
        assertTrue(unknown.isEmpty(), "README rows for no setting: " + unknown);
        assertEquals(declared, documented, "each row's environment variable");
    }

    @Test
    void shouldKeepTheFlagsReadmeAndTheBriefPromise()
    {
        for (final String flag : List.of("http-port", "grpc-port", "admin-port", "models", "config", "features",
            "sampling-percent", "payload-log-dir", "payload-kafka", "state-store", "max-rows", "io-threads"))
        {
            assertTrue(null != Settings.byName(flag), "--" + flag + " is a contract (README, BRIEF.md)");
        }
    }

    /** flag name -> environment variable, from every table row of the "Configuration" section. */
    private static Map<String, String> documentedSettings() throws IOException
    {
        final List<String> lines = Files.readAllLines(README);
        final int start = lines.indexOf("## Configuration");
        assertTrue(start >= 0, "README.md has a \"## Configuration\" section");
        final Map<String, String> documented = new TreeMap<>();
        final List<String> duplicates = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++)
        {
            final Matcher row = ROW.matcher(lines.get(i));
            if (row.find() && null != documented.put(row.group(1), row.group(2)))
            {
                duplicates.add(row.group(1));
            }
        }
        assertTrue(duplicates.isEmpty(), "settings with two rows: " + duplicates);
        return documented;
    }
}
