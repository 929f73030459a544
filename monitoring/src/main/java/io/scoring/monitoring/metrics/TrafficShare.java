package io.scoring.monitoring.metrics;

/** One version's share of a model's traffic in one role, in percent (0 to 100). */
public record TrafficShare(String version, String role, double percent)
{
}
