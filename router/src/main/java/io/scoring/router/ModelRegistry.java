package io.scoring.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scoring.router.model.NameIndex;
import io.scoring.router.state.AuditLog;
import io.scoring.router.state.StateStore;
import io.scoring.router.traffic.TrafficPolicy;

import java.io.IOException;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The models the gateway serves, by name, and the admin operations on them: traffic policy, load,
 * unload, promote, rollback. Each operation is serialized with the others, saved to the state store
 * and written to the audit log before it returns, so an acknowledged change survives a crash.
 *
 * <p>The set of models is fixed at start; {@link #model} is safe and allocation-free from any thread.
 */
public final class ModelRegistry implements AutoCloseable
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Model> models;
    private final NameIndex<Model> modelsByName;
    private final Map<String, String> failures;
    private final Model.VersionLoader loader;
    private final StateStore stateStore;
    private final AuditLog audit;

    public ModelRegistry(
        final Collection<Model> models, final Model.VersionLoader loader, final StateStore stateStore, final AuditLog audit)
    {
        this(models, Map.of(), loader, stateStore, audit);
    }

    /** With the models that failed to load at start, by name, each with its reason. */
    public ModelRegistry(final Collection<Model> models, final Map<String, String> failures,
        final Model.VersionLoader loader, final StateStore stateStore, final AuditLog audit)
    {
        this.failures = Collections.unmodifiableMap(new TreeMap<>(failures));
        final Map<String, Model> byName = new TreeMap<>();
        models.forEach((model) -> byName.put(model.name(), model));
        this.models = Collections.unmodifiableMap(byName);
        this.modelsByName = NameIndex.of(byName);
        this.loader = loader;
        this.stateStore = stateStore;
        this.audit = audit;
    }

    /** The model with this name, or null. Allocates nothing, whatever holds the name's characters. */
    public Model model(final CharSequence name)
    {
        return modelsByName.get(name);
    }

    public Collection<Model> models()
    {
        return models.values();
    }

    /** The models that failed to load at start and are not served (state FAILED), by name, with the reason. */
    public Map<String, String> failures()
    {
        return failures;
    }

    /** An admin change to one model. */
    @FunctionalInterface
    private interface Change
    {
        void apply(Model model) throws RouterException;
    }

    public void setPolicy(final String model, final TrafficPolicy policy, final String caller)
        throws RouterException, IOException
    {
        change(model, caller, "set_traffic", (m) -> m.setPolicy(policy));
    }

    /**
     * As {@link #setPolicy(String, TrafficPolicy, String)}, saved only while {@code guard} is the newest
     * lease of its name (a rollout's driver steering).
     *
     * @return false when the guard's fence is stale: another replica drives, and nothing changed here
     */
    public boolean setPolicy(final String model, final TrafficPolicy policy, final String caller, final StateStore.Lease guard)
        throws RouterException, IOException
    {
        return change(model, caller, "set_traffic", (m) -> m.setPolicy(policy), guard);
    }

    /** As {@link #promote(String, String)}, guarded as {@link #setPolicy(String, TrafficPolicy, String, StateStore.Lease)}. */
    public boolean promote(final String model, final String caller, final StateStore.Lease guard)
        throws RouterException, IOException
    {
        return change(model, caller, "promote", Model::promote, guard);
    }

    public void load(final String model, final String version, final String caller) throws RouterException, IOException
    {
        change(model, caller, "load " + version, (m) -> m.load(version, loader));
    }

    public void unload(final String model, final String version, final String caller) throws RouterException, IOException
    {
        change(model, caller, "unload " + version, (m) -> m.unload(version));
    }

    public void promote(final String model, final String caller) throws RouterException, IOException
    {
        change(model, caller, "promote", Model::promote);
    }

    public void rollback(final String model, final String caller) throws RouterException, IOException
    {
        change(model, caller, "rollback", Model::rollback);
    }

    /**
     * Writes an event that is not itself a change of the router (a rollout's step verdict, with the
     * figures that decided it) to the audit log, in order with the changes.
     */
    public synchronized void note(final String caller, final String action, final String model, final JsonNode details)
        throws IOException
    {
        if (null != audit)
        {
            audit.append(caller, action, model, null, details);
        }
    }

    private void change(final String name, final String caller, final String action, final Change change)
        throws RouterException, IOException
    {
        change(name, caller, action, change, null);
    }

    /** Applies, saves and audits a change; with a {@code guard}, only while its fence is the newest (else false). */
    private synchronized boolean change(
        final String name, final String caller, final String action, final Change change, final StateStore.Lease guard)
        throws RouterException, IOException
    {
        final Model model = models.get(name);
        if (null == model)
        {
            throw new RouterException(RouterException.Kind.NOT_FOUND, "model '" + name + "' is not served");
        }
        final ObjectNode before = describe(model);
        final ObjectNode stateBefore = state();
        change.apply(model);
        if (null == guard)
        {
            stateStore.save(state());
        }
        else if (!stateStore.save(state(), guard))
        {
            // refused: the successor's state is the fleet's; until it arrives, this replica goes back to its own
            applyShared(stateStore.load().orElse(stateBefore));
            return false;
        }
        if (null != audit)
        {
            audit.append(caller, action, name, before, describe(model));
        }
        return true;
    }

    /**
     * Brings this replica to a state another replica saved: loads the versions it names, adopts its
     * policy and champion history, unloads the versions it dropped. Not saved again, not audited here
     * (the replica that made the change did both). A version that fails to load here leaves that model
     * as it was, and the log says why.
     */
    public synchronized void applyShared(final ObjectNode state)
    {
        for (final Model model : models.values())
        {
            final com.fasterxml.jackson.databind.JsonNode entry = state.path("models").path(model.name());
            if (!entry.isObject())
            {
                continue;
            }
            try
            {
                final java.util.Set<String> wanted = new java.util.TreeSet<>();
                entry.path("versions").forEach((v) -> wanted.add(v.asText()));
                for (final String version : wanted)
                {
                    if (null == model.version(version))
                    {
                        model.load(version, loader);
                    }
                }
                final java.util.List<String> history = new java.util.ArrayList<>();
                entry.path("champion_history").forEach((v) -> history.add(v.asText()));
                model.adopt(TrafficPolicy.parse(entry.path("policy")), history);
                for (final String version : new java.util.ArrayList<>(model.versions().keySet()))
                {
                    if (!wanted.contains(version))
                    {
                        model.unload(version);
                    }
                }
            }
            catch (final RouterException | RuntimeException ex)
            {
                System.getLogger(ModelRegistry.class.getName()).log(System.Logger.Level.WARNING,
                    "model {0}: could not apply the shared state: {1}", model.name(), ex.getMessage());
            }
        }
    }

    /** What the admin API shows of a model: its versions with their state and runtime, and its policy. */
    public ObjectNode describe(final Model model)
    {
        final ObjectNode json = JSON.createObjectNode().put("name", model.name());
        final ArrayNode versions = json.putArray("versions");
        for (final VersionStatus status : model.versionStatuses())
        {
            final ObjectNode version = versions.addObject()
                .put("version", status.version())
                .put("state", status.state().name())
                .put("runtime", status.runtime());
            if (!status.error().isEmpty())
            {
                version.put("error", status.error());
            }
        }
        json.set("traffic", model.policy().toJson());
        final ArrayNode history = json.putArray("champion_history");
        model.championHistory().forEach(history::add);
        return json;
    }

    /** The state the store keeps (see {@link StateStore}). */
    public ObjectNode state()
    {
        final ObjectNode state = JSON.createObjectNode();
        final ObjectNode byModel = state.putObject("models");
        for (final Model model : models.values())
        {
            final ObjectNode entry = byModel.putObject(model.name());
            final ArrayNode versions = entry.putArray("versions");
            new TreeMap<>(model.versions()).keySet().forEach(versions::add);
            entry.set("policy", model.policy().toJson());
            final ArrayNode history = entry.putArray("champion_history");
            model.championHistory().forEach(history::add);
        }
        return state;
    }

    /** Every audited change, oldest first; empty when the registry keeps no audit log. */
    public ArrayNode audit() throws IOException
    {
        return null == audit ? JSON.createArrayNode() : audit.entries();
    }

    /** Stops the shadows and closes every runtime. Only once no thread is scoring. */
    @Override
    public void close()
    {
        models.values().forEach(Model::close);
    }
}
