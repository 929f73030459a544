package io.scoring.monitoring.sampling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.Counter;
import io.scoring.monitoring.FeatureSpec;

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
 * The payload log: every sampled request as one JSON line, in files rotated by size and age, with the
 * oldest deleted to keep the directory under a cap. Format (one line, wrapped here):
 *
 * <pre>
 * {"request_id":"r-17","time":1732700000123,"model":"credit-risk","version":"v2","role":"champion",
 *  "features":[{"checking_status":"&lt;0","duration":6.0,...}],"scores":[0.12],"score_nanos":41000,
 *  "shadow_scores":{"v3":{"role":"shadow","scores":[0.09],"score_nanos":39000}}}
 * </pre>
 *
 * One element of {@code features} and {@code scores} per row; categorical features by category name;
 * {@code shadow_scores} only when other versions scored the same request.
 *
 * <p>Threading: the monitoring thread only. Bounded: {@link PayloadLogConfig#maxTotalBytes()} on disk,
 * counted deletions ({@code scoring_payload_log_files_deleted_total}); a failed write is counted
 * ({@code scoring_payload_log_write_errors_total}), the file abandoned, and the next sample opens a new
 * one. {@link #onClose()} flushes, syncs and closes: every sample handed to it is on disk.
 */
public final class PayloadLog implements SampleSink
{
    private static final String PREFIX = "samples-";
    private static final String SUFFIX = ".jsonl";

    private final PayloadLogConfig config;
    private final Counter logged;
    private final Counter filesDeleted;
    private final Counter writeErrors;
    private final JsonFactory jsonFactory = new JsonFactory();
    /** Closed files, oldest first, and their sizes; the current file is not among them. */
    private final Deque<Path> closedFiles = new ArrayDeque<>();
    private long closedBytes;
    private int sequence;

    private Path currentPath;
    private FileOutputStream currentFile;
    private CountingStream currentBytes;
    private JsonGenerator json;
    private long openedAtMillis;
    private long lastFlushMillis;

    public PayloadLog(final PayloadLogConfig config, final Counter logged, final Counter filesDeleted, final Counter writeErrors)
    {
        this.config = config;
        this.logged = logged;
        this.filesDeleted = filesDeleted;
        this.writeErrors = writeErrors;
        try
        {
            Files.createDirectories(config.directory());
            for (final Path existing : existingFiles(config.directory()))
            {
                closedFiles.addLast(existing);
                closedBytes += Files.size(existing);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("payload log directory " + config.directory(), ex);
        }
        enforceCap();
    }

    @Override
    public void onSample(final Sample sample)
    {
        final long now = sample.epochMillis();
        try
        {
            if (null != json && (currentBytes.count >= config.maxFileBytes() || now - openedAtMillis >= config.maxFileMillis()))
            {
                closeCurrent();
            }
            if (null == json)
            {
                openNext(now);
            }
            writeLine(sample);
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
        if (null == json)
        {
            return;
        }
        try
        {
            if (epochMillis - openedAtMillis >= config.maxFileMillis())
            {
                closeCurrent();
            }
            else if (epochMillis - lastFlushMillis >= config.flushMillis())
            {
                json.flush();
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
        if (null == json)
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

    private void writeLine(final Sample sample) throws IOException
    {
        final SampleSource source = sample.source();
        final List<FeatureSpec> features = source.spec().features();
        final int rows = sample.rowCount();
        json.writeStartObject();
        json.writeStringField("request_id", sample.requestId());
        json.writeNumberField("time", sample.epochMillis());
        json.writeStringField("model", source.model());
        json.writeStringField("version", source.version());
        json.writeStringField("role", source.role());
        json.writeArrayFieldStart("features");
        for (int row = 0; row < rows; row++)
        {
            json.writeStartObject();
            for (int i = 0; i < sample.featureCount() && i < features.size(); i++)
            {
                writeFeature(features.get(i), sample.feature(row, i));
            }
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("scores");
        for (int row = 0; row < rows; row++)
        {
            json.writeNumber(sample.score(row));
        }
        json.writeEndArray();
        json.writeNumberField("score_nanos", sample.scoreNanos());
        if (sample.pairedCount() > 0)
        {
            json.writeObjectFieldStart("shadow_scores");
            for (int k = 0; k < sample.pairedCount(); k++)
            {
                final SampleSource other = sample.pairedSource(k);
                if (null == other)
                {
                    continue;
                }
                json.writeObjectFieldStart(other.version());
                json.writeStringField("role", other.role());
                json.writeArrayFieldStart("scores");
                for (int row = 0; row < rows; row++)
                {
                    json.writeNumber(sample.pairedScore(k, row));
                }
                json.writeEndArray();
                json.writeNumberField("score_nanos", sample.pairedScoreNanos(k));
                json.writeEndObject();
            }
            json.writeEndObject();
        }
        json.writeEndObject();
        json.writeRaw('\n');
        json.flush(); // into the buffered stream only (FLUSH_PASSED_TO_STREAM is off), so the size is current
    }

    private void writeFeature(final FeatureSpec feature, final float value) throws IOException
    {
        if (feature.isCategorical())
        {
            final int code = feature.categoryCode(value);
            if (code >= 0)
            {
                json.writeStringField(feature.name(), feature.categories().get(code));
                return;
            }
        }
        json.writeFieldName(feature.name());
        json.writeNumber(value);
    }

    private void openNext(final long now) throws IOException
    {
        currentPath = config.directory().resolve(String.format("%s%013d-%06d%s", PREFIX, now, sequence++ % 1_000_000, SUFFIX));
        currentFile = new FileOutputStream(currentPath.toFile());
        currentBytes = new CountingStream(new BufferedOutputStream(currentFile, 1 << 16));
        json = jsonFactory.createGenerator(currentBytes);
        json.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        json.setRootValueSeparator(null);
        openedAtMillis = now;
        lastFlushMillis = now;
    }

    private void closeCurrent() throws IOException
    {
        json.flush();
        currentBytes.flush();
        currentFile.getFD().sync();
        json.close();
        closedFiles.addLast(currentPath);
        closedBytes += currentBytes.count;
        json = null;
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
        json = null;
        currentFile = null;
        enforceCap();
    }

    private void enforceCap()
    {
        final long openBytes = null == json ? 0 : currentBytes.count;
        while (!closedFiles.isEmpty() && closedBytes + openBytes > config.maxTotalBytes())
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
