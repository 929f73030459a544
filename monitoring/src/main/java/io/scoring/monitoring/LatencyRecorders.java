package io.scoring.monitoring;

import io.scoring.monitoring.latency.ModelLatencyReport;
import io.scoring.monitoring.latency.VersionLatency;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every (model, version, role)'s {@link LatencyRecorder}. Resolving one is a map lookup done once, when
 * the gateway builds a version's handle; recording goes straight to the recorder.
 *
 * <p>Threading: {@link #recorder} from any thread (resolution time only); {@link #rollIntervals} from
 * the monitoring thread on its interval; {@link #report} from admin threads. Bounded by the number of
 * versions loaded: {@link #remove} drops a version's recorders when it is unloaded.
 */
final class LatencyRecorders
{
    private final long intervalMillis;
    private final Map<String, Map<String, LatencyRecorder>> byModel = new ConcurrentHashMap<>();

    LatencyRecorders(final long intervalMillis)
    {
        this.intervalMillis = intervalMillis;
    }

    LatencyRecorder recorder(final String model, final String version, final String role)
    {
        return byModel.computeIfAbsent(model, (name) -> new ConcurrentHashMap<>())
            .computeIfAbsent(version + '\u0000' + role, (key) -> new LatencyRecorder(version, role));
    }

    void remove(final String model, final String version)
    {
        final Map<String, LatencyRecorder> recorders = byModel.get(model);
        if (null != recorders)
        {
            recorders.values().removeIf((recorder) -> recorder.version().equals(version));
        }
    }

    /** Closes every recorder's interval. Called every {@link #intervalMillis()} by the monitoring thread. */
    void rollIntervals()
    {
        for (final Map<String, LatencyRecorder> recorders : byModel.values())
        {
            for (final LatencyRecorder recorder : recorders.values())
            {
                recorder.roll();
            }
        }
    }

    long intervalMillis()
    {
        return intervalMillis;
    }

    /** The model's latency report; its version list is empty for a model never recorded. */
    ModelLatencyReport report(final String model)
    {
        final List<VersionLatency> versions = new ArrayList<>();
        final Map<String, LatencyRecorder> recorders = byModel.get(model);
        if (null != recorders)
        {
            for (final LatencyRecorder recorder : recorders.values())
            {
                versions.add(recorder.snapshot());
            }
            versions.sort((a, b) -> a.version().equals(b.version()) ?
                a.role().compareTo(b.role()) : a.version().compareTo(b.version()));
        }
        return new ModelLatencyReport(model, intervalMillis, versions);
    }
}
