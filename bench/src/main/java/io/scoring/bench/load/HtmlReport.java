package io.scoring.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page (inline SVG, no script, nothing fetched) that plots latency by percentile
 * for one or more runs, overlaid, as HdrHistogram's plotter does: the x axis is {@code 1/(1-p)} on a
 * log scale, so 90%, 99%, 99.9%, ... are evenly spaced; the y axis is linear latency. A table below
 * gives each run's p50, p90, p99, p99.9 and max.
 *
 * <p>The input is HdrHistogram's percentile distribution ({@code .hgrm}, milliseconds), from this
 * generator or any other tool that writes it, so runs of separate processes can be overlaid:
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.scoring.bench.load.HtmlReport --out report.html \
 *       --title "gateway vs echo" gateway=gateway.hgrm echo=echo.hgrm
 * </pre>
 */
public final class HtmlReport
{
    static final String USAGE = """
        usage: java -cp bench/target/benchmarks.jar io.scoring.bench.load.HtmlReport --out FILE [--title TEXT] \
        [LABEL=]FILE.hgrm ...
        """;

    private static final String[] COLOURS =
        {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
    private static final int WIDTH = 960;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 48;
    private static final int TOP = 24;
    private static final int BOTTOM = 56;
    /** Percentiles the table reports. */
    private static final double[] TABLE_PERCENTILES = {50, 90, 99, 99.9};

    /** One run: its label and its percentile distribution, (percentile 0..1, latency in ms) pairs. */
    record Series(String label, List<double[]> points)
    {
        /**
         * Reads a .hgrm text: the rows of Value, Percentile, TotalCount, 1/(1-Percentile) before the summary
         * (the last row, percentile 1, has no fourth column).
         */
        static Series parse(final String label, final String hgrm)
        {
            final List<double[]> points = new ArrayList<>();
            for (final String line : hgrm.split("\n"))
            {
                final String[] cells = line.strip().split("\\s+");
                if ((cells.length == 3 || cells.length == 4) && !line.strip().startsWith("#"))
                {
                    try
                    {
                        points.add(new double[]{Double.parseDouble(cells[1]), Double.parseDouble(cells[0])});
                    }
                    catch (final NumberFormatException ex)
                    {
                        // the column header
                    }
                }
            }
            if (points.isEmpty())
            {
                throw new IllegalArgumentException(label + ": no percentile rows (is it an .hgrm file?)");
            }
            return new Series(label, points);
        }

        /** The latency at a percentile (0..100), in ms: the first row at or above it. */
        double at(final double percentile)
        {
            for (final double[] point : points)
            {
                if (point[0] * 100 >= percentile - 1e-9)
                {
                    return point[1];
                }
            }
            return max();
        }

        double max()
        {
            return points.get(points.size() - 1)[1];
        }
    }

    private HtmlReport()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        Path out = null;
        String title = "Latency by percentile";
        final List<Series> series = new ArrayList<>();
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--out" -> out = Path.of(args[++i]);
                    case "--title" -> title = args[++i];
                    default ->
                    {
                        final int equals = args[i].indexOf('=');
                        final Path file = Path.of(equals < 0 ? args[i] : args[i].substring(equals + 1));
                        final String label = equals < 0 ? file.getFileName().toString().replaceFirst("\\.hgrm$", "")
                            : args[i].substring(0, equals);
                        series.add(Series.parse(label, Files.readString(file, StandardCharsets.UTF_8)));
                    }
                }
            }
            if (null == out || series.isEmpty())
            {
                throw new IllegalArgumentException("give --out and at least one .hgrm file");
            }
        }
        catch (final IllegalArgumentException | ArrayIndexOutOfBoundsException ex)
        {
            System.err.println(ex.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
        write(out, title, List.of(), series);
        System.out.println("wrote " + out);
    }

    /** Writes the page: a title, lines of notes (the runs' settings, the machine), the plot and the table. */
    static void write(final Path file, final String title, final List<String> notes, final List<Series> series)
        throws IOException
    {
        final double maxMs = series.stream().mapToDouble(Series::max).max().orElse(1);
        final boolean micros = maxMs < 10;
        final String unit = micros ? "µs" : "ms";
        final double scale = micros ? 1000 : 1;

        final StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
            .append("</title>\n<style>body{font-family:sans-serif;margin:24px;color:#222}")
            .append("table{border-collapse:collapse}td,th{padding:4px 10px;text-align:right;border-bottom:1px solid #ddd}")
            .append("th:first-child,td:first-child{text-align:left}.note{color:#555;margin:2px 0}</style></head><body>\n");
        html.append("<h2>").append(escape(title)).append("</h2>\n");
        for (final String note : notes)
        {
            html.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
        }
        html.append("<p class=\"note\">Latency from each request's intended send time: in an open loop the ")
            .append("schedule's, so a stall is charged to every request it delayed (coordinated omission corrected); ")
            .append("in a closed loop the send itself. Generated ").append(Instant.now()).append(".</p>\n");
        plot(html, series, scale, unit);
        html.append("<table><tr><th>run</th>");
        for (final double p : TABLE_PERCENTILES)
        {
            html.append("<th>p").append(format(p)).append(" (").append(unit).append(")</th>");
        }
        html.append("<th>max (").append(unit).append(")</th></tr>\n");
        for (int s = 0; s < series.size(); s++)
        {
            final Series run = series.get(s);
            html.append("<tr><td><span style=\"color:").append(COLOURS[s % COLOURS.length]).append("\">&#9632;</span> ")
                .append(escape(run.label())).append("</td>");
            for (final double p : TABLE_PERCENTILES)
            {
                html.append("<td>").append(String.format(Locale.ROOT, "%.1f", run.at(p) * scale)).append("</td>");
            }
            html.append("<td>").append(String.format(Locale.ROOT, "%.1f", run.max() * scale)).append("</td></tr>\n");
        }
        html.append("</table>\n</body></html>\n");
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    private static void plot(final StringBuilder svg, final List<Series> series, final double scale, final String unit)
    {
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int plotHeight = HEIGHT - TOP - BOTTOM;
        double deepest = 0;
        for (final Series run : series)
        {
            for (final double[] point : run.points())
            {
                if (point[0] < 1)
                {
                    deepest = Math.max(deepest, decades(point[0]));
                }
            }
        }
        final int decades = (int)Math.min(6, Math.max(2, Math.ceil(deepest)));
        final double yMax = niceCeiling(series.stream().mapToDouble(Series::max).max().orElse(1) * scale);

        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
            .append(HEIGHT).append("\" font-size=\"12\">\n");
        svg.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotWidth)
            .append("\" height=\"").append(plotHeight).append("\" fill=\"none\" stroke=\"#888\"/>\n");
        for (int d = 0; d <= decades; d++)
        {
            final double x = LEFT + plotWidth * d / (double)decades;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e4e4e4\"/>",
                x, TOP, x, TOP + plotHeight));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x, TOP + plotHeight + 18, percentileLabel(d)));
        }
        for (int g = 0; g <= 5; g++)
        {
            final double y = TOP + plotHeight - plotHeight * g / 5.0;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>",
                LEFT, y, LEFT + plotWidth, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, y + 4, format(yMax * g / 5)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + plotWidth / 2, HEIGHT - 12));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">latency (%s)</text>%n",
            TOP + plotHeight / 2, TOP + plotHeight / 2, unit));

        for (int s = 0; s < series.size(); s++)
        {
            final String colour = COLOURS[s % COLOURS.length];
            svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append("\" points=\"");
            for (final double[] point : series.get(s).points())
            {
                final double d = point[0] >= 1 ? decades : Math.min(decades, decades(point[0]));
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + plotWidth * d / decades,
                    TOP + plotHeight - plotHeight * Math.min(1, point[1] * scale / yMax)));
            }
            svg.append("\"/>\n");
            svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                LEFT + 12, TOP + 12 + 18 * s, colour, LEFT + 30, TOP + 22 + 18 * s, escape(series.get(s).label())));
        }
        svg.append("</svg>\n");
    }

    /** log10(1 / (1 - p)): 0 at p = 0, 1 at 90%, 2 at 99%, ... */
    private static double decades(final double percentile)
    {
        return Math.log10(1 / (1 - percentile));
    }

    private static String percentileLabel(final int decades)
    {
        return 0 == decades ? "0%" : format(100 - 100 / Math.pow(10, decades)) + "%";
    }

    /** The smallest 1, 2, 2.5 or 5 times a power of ten at or above the value. */
    static double niceCeiling(final double value)
    {
        if (!(value > 0))
        {
            return 1;
        }
        final double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (final double step : new double[]{1, 2, 2.5, 5, 10})
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(final double value)
    {
        final String text = String.format(Locale.ROOT, "%.4f", value);
        return text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
