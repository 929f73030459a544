package io.scoring.monitoring;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.micrometer.core.instrument.Counter;
import io.scoring.monitoring.history.HistoryReport;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The evaluation store: every evaluation of every version appended as one JSON line to
 * {@code <history dir>/history-<epoch millis>-<seq>.jsonl} ({@link RotatingFiles}: a new file per run and
 * at {@link Monitoring.Context#historyMaxFileBytes()}, the oldest deleted past
 * {@link Monitoring.Context#historyMaxTotalBytes()}), so it outlives a restart:
 *
 * <pre>
 * {"time":1765010000000,"model":"credit-risk","version":"2","metrics":{"accuracy.auc":0.78,"drift.age.p_value":0.41,...}}
 * </pre>
 *
 * <p>A range query ({@link #query}) reads the files whose span meets the range, oldest first, streaming
 * each line and keeping the one metric asked for; files that end before the range are skipped by name.
 *
 * <p>Threading: {@link #append} and {@link #flush} on the monitoring thread; {@link #query} on any thread
 * (it reads what is on disk; a line being written is skipped when incomplete, a file deleted meanwhile is
 * skipped). Bounded: the cap on disk, and at most {@link #MAX_POINTS} points per answer.
 */
final class EvaluationHistory
{
    static final String PREFIX = "history-";
    /** Points per answer: a week of one-minute evaluations of one version is 10,080. */
    static final int MAX_POINTS = 20_000;
    /** A history file is only rotated by size: one a run, not one an hour. */
    private static final long NO_AGE_LIMIT = Long.MAX_VALUE / 2;
    /** Flushed and synced after every evaluation: a minute apart, an fsync costs nothing. */
    private static final long FLUSH_EVERY_TICK = 0;

    private static final JsonFactory JSON = new JsonFactory();

    private final Path directory;
    private final RotatingFiles files;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);

    EvaluationHistory(final Monitoring.Context config, final Counter filesDeleted, final Counter writeErrors)
    {
        this.directory = config.historyDir();
        this.files = new RotatingFiles(directory, PREFIX, config.historyMaxFileBytes(), NO_AGE_LIMIT,
            config.historyMaxTotalBytes(), FLUSH_EVERY_TICK, filesDeleted, writeErrors);
    }

    /** Appends one version's evaluation; non-finite values are left out. */
    void append(final long timeMillis, final String model, final String version, final Map<String, Double> metrics)
    {
        line.reset();
        try (JsonGenerator json = JSON.createGenerator(line))
        {
            json.writeStartObject();
            json.writeNumberField("time", timeMillis);
            json.writeStringField("model", model);
            json.writeStringField("version", version);
            json.writeObjectFieldStart("metrics");
            for (final Map.Entry<String, Double> metric : metrics.entrySet())
            {
                if (Double.isFinite(metric.getValue()))
                {
                    json.writeNumberField(metric.getKey(), metric.getValue());
                }
            }
            json.writeEndObject();
            json.writeEndObject();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex); // a ByteArrayOutputStream does not fail
        }
        files.write(line.toByteArray(), line.size(), timeMillis);
    }

    void flush(final long nowMillis)
    {
        files.tick(nowMillis);
    }

    void close()
    {
        files.close();
    }

    /** One metric of a model (one version, or all with {@code version} null) between two instants, inclusive. */
    HistoryReport query(final String model, final String version, final String metric, final long from, final long to)
        throws IOException
    {
        final List<HistoryReport.Point> points = new ArrayList<>();
        boolean truncated = false;
        final List<Path> all = RotatingFiles.files(directory, PREFIX);
        for (int i = 0; i < all.size() && !truncated; i++)
        {
            final long start = openedAt(all.get(i));
            if (start > to || (i + 1 < all.size() && openedAt(all.get(i + 1)) < from))
            {
                continue; // the file starts after the range, or the next one starts before it: none of its lines fit
            }
            truncated = read(all.get(i), model, version, metric, from, to, points);
        }
        return new HistoryReport(model, version, metric, from, to, points, truncated);
    }

    /** Adds the file's matching points; true once {@link #MAX_POINTS} is reached. */
    private static boolean read(
        final Path file,
        final String model,
        final String version,
        final String metric,
        final long from,
        final long to,
        final List<HistoryReport.Point> points) throws IOException
    {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            String text;
            while (null != (text = reader.readLine()))
            {
                final HistoryReport.Point point = point(text, model, version, metric, from, to);
                if (null != point)
                {
                    if (points.size() == MAX_POINTS)
                    {
                        return true;
                    }
                    points.add(point);
                }
            }
        }
        catch (final NoSuchFileException deletedMeanwhile)
        {
            // rotated away while we read the directory: its lines were the oldest, past the cap
        }
        return false;
    }

    /** The line's value of the metric when the line matches, else null (an incomplete last line included). */
    private static HistoryReport.Point point(
        final String text, final String model, final String version, final String metric, final long from, final long to)
        throws IOException
    {
        long time = Long.MIN_VALUE;
        String lineModel = null;
        String lineVersion = null;
        double value = Double.NaN;
        try (JsonParser json = JSON.createParser(text))
        {
            if (json.nextToken() != JsonToken.START_OBJECT)
            {
                return null;
            }
            while (json.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = json.currentName();
                json.nextToken();
                switch (field)
                {
                    case "time" -> time = json.getLongValue();
                    case "model" -> lineModel = json.getText();
                    case "version" -> lineVersion = json.getText();
                    case "metrics" ->
                    {
                        while (json.nextToken() == JsonToken.FIELD_NAME)
                        {
                            final boolean wanted = metric.equals(json.currentName());
                            json.nextToken();
                            if (wanted)
                            {
                                value = json.getDoubleValue();
                            }
                        }
                    }
                    default -> json.skipChildren();
                }
            }
        }
        catch (final com.fasterxml.jackson.core.JsonProcessingException incomplete)
        {
            return null; // the line being written, or one cut by a crash
        }
        if (time < from || time > to || !model.equals(lineModel) || Double.isNaN(value) ||
            (null != version && !version.equals(lineVersion)))
        {
            return null;
        }
        return new HistoryReport.Point(time, lineVersion, value);
    }

    /** A history file's open time, from its name {@code history-<13-digit millis>-<seq>.jsonl}. */
    private static long openedAt(final Path file)
    {
        final String name = file.getFileName().toString();
        return Long.parseLong(name.substring(PREFIX.length(), PREFIX.length() + 13));
    }
}
