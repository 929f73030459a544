package io.scoring.gateway;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.scoring.monitoring.history.HistoryReport;
import io.scoring.monitoring.history.SharedHistory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The fleet's evaluation history in Redis, next to the shared router state ({@code --state-store redis://}):
 * one stream per model, {@code {prefix}:history:{model}}, an entry per version per evaluation per replica,
 *
 * <pre>
 * XADD scoring:history:credit-risk MAXLEN ~ 20000 * time 1765010000000 version 2 accuracy.auc 0.78 drift.age.p_value 0.41 ...
 * </pre>
 *
 * <p>The entry id is Redis's ({@code *}, the server's clock), not the evaluation's time: an explicit
 * {@code <time>-*} id is refused once it is below the stream's last one, which a replica whose clock is a few
 * milliseconds behind another's would hit. A range query reads the ids within {@link #CLOCK_SLACK} of the range
 * (XRANGE by time) and keeps the entries whose own {@code time} field is in it.
 *
 * <p>Threading: {@link #append} on the monitoring thread, asynchronous (a Redis that is down rejects it at once:
 * commands are not queued while disconnected); {@link #query} on the admin thread, synchronous.
 */
final class RedisEvaluationHistory implements SharedHistory, AutoCloseable
{
    /** How far a replica's clock, or an XADD's trip, may put an entry's id from its evaluation time. */
    static final Duration CLOCK_SLACK = Duration.ofMinutes(1);
    /** Entries per XRANGE: a page of ~1-3 KB entries, a few MB at most, while filtering one metric out of them. */
    private static final int PAGE = 1_000;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final String TIME = "time";
    private static final String VERSION = "version";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String prefix;
    private final XAddArgs trim;
    /** The latest append: one connection answers in order, so once it is done every earlier one is. */
    private volatile CompletionStage<String> last;

    RedisEvaluationHistory(final String uri, final String prefix, final int maxPoints)
    {
        final RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(Duration.ofSeconds(5));
        client = RedisClient.create(redisUri);
        // a down Redis fails an append at once instead of buffering evaluations without bound until it is back
        client.setOptions(ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
        connection = client.connect();
        this.prefix = prefix + ":history:";
        trim = XAddArgs.Builder.maxlen(maxPoints).approximateTrimming();
    }

    @Override
    public CompletionStage<?> append(
        final long timeMillis, final String model, final String version, final Map<String, Double> metrics)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        fields.put(TIME, Long.toString(timeMillis));
        fields.put(VERSION, version);
        metrics.forEach((name, value) ->
        {
            if (Double.isFinite(value))
            {
                fields.put(name, Double.toString(value));
            }
        });
        final CompletionStage<String> sent = connection.async().xadd(prefix + model, trim, fields);
        last = sent;
        return sent;
    }

    @Override
    public HistoryReport query(
        final String model, final String version, final String metric, final long from, final long to, final int maxPoints)
        throws IOException
    {
        final List<HistoryReport.Point> points = new ArrayList<>();
        boolean truncated = false;
        String start = Math.max(0, from - CLOCK_SLACK.toMillis()) + "-0";
        final String end = saturatedAdd(to, CLOCK_SLACK.toMillis()) + "-" + Long.MAX_VALUE;
        try
        {
            List<StreamMessage<String, String>> page;
            do
            {
                page = connection.sync().xrange(prefix + model, Range.create(start, end), Limit.from(PAGE));
                for (final StreamMessage<String, String> entry : page)
                {
                    final HistoryReport.Point point = point(entry.getBody(), version, metric, from, to);
                    if (null != point)
                    {
                        if (points.size() == maxPoints)
                        {
                            truncated = true;
                            break;
                        }
                        points.add(point);
                    }
                }
                if (!page.isEmpty())
                {
                    start = next(page.get(page.size() - 1).getId());
                }
            }
            while (page.size() == PAGE && !truncated);
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("the shared evaluation history (Redis): " + ex.getMessage(), ex);
        }
        // ids follow the server's arrival order; replicas' evaluation times interleave within the slack
        points.sort(Comparator.comparingLong(HistoryReport.Point::timeMillis));
        return new HistoryReport(model, version, metric, from, to, points, truncated);
    }

    private static HistoryReport.Point point(
        final Map<String, String> body, final String version, final String metric, final long from, final long to)
    {
        final String value = body.get(metric);
        final String entryVersion = body.get(VERSION);
        final String time = body.get(TIME);
        if (null == value || null == time || null == entryVersion || (null != version && !version.equals(entryVersion)))
        {
            return null;
        }
        final long timeMillis = Long.parseLong(time);
        return timeMillis < from || timeMillis > to ? null :
            new HistoryReport.Point(timeMillis, entryVersion, Double.parseDouble(value));
    }

    /** The smallest id after {@code id} ({@code <millis>-<seq>}): XRANGE's exclusive bound needs Redis 6.2. */
    private static String next(final String id)
    {
        final int dash = id.indexOf('-');
        return id.substring(0, dash) + "-" + (Long.parseLong(id.substring(dash + 1)) + 1);
    }

    private static long saturatedAdd(final long a, final long b)
    {
        final long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public void close()
    {
        final CompletionStage<String> pending = last;
        if (null != pending)
        {
            try
            {
                // a stopping replica's last evaluations reach the fleet's history, or fail, before the connection goes
                pending.toCompletableFuture().get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final ExecutionException | TimeoutException failedAndCounted)
            {
                // counted by monitoring when it failed; a Redis that does not answer is not waited on longer
            }
        }
        connection.close();
        client.shutdown();
    }
}
