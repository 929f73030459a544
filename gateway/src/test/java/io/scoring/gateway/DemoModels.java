package io.scoring.gateway;

import io.scoring.features.EmbeddedFeatureStore;
import io.scoring.features.FeatureStore;
import io.scoring.gateway.pipeline.PredictPipeline;
import io.scoring.router.Model;
import io.scoring.router.ModelRegistry;
import io.scoring.router.ModelRepository;

import java.io.InputStream;

/** The bundled demo loaded in process (embedded store, models, a pipeline that records nothing), for codec tests. */
public final class DemoModels implements AutoCloseable
{
    public final FeatureStore store;
    public final ModelRegistry models;
    public final PredictPipeline pipeline;

    private DemoModels(final FeatureStore store, final ModelRegistry models)
    {
        this.store = store;
        this.models = models;
        pipeline = new PredictPipeline(models, 64, null);
    }

    public static DemoModels load() throws Exception
    {
        final FeatureStore store;
        try (InputStream in = DemoBundle.features())
        {
            store = EmbeddedFeatureStore.load(in);
        }
        return new DemoModels(store, new ModelRepository(DemoBundle.models(), store, new ModelRepository.Context().maxRows(64)).loadAll());
    }

    /** The demo's model, {@code credit-risk}. */
    public Model model()
    {
        return models.model("credit-risk");
    }

    @Override
    public void close()
    {
        models.close();
        store.close();
    }
}
