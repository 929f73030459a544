package io.scoring.router.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The router state in a local file, {@code router-state.json}. A save writes a temporary file,
 * fsyncs it, renames it over the old one atomically, then fsyncs the directory: after a crash
 * ({@code kill -9} included) the file holds the old state or the new one, never a torn mix.
 */
public final class FileStateStore implements StateStore
{
    static final String FILE = "router-state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final Path file;

    public FileStateStore(final Path directory) throws IOException
    {
        this.directory = Files.createDirectories(directory);
        this.file = directory.resolve(FILE);
    }

    @Override
    public Optional<ObjectNode> load() throws IOException
    {
        if (!Files.exists(file))
        {
            return Optional.empty();
        }
        final JsonNode state = JSON.readTree(file.toFile());
        if (!(state instanceof ObjectNode object) || !state.path("models").isObject())
        {
            throw new IOException(file + ": not a router state document");
        }
        return Optional.of(object);
    }

    @Override
    public synchronized void save(final ObjectNode state) throws IOException
    {
        write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
    }

    /** {@code <name>.json} beside the router state. */
    @Override
    public Optional<ObjectNode> loadDocument(final String name) throws IOException
    {
        final Path document = document(name);
        if (!Files.exists(document))
        {
            return Optional.empty();
        }
        final JsonNode json = JSON.readTree(document.toFile());
        if (!(json instanceof ObjectNode object))
        {
            throw new IOException(document + ": not a JSON object");
        }
        return Optional.of(object);
    }

    /** One process owns the directory: every lease is its own, and no fence is ever stale. */
    @Override
    public synchronized boolean saveDocument(final String name, final ObjectNode document, final long fence) throws IOException
    {
        write(document(name), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(document));
        return true;
    }

    private Path document(final String name)
    {
        if (!name.matches("[A-Za-z0-9._-]+") || name.equals(FILE.substring(0, FILE.length() - ".json".length())))
        {
            throw new IllegalArgumentException("a document name is letters, digits, '.', '_' and '-', got '" + name + "'");
        }
        return directory.resolve(name + ".json");
    }

    /** Temporary file, fsync, atomic rename, fsync of the directory: the old content or the new, whole. */
    private void write(final Path target, final byte[] bytes) throws IOException
    {
        final Path temporary = directory.resolve(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try
        {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            throw new IOException("the file system under " + directory + " cannot rename atomically", ex);
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true); // the rename itself survives a crash
        }
    }

    public Path file()
    {
        return file;
    }
}
