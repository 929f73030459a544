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
 * The payload log's default sink: JSON lines in files {@code samples-<epoch millis>-<seq>.jsonl}, rotated
 * by size and age, with the oldest deleted to keep the directory under a cap.
 *
 * <p>Threading: the monitoring thread only. Bounded: {@link Monitoring.Context#payloadLogMaxTotalBytes()} on disk,
 * counted deletions ({@code scoring_payload_log_files_deleted_total}); a failed write is counted
 * ({@code scoring_payload_log_write_errors_total}), the file abandoned, and the next line opens a new
 * one. {@link #onClose()} flushes, syncs and closes: every line handed to it is on disk.
 */
final class FilePayloadSink implements PayloadSink
{
    private static final String PREFIX = "samples-";
    private static final String SUFFIX = ".jsonl";

    private final Monitoring.Context config;
    private final Counter logged;
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

    FilePayloadSink(final Monitoring.Context config, final Counter logged, final Counter filesDeleted, final Counter writeErrors)
    {
        this.config = config;
        this.logged = logged;
        this.filesDeleted = filesDeleted;
        this.writeErrors = writeErrors;
        try
        {
            Files.createDirectories(config.payloadLogDir());
            for (final Path existing : existingFiles(config.payloadLogDir()))
            {
                closedFiles.addLast(existing);
                closedBytes += Files.size(existing);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("payload log directory " + config.payloadLogDir(), ex);
        }
        enforceCap();
    }

    @Override
    public void onLine(final Sample sample, final byte[] line, final int length)
    {
        final long now = sample.epochMillis();
        try
        {
            if (null != out && (out.count >= config.payloadLogMaxFileBytes() || now - openedAtMillis >= config.payloadLogMaxFileMillis()))
            {
                closeCurrent();
            }
            if (null == out)
            {
                openNext(now);
            }
            out.write(line, 0, length);
            out.write('\n');
            logged.increment();
        }
        catch (final IOException ex)
        {
            writeErrors.increment();
            abandonCurrent();
        }
    }

    @Override
    public void onTick(final long epochMillis)
    {
        if (null == out)
        {
            return;
        }
        try
        {
            if (epochMillis - openedAtMillis >= config.payloadLogMaxFileMillis())
            {
                closeCurrent();
            }
            else if (epochMillis - lastFlushMillis >= config.payloadLogFlushMillis())
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

    @Override
    public void onClose()
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
        currentPath = config.payloadLogDir().resolve(String.format("%s%013d-%06d%s", PREFIX, now, sequence++ % 1_000_000, SUFFIX));
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
        while (!closedFiles.isEmpty() && closedBytes + openBytes > config.payloadLogMaxTotalBytes())
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

    private static List<Path> existingFiles(final Path directory) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX))
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
