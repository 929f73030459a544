package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Append-only JSON-lines files {@code <prefix><epoch millis>-<seq>.jsonl} in one directory, rotated by size
 * and age, the oldest deleted to keep the directory under a cap (files from earlier runs count): the
 * payload log's and the evaluation history's storage.
 *
 * <p>Threading: one writer thread. Bounded: {@code maxTotalBytes} on disk, counted deletions; a failed
 * write is counted, the file abandoned, and the next line opens a new one. {@link #close()} flushes, syncs
 * and closes: every line handed to it is on disk.
 */
final class RotatingFiles
{
    static final String SUFFIX = ".jsonl";

    private final Path directory;
    private final String prefix;
    private final long maxFileBytes;
    private final long maxFileMillis;
    private final long maxTotalBytes;
    private final long flushMillis;
    private final Counter filesDeleted;
    private final Counter writeErrors;
    /** Closed files, oldest first, and their sizes; the current file is not among them. */
    private final Deque<Path> closedFiles = new ArrayDeque<>();
    private long closedBytes;
    private int sequence;

    private Path currentPath;
    private FileOutputStream currentFile;
    private CountingStream out;
    private long openedAtMillis;
    private long lastFlushMillis;

    RotatingFiles(
        final Path directory,
        final String prefix,
        final long maxFileBytes,
        final long maxFileMillis,
        final long maxTotalBytes,
        final long flushMillis,
        final Counter filesDeleted,
        final Counter writeErrors)
    {
        this.directory = directory;
        this.prefix = prefix;
        this.maxFileBytes = maxFileBytes;
        this.maxFileMillis = maxFileMillis;
        this.maxTotalBytes = maxTotalBytes;
        this.flushMillis = flushMillis;
        this.filesDeleted = filesDeleted;
        this.writeErrors = writeErrors;
        try
        {
            Files.createDirectories(directory);
            for (final Path existing : files(directory, prefix))
            {
                closedFiles.addLast(existing);
                closedBytes += Files.size(existing);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(prefix + "* directory " + directory, ex);
        }
        enforceCap();
    }

    /** Appends a line (and its newline); false when it failed (counted, the file abandoned). */
    boolean write(final byte[] line, final int length, final long now)
    {
        try
        {
            if (null != out && (out.count >= maxFileBytes || now - openedAtMillis >= maxFileMillis))
            {
                closeCurrent();
            }
            if (null == out)
            {
                openNext(now);
            }
            out.write(line, 0, length);
            out.write('\n');
            return true;
        }
        catch (final IOException ex)
        {
            writeErrors.increment();
            abandonCurrent();
            return false;
        }
    }

    /** Closes the current file once it is too old; flushes and syncs it at most every flushMillis. */
    void tick(final long epochMillis)
    {
        if (null == out)
        {
            return;
        }
        try
        {
            if (epochMillis - openedAtMillis >= maxFileMillis)
            {
                closeCurrent();
            }
            else if (epochMillis - lastFlushMillis >= flushMillis)
            {
                out.flush();
                currentFile.getFD().sync();
                lastFlushMillis = epochMillis;
            }
        }
        catch (final IOException ex)
        {
            writeErrors.increment();
            abandonCurrent();
        }
    }

    void close()
    {
        if (null == out)
        {
            return;
        }
        try
        {
            closeCurrent();
        }
        catch (final IOException ex)
        {
            writeErrors.increment();
            abandonCurrent();
        }
    }

    private void openNext(final long now) throws IOException
    {
        currentPath = directory.resolve(String.format("%s%013d-%06d%s", prefix, now, sequence++ % 1_000_000, SUFFIX));
        currentFile = new FileOutputStream(currentPath.toFile());
        out = new CountingStream(new BufferedOutputStream(currentFile, 1 << 16));
        openedAtMillis = now;
        lastFlushMillis = now;
    }

    private void closeCurrent() throws IOException
    {
        out.flush();
        currentFile.getFD().sync();
        out.close();
        closedFiles.addLast(currentPath);
        closedBytes += out.count;
        out = null;
        currentFile = null;
        enforceCap();
    }

    private void abandonCurrent()
    {
        if (null != currentFile)
        {
            try
            {
                currentFile.close();
                closedFiles.addLast(currentPath);
                closedBytes += Files.size(currentPath);
            }
            catch (final IOException ignored)
            {
                // the file is gone or unreadable: nothing more to account for
            }
        }
        out = null;
        currentFile = null;
        enforceCap();
    }

    private void enforceCap()
    {
        final long openBytes = null == out ? 0 : out.count;
        while (!closedFiles.isEmpty() && closedBytes + openBytes > maxTotalBytes)
        {
            final Path oldest = closedFiles.removeFirst();
            try
            {
                closedBytes -= Files.size(oldest);
                Files.deleteIfExists(oldest);
                filesDeleted.increment();
            }
            catch (final IOException ex)
            {
                writeErrors.increment();
            }
        }
    }

    /** The directory's files of this prefix, oldest first. */
    static List<Path> files(final Path directory, final String prefix) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, prefix + "*" + SUFFIX))
        {
            stream.forEach(files::add);
        }
        files.sort(null); // names carry the open time, zero padded: name order is age order
        return files;
    }

    /** Counts bytes on their way to the file, so rotation by size needs no stat call. */
    private static final class CountingStream extends FilterOutputStream
    {
        long count;

        CountingStream(final OutputStream out)
        {
            super(out);
        }

        @Override
        public void write(final int b) throws IOException
        {
            out.write(b);
            count++;
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException
        {
            out.write(b, off, len);
            count += len;
        }
    }
}
