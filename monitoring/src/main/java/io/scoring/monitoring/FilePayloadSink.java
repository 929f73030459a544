package io.scoring.monitoring;

import io.micrometer.core.instrument.Counter;

/**
 * The payload log's default sink: JSON lines in files {@code samples-<epoch millis>-<seq>.jsonl}
 * ({@link RotatingFiles}), rotated at {@link Monitoring.Context#payloadLogMaxFileBytes()} or
 * {@link Monitoring.Context#payloadLogMaxFileMillis()}, the oldest deleted while all exceed
 * {@link Monitoring.Context#payloadLogMaxTotalBytes()}.
 *
 * <p>Threading: the monitoring thread only. Deletions are counted in
 * {@code scoring_payload_log_files_deleted_total}, failed writes in {@code scoring_payload_log_write_errors_total}
 * (the file abandoned, the next line opens a new one). {@link #onClose()} flushes, syncs and closes: every
 * line handed to it is on disk.
 */
final class FilePayloadSink implements PayloadSink
{
    static final String PREFIX = "samples-";

    private final Counter logged;
    private final RotatingFiles files;

    FilePayloadSink(final Monitoring.Context config, final Counter logged, final Counter filesDeleted, final Counter writeErrors)
    {
        this.logged = logged;
        this.files = new RotatingFiles(config.payloadLogDir(), PREFIX, config.payloadLogMaxFileBytes(),
            config.payloadLogMaxFileMillis(), config.payloadLogMaxTotalBytes(), config.payloadLogFlushMillis(),
            filesDeleted, writeErrors);
    }

    @Override
    public void onLine(final Sample sample, final byte[] line, final int length)
    {
        if (files.write(line, length, sample.epochMillis()))
        {
            logged.increment();
        }
    }

    @Override
    public void onTick(final long epochMillis)
    {
        files.tick(epochMillis);
    }

    @Override
    public void onClose()
    {
        files.close();
    }
}
