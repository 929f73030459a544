package io.scoring.monitoring;

import io.scoring.monitoring.latency.ModelLatencyReport;
import io.scoring.monitoring.latency.Percentiles;
import io.scoring.monitoring.latency.VersionLatency;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatencyRecordersTest
{
    private final LatencyRecorders recorders = new LatencyRecorders(10_000);

    @Test
    void shouldReportPercentilesOfTheLastIntervalAndSinceStartInMicroseconds()
    {
        final LatencyRecorder champion = recorders.recorder("credit-risk", "v1", "champion");
        for (int micros = 1; micros <= 1_000; micros++)
        {
            champion.record(micros * 1_000L);
        }
        recorders.rollIntervals();
        for (int i = 0; i < 1_000; i++)
        {
            champion.record(5_000_000L); // a slow second interval: 5 ms each
        }
        recorders.rollIntervals();

        final VersionLatency latency = recorders.report("credit-risk").versions().get(0);

        assertEquals(1_000, latency.lastInterval().count());
        assertEquals(5_000.0, latency.lastInterval().p50(), 5.0);
        assertEquals(5_000.0, latency.lastInterval().max(), 5.0);
        final Percentiles sinceStart = latency.sinceStart();
        assertEquals(2_000, sinceStart.count());
        assertEquals(1_000.0, sinceStart.p50(), 1.0);       // 3 significant digits: within 0.1 %
        assertEquals(5_000.0, sinceStart.p90(), 5.0);
        assertEquals(5_000.0, sinceStart.p999(), 5.0);
    }

    @Test
    void shouldKeepVersionsAndRolesApartAndSortThem()
    {
        recorders.recorder("m", "v2", "canary").record(2_000);
        recorders.recorder("m", "v1", "champion").record(1_000);
        recorders.recorder("m", "v1", "shadow").record(3_000);
        recorders.rollIntervals();

        final ModelLatencyReport report = recorders.report("m");

        assertEquals(3, report.versions().size());
        assertEquals("v1/champion v1/shadow v2/canary", report.versions().stream()
            .map((v) -> v.version() + "/" + v.role()).reduce((a, b) -> a + " " + b).orElseThrow());
        assertEquals(3.0, report.versions().get(1).lastInterval().p50(), 0.01);
    }

    @Test
    void shouldClampLatenciesAboveTheTrackableRangeInsteadOfFailing()
    {
        final LatencyRecorder recorder = recorders.recorder("m", "v1", "champion");
        recorder.record(Long.MAX_VALUE);
        recorder.record(-5);
        recorders.rollIntervals();

        final Percentiles interval = recorders.report("m").versions().get(0).lastInterval();

        assertEquals(2, interval.count());
        assertEquals(LatencyRecorder.HIGHEST_TRACKABLE_NANOS / 1_000.0, interval.max(), 60_000.0);
    }

    @Test
    void shouldAnswerAnEmptyReportForAModelNeverRecorded()
    {
        assertEquals(0, recorders.report("nothing").versions().size());
    }
}
