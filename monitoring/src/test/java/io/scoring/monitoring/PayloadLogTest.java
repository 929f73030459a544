package io.scoring.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadLogTest
{
    private static final VersionSpec SPEC = new VersionSpec("credit-risk", "v1",
        List.of(MonitoredFeature.numeric("amount"), MonitoredFeature.categorical("purpose", List.of("used car", "radio/tv"))), 0.5, null);

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Counter logged = registry.counter("logged");
    private final Counter deleted = registry.counter("deleted");
    private final Counter errors = registry.counter("errors");
    private final SampleSources sources = new SampleSources();
    private final SampleSource champion = sources.register(SPEC, "champion");
    private final SampleSource shadow = sources.register(SPEC, "shadow");

    @Test
    void shouldWriteOneJsonLinePerSampleWithNamedFeaturesAndShadowScores() throws IOException
    {
        final PayloadLog log = fileLog(new Monitoring.Context().payloadLogDir(dir));
        final PairedScores paired = new PairedScores().clear();
        paired.add(shadow.id(), new float[] {0.25f}, 700L);

        log.onSample(sample("r-1", 1_000L, paired));
        log.onClose();

        final List<String> lines = lines();
        assertEquals(1, lines.size());
        final JsonNode line = new ObjectMapper().readTree(lines.get(0));
        assertEquals("r-1", line.get("request_id").asText());
        assertEquals(1_000L, line.get("time").asLong());
        assertEquals("credit-risk", line.get("model").asText());
        assertEquals("v1", line.get("version").asText());
        assertEquals("champion", line.get("role").asText());
        assertEquals(2500.0, line.get("features").get(0).get("amount").asDouble());
        assertEquals("radio/tv", line.get("features").get(0).get("purpose").asText());
        assertEquals(0.5, line.get("scores").get(0).asDouble());
        assertEquals(0.25, line.get("shadow_scores").get("v1").get("scores").get(0).asDouble());
        assertEquals("shadow", line.get("shadow_scores").get("v1").get("role").asText());
        assertEquals(1.0, logged.count());
    }

    @Test
    void shouldRotateBySizeAndDeleteTheOldestFilesBeyondTheDiskCap() throws IOException
    {
        final Monitoring.Context config = fileLogOf(2_000, 3_600_000, 6_000);
        final PayloadLog log = fileLog(config);

        for (int i = 0; i < 500; i++)
        {
            log.onSample(sample("request-" + i, 1_000L + i, null));
        }
        log.onClose();

        final long total = files().mapToLong(PayloadLogTest::size).sum();
        assertTrue(total <= 6_000, "total " + total);
        assertTrue(files().count() >= 3, "rotated into several files");
        assertTrue(deleted.count() > 0);
        assertEquals(500.0, logged.count());
        final List<String> kept = lines();
        assertTrue(kept.get(kept.size() - 1).contains("\"request-499\""), "the newest lines are the ones kept");
        assertEquals(0.0, errors.count());
    }

    @Test
    void shouldCloseAFileThatHasBeenOpenLongerThanItsMaximumAge() throws IOException
    {
        final Monitoring.Context config = fileLogOf(1 << 20, 60_000, 1 << 24);
        final PayloadLog log = fileLog(config);

        log.onSample(sample("first", 0L, null));
        log.onTick(59_999L);
        log.onSample(sample("second", 59_999L, null));
        log.onTick(60_000L);
        log.onSample(sample("third", 60_001L, null));
        log.onClose();

        assertEquals(2, files().count());
        assertEquals(3, lines().size());
    }

    @Test
    void shouldCountFilesLeftByAnEarlierRunAgainstTheDiskCap() throws IOException
    {
        Files.write(dir.resolve("samples-0000000000001-000000.jsonl"), new byte[5_000]);
        final Monitoring.Context config = fileLogOf(2_000, 3_600_000, 6_000);
        final PayloadLog log = fileLog(config);

        for (int i = 0; i < 40; i++)
        {
            log.onSample(sample("request-" + i, 1_000L + i, null));
        }
        log.onClose();

        assertTrue(Files.notExists(dir.resolve("samples-0000000000001-000000.jsonl")));
        assertTrue(deleted.count() >= 1);
    }

    private Monitoring.Context fileLogOf(final long maxFileBytes, final long maxFileMillis, final long maxTotalBytes)
    {
        return new Monitoring.Context().payloadLogDir(dir).payloadLogMaxFileBytes(maxFileBytes)
            .payloadLogMaxFileMillis(maxFileMillis).payloadLogMaxTotalBytes(maxTotalBytes).conclude();
    }

    private PayloadLog fileLog(final Monitoring.Context config)
    {
        return new PayloadLog(List.of(new FilePayloadSink(config, logged, deleted, errors)), errors);
    }

    private Sample sample(final String requestId, final long epochMillis, final PairedScores paired)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        SampleRecord.encode(buffer, 0, champion.id(), requestId, requestId.length(), epochMillis,
            new float[] {2500f, 1f}, 2, new float[] {0.5f}, 1, 1_000L, paired);
        final Sample sample = new Sample(sources);
        sample.wrap(buffer, 0);
        return sample;
    }

    private Stream<Path> files() throws IOException
    {
        return Files.list(dir).filter((file) -> file.getFileName().toString().endsWith(".jsonl")).sorted();
    }

    private List<String> lines() throws IOException
    {
        return files().flatMap((file) ->
        {
            try
            {
                return Files.readAllLines(file).stream();
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        }).toList();
    }

    private static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
