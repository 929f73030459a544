package io.scoring.bench.load;

import org.HdrHistogram.Histogram;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;

/**
 * One run's outcome: counts, throughput and three latency histograms (nanoseconds): from the
 * intended send time (the reported latency), from the actual send (service time) and the generator's
 * own lateness (send lag, open loop only; empty in closed loop). {@code answeredAll} counts every
 * answer of the run, warm-up included, so a script can divide a server's CPU time by it.
 * {@code serverCpuMicros}: with {@code --server-pid}, the servers' CPU µs per answer of the measured
 * window ({@link ServerCpu}); NaN without.
 */
record RunResult(
    Setup setup,
    double seconds,
    long sent,
    long ok,
    Map<String, Long> errors,
    double throughput,
    long answeredAll,
    Histogram latency,
    Histogram serviceTime,
    Histogram sendLag,
    int requestBytes,
    int responseBytes,
    double serverCpuMicros)
{
    /** The .hgrm files are in milliseconds, as HdrHistogram's plotter and wrk2 write them. */
    static final double HGRM_UNIT_NANOS = 1e6;

    /** What was run: {@code concurrency} for the closed loop, {@code rate} and {@code arrivals} for the open. */
    record Setup(String label, String protocol, String target, String mode, int concurrency, double rate,
        String arrivals, ServerCpu serverCpu)
    {
        String describe()
        {
            return "closed".equals(mode)
                ? String.format(Locale.ROOT, "closed loop, %d in flight", concurrency)
                : String.format(Locale.ROOT, "open loop, %s arrivals at %.0f/s", arrivals, rate);
        }
    }

    long errorCount()
    {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Sent in the window and neither answered nor failed when the run gave up waiting. */
    long unanswered()
    {
        return sent - ok - errorCount();
    }

    static double micros(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    void print(final PrintStream out)
    {
        out.printf(Locale.ROOT, "%s  %s -> %s  %s, %.1f s measured%n",
            setup.label(), setup.protocol(), setup.target(), setup.describe(), seconds);
        out.printf(Locale.ROOT, "  sent %d  ok %d  errors %d%s  unanswered %d  throughput %.1f/s  request %d B  response %d B%n",
            sent, ok, errorCount(), errors.isEmpty() ? "" : " " + errors, unanswered(), throughput, requestBytes,
            responseBytes);
        if (!Double.isNaN(serverCpuMicros))
        {
            out.printf(Locale.ROOT, "  server CPU %.2f µs per answer (measured window)%n", serverCpuMicros);
        }
        printPercentiles(out, "latency from intended send", latency);
        printPercentiles(out, "service time from actual send", serviceTime);
        if (sendLag.getTotalCount() > 0)
        {
            out.printf(Locale.ROOT, "  %-32s p50 %9.1f  p99 %9.1f  max %9.1f µs%n", "generator send lag",
                micros(sendLag, 50), micros(sendLag, 99), sendLag.getMaxValue() / 1e3);
        }
    }

    private static void printPercentiles(final PrintStream out, final String what, final Histogram histogram)
    {
        out.printf(Locale.ROOT, "  %-32s p50 %9.1f  p90 %9.1f  p99 %9.1f  p99.9 %9.1f  max %9.1f  mean %9.1f µs%n",
            what, micros(histogram, 50), micros(histogram, 90), micros(histogram, 99), micros(histogram, 99.9),
            histogram.getMaxValue() / 1e3, histogram.getMean() / 1e3);
    }

    /** The latency from the intended send time as HdrHistogram's percentile distribution, in milliseconds. */
    String percentileDistribution()
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8))
        {
            latency.outputPercentileDistribution(out, 5, HGRM_UNIT_NANOS);
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    void writePercentileDistribution(final Path file) throws IOException
    {
        Files.writeString(file, percentileDistribution(), StandardCharsets.UTF_8);
    }

    static final String CSV_HEADER = "label,protocol,target,mode,concurrency,rate,arrivals,seconds,sent,ok,errors," +
        "unanswered,throughput,p50_us,p90_us,p99_us,p999_us,max_us,mean_us,service_p50_us,service_p99_us," +
        "send_lag_p99_us,request_bytes,response_bytes,answered_all,server_cpu_us";

    String csvRow()
    {
        return String.format(Locale.ROOT,
            "%s,%s,%s,%s,%d,%.0f,%s,%.3f,%d,%d,%d,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%d,%d,%d,%s",
            setup.label(), setup.protocol(), setup.target(), setup.mode(), setup.concurrency(), setup.rate(),
            setup.arrivals(), seconds, sent, ok, errorCount(), unanswered(), throughput,
            micros(latency, 50), micros(latency, 90), micros(latency, 99), micros(latency, 99.9),
            latency.getMaxValue() / 1e3, latency.getMean() / 1e3, micros(serviceTime, 50), micros(serviceTime, 99),
            micros(sendLag, 99), requestBytes, responseBytes, answeredAll,
            Double.isNaN(serverCpuMicros) ? "" : String.format(Locale.ROOT, "%.2f", serverCpuMicros));
    }

    /** Appends this run's row to a CSV file, writing the header first when the file is new. */
    void appendCsv(final Path file) throws IOException
    {
        final String row = (Files.exists(file) && Files.size(file) > 0 ? "" : CSV_HEADER + "\n") + csvRow() + "\n";
        Files.writeString(file, row, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
