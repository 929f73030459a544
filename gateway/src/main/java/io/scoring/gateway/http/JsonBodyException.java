package io.scoring.gateway.http;

/** A request body that is not the JSON the endpoint takes; the message names the field. */
public final class JsonBodyException extends Exception
{
    JsonBodyException(final String message)
    {
        super(message, null, false, false);
    }
}
