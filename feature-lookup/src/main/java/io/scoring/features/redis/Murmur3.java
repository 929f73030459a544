package io.scoring.features.redis;

/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain, SMHasher's {@code MurmurHash3_x86_32}): the hash Feast's
 * Redis store names a feature's hash field with. Feast calls the Python {@code mmh3.hash(name, signed=False)}
 * on the UTF-8 bytes of {@code "<feature_view>:<feature>"} with seed 0, and keeps the result's 4 bytes
 * little-endian ({@link FeastKeys#featureField}).
 *
 * <p>Pure function; called when a feature binds to a column and by the loader, never per request.
 */
final class Murmur3
{
    private static final int C1 = 0xCC9E2D51;
    private static final int C2 = 0x1B873593;

    private Murmur3()
    {
    }

    /** The hash of {@code length} bytes of {@code data} from {@code offset}. */
    static int hash32(final byte[] data, final int offset, final int length, final int seed)
    {
        int h1 = seed;
        final int blocksEnd = offset + (length & ~3);
        for (int i = offset; i < blocksEnd; i += 4)
        {
            final int k1 = (data[i] & 0xFF) | (data[i + 1] & 0xFF) << 8 | (data[i + 2] & 0xFF) << 16 | data[i + 3] << 24;
            h1 ^= mixK1(k1);
            h1 = Integer.rotateLeft(h1, 13);
            h1 = h1 * 5 + 0xE6546B64;
        }

        int k1 = 0;
        switch (length & 3)
        {
            case 3:
                k1 ^= (data[blocksEnd + 2] & 0xFF) << 16;
                // fall through
            case 2:
                k1 ^= (data[blocksEnd + 1] & 0xFF) << 8;
                // fall through
            case 1:
                k1 ^= data[blocksEnd] & 0xFF;
                h1 ^= mixK1(k1);
                break;
            default:
                break;
        }

        return fmix32(h1 ^ length);
    }

    private static int mixK1(final int k1)
    {
        return Integer.rotateLeft(k1 * C1, 15) * C2;
    }

    private static int fmix32(final int hash)
    {
        int h = hash;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;

        return h;
    }
}
