package io.scoring.monitoring.sampling;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the payload log writes and when it rotates.
 *
 * @param directory     the log's own directory; files {@code samples-<epoch millis>-<seq>.jsonl}.
 * @param maxFileBytes  a file is closed once it reaches this size.
 * @param maxFileMillis a non-empty file is closed once it has been open this long.
 * @param maxTotalBytes the oldest closed files are deleted while all files together exceed this.
 * @param flushMillis   buffered lines reach the OS at least this often (and whenever the queue is idle).
 */
public record PayloadLogConfig(
    Path directory, long maxFileBytes, long maxFileMillis, long maxTotalBytes, long flushMillis)
{
    /** 64 MiB: a minute of 1,000 samples a second of a 20-feature model is ~60 MB. */
    public static final long MAX_FILE_BYTES_DEFAULT = 64L << 20;
    /** One hour: files line up with the hourly batch jobs that usually read them. */
    public static final long MAX_FILE_MILLIS_DEFAULT = 3_600_000L;
    /** 1 GiB: a day or more at modest rates on any node's disk. */
    public static final long MAX_TOTAL_BYTES_DEFAULT = 1L << 30;
    /** One second: what a crash can lose of lines already accepted, at most. */
    public static final long FLUSH_MILLIS_DEFAULT = 1_000L;

    public PayloadLogConfig
    {
        Objects.requireNonNull(directory, "directory");
        if (maxFileBytes <= 0 || maxFileMillis <= 0 || flushMillis <= 0 || maxTotalBytes < maxFileBytes)
        {
            throw new IllegalArgumentException("payload log sizes and periods must be positive, and the " +
                "total cap at least one file: " + this);
        }
    }

    public static PayloadLogConfig defaults(final Path directory)
    {
        return new PayloadLogConfig(
            directory, MAX_FILE_BYTES_DEFAULT, MAX_FILE_MILLIS_DEFAULT, MAX_TOTAL_BYTES_DEFAULT, FLUSH_MILLIS_DEFAULT);
    }
}
