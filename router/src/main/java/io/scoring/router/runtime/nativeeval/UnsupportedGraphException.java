package io.scoring.router.runtime.nativeeval;

/**
 * The graph is valid but has something the native evaluators do not implement (an operator, an
 * attribute, a layout), so ONNX Runtime serves it. The message says what, for the load log.
 */
public final class UnsupportedGraphException extends Exception
{
    private static final long serialVersionUID = 1L;

    UnsupportedGraphException(final String reason)
    {
        super(reason, null, false, false);
    }
}
