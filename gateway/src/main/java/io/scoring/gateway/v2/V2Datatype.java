package io.scoring.gateway.v2;

/**
 * The V2 tensor datatypes the gateway reads, as small codes, with each one's size in raw contents.
 * FP16 and BF16 are not read: no model here takes them, and Java 17 has no conversion for them.
 *
 * <p>Stateless.
 */
public final class V2Datatype
{
    public static final int UNSUPPORTED = 0;
    public static final int BOOL = 1;
    public static final int INT8 = 2;
    public static final int INT16 = 3;
    public static final int INT32 = 4;
    public static final int INT64 = 5;
    public static final int UINT8 = 6;
    public static final int UINT16 = 7;
    public static final int UINT32 = 8;
    public static final int UINT64 = 9;
    public static final int FP32 = 10;
    public static final int FP64 = 11;
    public static final int BYTES = 12;

    private static final String[] NAMES = {
        null, "BOOL", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "FP32", "FP64", "BYTES"};
    /** Bytes per element in raw contents; BYTES elements have their own length prefix. */
    private static final int[] RAW_SIZES = {0, 1, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8, 0};

    private V2Datatype()
    {
    }

    /** The datatype's code, {@link #UNSUPPORTED} for a name the gateway does not read. */
    public static int of(final CharSequence name)
    {
        for (int code = 1; code < NAMES.length; code++)
        {
            if (NAMES[code].contentEquals(name))
            {
                return code;
            }
        }
        return UNSUPPORTED;
    }

    public static int rawSize(final int code)
    {
        return RAW_SIZES[code];
    }

    /** The problem with a datatype of {@link #UNSUPPORTED} code, for the INVALID_ARGUMENT message. */
    public static String unsupported(final CharSequence name)
    {
        return "datatype '" + name + "' is not supported; use FP32, FP64, INT8, INT16, INT32, INT64, " +
            "UINT8, UINT16, UINT32, UINT64, BOOL or BYTES";
    }
}
