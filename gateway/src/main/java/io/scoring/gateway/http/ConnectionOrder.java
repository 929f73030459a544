package io.scoring.gateway.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.scoring.gateway.pipeline.RequestCycle;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP/1.1 answers a connection's requests in the order they came. With a concurrency limit the scoring
 * requests are served on scoring threads, so a client that pipelines (sends its next request before the
 * answer to the last) could get two answers out of order; this admits a connection's next scoring request
 * only when the one before it is done. A client that waits for each answer, as nearly all do, never queues
 * here, and nothing is allocated for it.
 *
 * <p>Threading: {@link #admit} on the connection's event loop; {@link #finished} on whichever thread
 * finished the call, which hands the next one back to the event loop.
 */
final class ConnectionOrder
{
    private static final AttributeKey<ConnectionOrder> KEY = AttributeKey.valueOf("scoring.connectionOrder");

    /** Scoring requests of this connection admitted and not done, plus those waiting behind them. */
    private final AtomicInteger pending = new AtomicInteger();
    private final Queue<HttpExchange> waiting = new ConcurrentLinkedQueue<>();
    private final Channel channel;
    private final RequestCycle cycle;

    private ConnectionOrder(final Channel channel, final RequestCycle cycle)
    {
        this.channel = channel;
        this.cycle = cycle;
    }

    /** The connection's order, made on its first handed-off request. Call on the event loop. */
    static ConnectionOrder of(final Channel channel, final RequestCycle cycle)
    {
        ConnectionOrder order = channel.attr(KEY).get();
        if (null == order)
        {
            order = new ConnectionOrder(channel, cycle);
            channel.attr(KEY).set(order);
        }
        return order;
    }

    /** Admits the call now, or after the connection's calls before it are done. */
    void admit(final HttpExchange call)
    {
        if (pending.getAndIncrement() == 0)
        {
            cycle.admit(call);
        }
        else
        {
            waiting.add(call);
        }
    }

    /** A call of this connection is done: the next one, if any, is admitted on the event loop (where it was queued). */
    void finished()
    {
        if (pending.decrementAndGet() > 0)
        {
            channel.eventLoop().execute(() -> cycle.admit(waiting.poll()));
        }
    }
}
