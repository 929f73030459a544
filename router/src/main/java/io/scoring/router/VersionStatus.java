package io.scoring.router;

/**
 * What the admin API says of a version: its state, the runtime that serves it, and why it failed.
 *
 * @param error empty unless the state is FAILED
 */
public record VersionStatus(String version, State state, String runtime, String error)
{
    public enum State { LOADING, READY, FAILED }
}
