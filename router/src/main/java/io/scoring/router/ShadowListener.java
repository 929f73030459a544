package io.scoring.router;

/**
 * Where shadow results go (monitoring compares them with the champion's). Called on the shadow's own
 * thread, never on the request path; the result is a flyweight reused for the next record, so a
 * listener copies what it keeps.
 */
public interface ShadowListener
{
    /** Ignores every result: the router still counts scored, dropped and failed. */
    ShadowListener NONE = (result) ->
    {
    };

    void onShadowScored(ShadowResult result);

    /** A copy did not fit in the shadow's queue. Called on the request path: must not block or allocate. */
    default void onShadowDropped(final String model, final String shadowVersion)
    {
    }

    /** The shadow's runtime failed on a request. */
    default void onShadowFailed(final String model, final String shadowVersion)
    {
    }
}
