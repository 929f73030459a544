package io.scoring.monitoring;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.Counter;
import io.scoring.monitoring.metrics.ScoringMetrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload log: every sampled request as one JSON line, encoded once and handed to each
 * {@link PayloadSink} — rotating files ({@link FilePayloadSink}, the default) and, when configured, a
 * Kafka topic ({@link KafkaPayloadSink}). Format (one line, wrapped here):
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
 * <p>Threading: the monitoring thread only. Each line is encoded into one reused buffer that every sink
 * reads in place; a sample that cannot be encoded is counted ({@code scoring_payload_log_write_errors_total})
 * and reaches no sink.
 */
final class PayloadLog implements SampleSink
{
    private final List<PayloadSink> sinks;
    private final Counter writeErrors;
    private final JsonFactory jsonFactory = new JsonFactory();
    private final LineBuffer line = new LineBuffer();
    private JsonGenerator json;

    PayloadLog(final List<PayloadSink> sinks, final Counter writeErrors)
    {
        this.sinks = List.copyOf(sinks);
        this.writeErrors = writeErrors;
        this.json = newGenerator();
    }

    /**
     * The payload log with a sink per configured destination, its meters registered in {@code metrics};
     * null when the context names neither a directory nor Kafka. Connecting to Kafka waits at most
     * {@link Monitoring.Context#payloadKafkaConnectWaitMillis()}.
     */
    static PayloadLog create(final Monitoring.Context ctx, final ScoringMetrics metrics)
    {
        if (null == ctx.payloadLogDir() && null == ctx.payloadKafka())
        {
            return null;
        }
        final Counter writeErrors = metrics.counter("scoring.payload.log.write.errors", "Payload log writes that failed");
        final List<PayloadSink> sinks = new ArrayList<>(2);
        if (null != ctx.payloadLogDir())
        {
            sinks.add(new FilePayloadSink(ctx, metrics.samplesLogged(),
                metrics.counter("scoring.payload.log.files.deleted", "Payload log files deleted to respect the disk cap"),
                writeErrors));
        }
        if (null != ctx.payloadKafka())
        {
            sinks.add(new KafkaPayloadSink(ctx,
                metrics.counter("scoring.payload.kafka.sent", "Payload log lines acknowledged by Kafka"),
                metrics.counter("scoring.payload.kafka.dropped",
                    "Payload log lines not published to Kafka: producer buffer full, broker unreachable, or unacknowledged at close")));
        }
        return new PayloadLog(sinks, writeErrors);
    }

    @Override
    public void onSample(final Sample sample)
    {
        line.reset();
        try
        {
            writeJson(sample);
            json.flush(); // into the line buffer, which the sinks read in place
        }
        catch (final IOException ex)
        {
            writeErrors.increment();
            json = newGenerator(); // the old one may be mid-object
            return;
        }
        for (final PayloadSink sink : sinks)
        {
            sink.onLine(sample, line.array(), line.size());
        }
    }

    @Override
    public void onTick(final long epochMillis)
    {
        for (final PayloadSink sink : sinks)
        {
            sink.onTick(epochMillis);
        }
    }

    @Override
    public void onClose()
    {
        for (final PayloadSink sink : sinks)
        {
            sink.onClose();
        }
    }

    private void writeJson(final Sample sample) throws IOException
    {
        final SampleSource source = sample.source();
        final List<MonitoredFeature> features = source.spec().features();
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
    }

    private void writeFeature(final MonitoredFeature feature, final float value) throws IOException
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

    private JsonGenerator newGenerator()
    {
        try
        {
            final JsonGenerator generator = jsonFactory.createGenerator(line);
            generator.setRootValueSeparator(null); // lines are separated by the sinks, not by the generator
            return generator;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex); // an in-memory stream: cannot happen
        }
    }

    /** A growable buffer whose array the sinks read in place: no copy per line. */
    private static final class LineBuffer extends ByteArrayOutputStream
    {
        LineBuffer()
        {
            super(4096);
        }

        byte[] array()
        {
            return buf;
        }
    }
}
