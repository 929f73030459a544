package io.scoring.gateway;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.scoring.proto.v1.PredictRequest;
import io.scoring.proto.v1.PredictResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The demo's 1,000 applicants' requests over gRPC to one gateway or a fleet of them, in random order,
 * from two threads, round robin over the replicas, until closed. A client as a load balancer acts:
 * a request whose replica cannot be reached (UNAVAILABLE: refused, reset, or gone with the process) is
 * retried on the next replica, and only that; a request no replica answered is dropped. Counts the
 * answers by version, the model's own failures (INTERNAL "failed to score", the failing candidate's
 * rows), the retries, and the dropped requests with the last reason.
 */
final class DemoTraffic implements AutoCloseable
{
    final AtomicLong answered = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final Map<String, AtomicLong> byVersion = new ConcurrentHashMap<>();
    volatile String lastUnexpected = "";
    private final AtomicReferenceArray<GatewayClients> replicas;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    /** Traffic to one gateway. */
    static DemoTraffic to(final int httpPort, final int grpcPort) throws Exception
    {
        return new DemoTraffic(List.of(new GatewayClients(httpPort, grpcPort)));
    }

    /** Traffic to every process of a fleet. */
    static DemoTraffic to(final List<GatewayProcess> fleet) throws Exception
    {
        final List<GatewayClients> clients = new ArrayList<>();
        for (final GatewayProcess process : fleet)
        {
            clients.add(new GatewayClients(process.httpPort, process.grpcPort));
        }
        return new DemoTraffic(clients);
    }

    private DemoTraffic(final List<GatewayClients> clients) throws Exception
    {
        replicas = new AtomicReferenceArray<>(clients.toArray(new GatewayClients[0]));
        final DemoTestSet demo = new DemoTestSet();
        final List<PredictRequest> requests = new ArrayList<>();
        for (final DemoTestSet.Applicant applicant : demo.applicants)
        {
            requests.add(DemoRequests.ownRequest(demo, applicant).build());
        }
        for (int t = 0; t < 2; t++)
        {
            final Random random = new Random(t);
            final Thread thread = new Thread(() ->
            {
                long sent = 0;
                while (running.get())
                {
                    final PredictRequest request = requests.get(random.nextInt(requests.size()))
                        .toBuilder().setRequestId("r" + random.nextLong() + "-" + sent).build();
                    send(request, (int)(sent++ % replicas.length()));
                }
            }, "demo-traffic-" + t);
            thread.start();
            threads.add(thread);
        }
    }

    private void send(final PredictRequest request, final int first)
    {
        String failure = "";
        for (int attempt = 0; attempt < replicas.length(); attempt++)
        {
            final GatewayClients replica = replicas.get((first + attempt) % replicas.length());
            try
            {
                final PredictResponse response = replica.scoring.withDeadlineAfter(10, TimeUnit.SECONDS).predict(request);
                byVersion.computeIfAbsent(response.getVersion(), (v) -> new AtomicLong()).incrementAndGet();
                answered.incrementAndGet();
                return;
            }
            catch (final StatusRuntimeException ex)
            {
                final Status status = ex.getStatus();
                if (status.getCode() == Status.Code.INTERNAL && String.valueOf(status.getDescription()).contains("failed to score"))
                {
                    answered.incrementAndGet(); // the model's own answer: the failing candidate failed the row
                    return;
                }
                if (status.getCode() != Status.Code.UNAVAILABLE)
                {
                    failure = status.toString();
                    break; // not a connection failure: the replica answered, and not with a score
                }
                failure = status.toString();
                retried.incrementAndGet();
            }
            catch (final RuntimeException ex)
            {
                // a channel being replaced under this thread: shut down, so try the next replica
                failure = ex.toString();
                retried.incrementAndGet();
            }
        }
        lastUnexpected = failure;
        dropped.incrementAndGet();
        try
        {
            Thread.sleep(10); // a client's backoff: no replica answers (a lone gateway restarting), do not spin
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends the replica's share to a new process (a restart: new ports). */
    void replace(final int index, final GatewayProcess process) throws InterruptedException
    {
        final GatewayClients old = replicas.getAndSet(index, new GatewayClients(process.httpPort, process.grpcPort));
        old.close();
    }

    long answeredBy(final String version)
    {
        final AtomicLong count = byVersion.get(version);
        return null == count ? 0 : count.get();
    }

    /** Waits (up to 60 s) until {@code more} requests were answered after this call. */
    void awaitMore(final long more) throws InterruptedException
    {
        awaitAnswered(answered.get() + more);
    }

    /** Waits (up to 60 s) until {@code count} requests were answered in all. */
    void awaitAnswered(final long count) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (answered.get() < count && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
    }

    /** The first replica's Prometheus exposition. */
    String metrics() throws Exception
    {
        return replicas.get(0).get("/metrics").body();
    }

    @Override
    public void close() throws InterruptedException
    {
        running.set(false);
        for (final Thread thread : threads)
        {
            thread.join(15_000);
        }
        for (int i = 0; i < replicas.length(); i++)
        {
            replicas.get(i).close();
        }
    }
}
