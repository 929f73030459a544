package io.scoring.bench;

import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.DemoBundle;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
import io.scoring.router.Route;
import io.scoring.router.traffic.TrafficPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.InputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What does resolving a route cost (the sticky bucket of the key, the version and role under the
 * policy, the hold on the version and its release), and does it allocate?
 *
 * <pre>
 *   mvn -B -q -pl bench -am package -DskipTests
 *   java -jar bench/target/benchmarks.jar RouteBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class RouteBenchmark
{
    private static final String[] KEYS = {"A0001", "A0102", "A0203", "A0304", "A0405", "A0506", "A0607", "A0708"};

    /** Champion only, or a 10% canary (the key's bucket decides). */
    @Param({"champion", "canary"})
    String policy;

    private FeatureStore store;
    private ModelRegistry models;
    private Model model;
    private final Route route = new Route();
    private int next;

    @Setup
    public void load() throws Exception
    {
        try (InputStream in = DemoBundle.features())
        {
            store = EmbeddedFeatureStore.load(in);
        }
        models = new ModelRepository(DemoBundle.models(), store, new ModelRepository.Context().maxRows(8)).loadAll();
        model = models.model("credit-risk");
        model.setPolicy("champion".equals(policy)
            ? TrafficPolicy.championOnly("1")
            : new TrafficPolicy("1", new TrafficPolicy.Share("2", 1_000), List.of()));
    }

    @TearDown
    public void close()
    {
        models.close();
        store.close();
    }

    @Benchmark
    public Object resolveAndRelease()
    {
        model.route(KEYS[next++ & 7], "", route);
        final Object version = route.version();
        route.release();
        return version;
    }

    @Benchmark
    public Object resolvePinnedAndRelease()
    {
        model.route(KEYS[next++ & 7], "2", route);
        final Object version = route.version();
        route.release();
        return version;
    }
}
