package io.scoring.router.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * Every change to the router, append-only, one JSON object a line ({@code audit.jsonl}):
 * {@code {"time": "...", "caller": "...", "action": "...", "model": "...", "before": {...}, "after": {...}}}.
 * Each entry is written and fsynced before the change is acknowledged; nothing rewrites the file.
 */
public final class AuditLog
{
    static final String FILE = "audit.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    public AuditLog(final Path directory) throws IOException
    {
        this.file = Files.createDirectories(directory).resolve(FILE);
    }

    public synchronized void append(
        final String caller, final String action, final String model, final JsonNode before, final JsonNode after)
        throws IOException
    {
        final ObjectNode entry = JSON.createObjectNode()
            .put("time", Instant.now().toString())
            .put("caller", caller)
            .put("action", action)
            .put("model", model);
        entry.set("before", before);
        entry.set("after", after);
        final byte[] line = (JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
            StandardOpenOption.WRITE, StandardOpenOption.SYNC))
        {
            out.write(line);
        }
    }

    /** Every entry, oldest first. */
    public synchronized ArrayNode entries() throws IOException
    {
        final ArrayNode entries = JSON.createArrayNode();
        if (Files.exists(file))
        {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (final String line : lines)
            {
                if (!line.isBlank())
                {
                    entries.add(JSON.readTree(line));
                }
            }
        }
        return entries;
    }
}
