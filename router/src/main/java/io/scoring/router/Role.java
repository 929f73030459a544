package io.scoring.router;

/** The part a version plays in answering a request; every answer names it. */
public enum Role
{
    /** The version that takes the traffic no other role takes. */
    CHAMPION("champion"),
    /** A challenger that takes a share of live traffic. */
    CANARY("canary"),
    /** Asked for by name in the request, outside the traffic policy. */
    PINNED("pinned");

    private final String wireName;

    Role(final String wireName)
    {
        this.wireName = wireName;
    }

    /** The name answers carry: lower case, stable. */
    public String wireName()
    {
        return wireName;
    }
}
