package io.scoring.router;

/** An admin operation that cannot be done; {@link #kind} says how the admin API answers it. */
public final class RouterException extends Exception
{
    public enum Kind
    {
        /** 404: no such model or version. */
        NOT_FOUND,
        /** 400: the request itself is wrong (weight out of range, a version that is not ready...). */
        INVALID,
        /** 409: valid, but the model's state forbids it (unloading a version that carries traffic...). */
        CONFLICT
    }

    private final Kind kind;

    public RouterException(final Kind kind, final String message)
    {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind()
    {
        return kind;
    }
}
