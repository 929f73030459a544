package io.scoring.gateway;

import io.scoring.proto.v1.PredictResponse;
import io.scoring.router.ModelRegistry;
import io.scoring.router.traffic.Buckets;
import io.scoring.router.traffic.TrafficPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under continuous load from several client threads, weight changes, a promote, a rollback, a shadow,
 * an unload and a load: no request fails, and every answer comes from the version the key gets under
 * a policy that was in force at some moment during that request.
 */
class PolicyChangesUnderLoadTest
{
    private static final String MODEL = "credit-risk";

    private record Answer(String key, String version, long sentNanos, long answeredNanos)
    {
    }

    /** A policy and the time span in which requests may have seen it. */
    private record InForce(TrafficPolicy policy, long fromNanos, long toNanos)
    {
    }

    @Test
    void shouldAnswerEveryRequestByAPolicyInForceWhileThePolicyChanges() throws Exception
    {
        final ScoringGateway gateway = TestGateways.startDemo();
        final DemoTestSet demo = new DemoTestSet();
        final ModelRegistry models = gateway.models();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger failures = new AtomicInteger();
        final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();

        final List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++)
        {
            final Thread client = new Thread(() ->
            {
                try (GatewayClients client1 = new GatewayClients(gateway.httpPort(), gateway.grpcPort()))
                {
                    while (running.get())
                    {
                        final DemoTestSet.Applicant applicant =
                            demo.applicants.get(ThreadLocalRandom.current().nextInt(demo.applicants.size()));
                        final long sent = System.nanoTime();
                        try
                        {
                            final PredictResponse response =
                                client1.scoring.predict(DemoRequests.ownRequest(demo, applicant).build());
                            answers.add(new Answer(applicant.id(), response.getVersion(), sent, System.nanoTime()));
                        }
                        catch (final RuntimeException ex)
                        {
                            failures.incrementAndGet();
                            errors.add(ex);
                        }
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            client.start();
            clients.add(client);
        }

        final List<InForce> history = new ArrayList<>();
        long since = System.nanoTime();
        TrafficPolicy current = models.model(MODEL).policy();
        final List<ThrowingStep> steps = List.of(
            () -> models.setPolicy(MODEL, canary(10), "test"),
            () -> models.setPolicy(MODEL, canary(50), "test"),
            () -> models.promote(MODEL, "test"),
            () -> models.rollback(MODEL, "test"),
            () -> models.setPolicy(MODEL, new TrafficPolicy("1", null, List.of(new TrafficPolicy.Share("2", 10_000))), "test"),
            () -> models.setPolicy(MODEL, TrafficPolicy.championOnly("1"), "test"),
            () -> models.unload(MODEL, "2", "test"),
            () -> models.load(MODEL, "2", "test"),
            () -> models.setPolicy(MODEL, canary(30), "test"),
            () -> models.promote(MODEL, "test"));
        awaitAnswers(answers, 50);
        for (final ThrowingStep step : steps)
        {
            final long changing = System.nanoTime();
            step.run();
            final long changed = System.nanoTime();
            history.add(new InForce(current, since, changed)); // the old policy may be seen until the change returns
            current = models.model(MODEL).policy();
            since = changing; // and the new one from the moment the change began
            awaitAnswers(answers, answers.size() + 50); // every policy serves a good number of requests
        }
        running.set(false);
        for (final Thread client : clients)
        {
            client.join();
        }
        history.add(new InForce(current, since, Long.MAX_VALUE));

        assertEquals(0, failures.get(), "failed requests: " + errors.stream().limit(3).toList());
        assertTrue(answers.size() >= 50 * (steps.size() + 1), "enough load: " + answers.size());
        final long seed = Buckets.seed(MODEL);
        int checked = 0;
        for (final Answer answer : answers)
        {
            boolean explained = false;
            for (final InForce inForce : history)
            {
                if (inForce.fromNanos <= answer.answeredNanos && answer.sentNanos <= inForce.toNanos &&
                    versionFor(inForce.policy, seed, answer.key).equals(answer.version))
                {
                    explained = true;
                    break;
                }
            }
            assertTrue(explained, answer + " matches no policy in force during it: " + history);
            checked++;
        }
        assertEquals(answers.size(), checked);
        gateway.drain();
    }

    /** Waits until at least {@code count} answers arrived (30 s at most, for a very busy machine). */
    private static void awaitAnswers(final ConcurrentLinkedQueue<Answer> answers, final int count) throws InterruptedException
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (answers.size() < count && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
    }

    @FunctionalInterface
    private interface ThrowingStep
    {
        void run() throws Exception;
    }

    private static TrafficPolicy canary(final double percent)
    {
        return new TrafficPolicy("1", new TrafficPolicy.Share("2", (int)Math.round(percent * 100)), List.of());
    }

    private static String versionFor(final TrafficPolicy policy, final long seed, final String key)
    {
        return null != policy.canary() && Buckets.bucket(seed, key) < policy.canary().basisPoints()
            ? policy.canary().version() : policy.champion();
    }
}
