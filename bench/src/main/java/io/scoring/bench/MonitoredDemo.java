package io.scoring.bench;

import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.DemoBundle;
import io.scoring.gateway.monitoring.GatewayMonitoring;
import io.scoring.gateway.pipeline.Outcome;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.gateway.rollout.Rollouts;
import io.scoring.monitoring.Monitoring;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;
import io.scoring.router.runtime.OnnxRuntimes;
import io.scoring.router.state.StateStore;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bundled demo as the gateway runs it for the whole-path benchmarks: embedded store, models on the
 * chosen runtime, and the gateway's monitoring (default settings, 1% sampling) and rollout windows
 * behind the pipeline.
 */
final class MonitoredDemo implements AutoCloseable
{
    final FeatureStore store;
    final Monitoring monitor;
    final ModelRegistry models;
    final PredictPipeline pipeline;
    /** As the gateway runs it: each version records its requests for the rollout judge. */
    final Rollouts rollouts;

    /** @param runtime {@code auto} (the native evaluator) or {@code onnxruntime} */
    MonitoredDemo(final String runtime) throws Exception
    {
        try (InputStream in = DemoBundle.features())
        {
            store = EmbeddedFeatureStore.load(in);
        }
        final List<String> outcomes = new ArrayList<>();
        for (final Outcome outcome : Outcome.values())
        {
            outcomes.add(outcome.label());
        }
        monitor = Monitoring.start(new Monitoring.Context().outcomes(outcomes).defaultSamplingPercent(1.0));
        final ModelRepository repository = new ModelRepository(DemoBundle.models(), store,
            new ModelRepository.Context().maxRows(64).runtime(OnnxRuntimes.Choice.valueOf(runtime.toUpperCase(Locale.ROOT))));
        final GatewayMonitoring monitoring = new GatewayMonitoring(monitor, repository, store);
        rollouts = new Rollouts(new Rollouts.Context());
        models = repository.loadAll(StateStore.NONE, null, monitoring, monitoring.andThen(rollouts.listener()));
        monitoring.models(models);
        pipeline = new PredictPipeline(models, 64, monitoring);
    }

    @Override
    public void close()
    {
        rollouts.close();
        models.close();
        store.close();
        monitor.close();
    }
}
