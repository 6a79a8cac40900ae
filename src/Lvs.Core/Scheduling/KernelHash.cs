using System.Buffers.Binary;
using System.Numerics;

namespace Lvs.Core.Scheduling;

/// <summary>
/// The kernel's hash functions the hashing schedulers use, bit for bit: hash_32 (include/linux/hash.h)
/// and hsiphash (lib/siphash.c) as built on 64-bit kernels, where it is SipHash-1-3 with a 64-bit
/// key half per word. 32-bit kernels build HalfSipHash-1-3 instead and so give mh different tables;
/// we follow the 64-bit build (x86_64, arm64), which is what ip_vs runs on in practice.
/// </summary>
internal static class KernelHash
{
    /// <summary>GOLDEN_RATIO_32 of include/linux/hash.h.</summary>
    public const uint GoldenRatio32 = 0x61C88647;

    /// <summary>hash_32(val, bits): the top <paramref name="bits"/> bits of val * GOLDEN_RATIO_32.</summary>
    public static uint Hash32(uint value, int bits) => unchecked(value * GoldenRatio32) >> (32 - bits);

    /// <summary>hsiphash(&amp;value, 4, key) on a little-endian 64-bit kernel.</summary>
    public static uint HsipHash(uint value, ulong key0, ulong key1)
    {
        // Four bytes make no full 8-byte block: they go straight into b under the length byte.
        ulong b = (4UL << 56) | value;
        ulong v0 = 0x736f6d6570736575UL ^ key0;
        ulong v1 = 0x646f72616e646f6dUL ^ key1;
        ulong v2 = 0x6c7967656e657261UL ^ key0;
        ulong v3 = 0x7465646279746573UL ^ key1;
        return Finish(ref v0, ref v1, ref v2, ref v3, b);
    }

    /// <summary>hsiphash(data, len, key) on a little-endian 64-bit kernel, any length.</summary>
    public static uint HsipHash(ReadOnlySpan<byte> data, ulong key0, ulong key1)
    {
        ulong b = (ulong)data.Length << 56;
        ulong v0 = 0x736f6d6570736575UL ^ key0;
        ulong v1 = 0x646f72616e646f6dUL ^ key1;
        ulong v2 = 0x6c7967656e657261UL ^ key0;
        ulong v3 = 0x7465646279746573UL ^ key1;
        int full = data.Length & ~7;
        for (int i = 0; i < full; i += 8)
        {
            ulong m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        // The tail bytes, little-endian, under the length byte (the kernel's switch on "left").
        for (int i = full; i < data.Length; i++)
        {
            b |= (ulong)data[i] << (8 * (i - full));
        }

        return Finish(ref v0, ref v1, ref v2, ref v3, b);
    }

    private static uint Finish(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3, ulong b)
    {
        v3 ^= b;
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= b;
        v2 ^= 0xff;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        return (uint)((v0 ^ v1) ^ (v2 ^ v3));
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        unchecked
        {
            v0 += v1;
            v1 = BitOperations.RotateLeft(v1, 13);
            v1 ^= v0;
            v0 = BitOperations.RotateLeft(v0, 32);
            v2 += v3;
            v3 = BitOperations.RotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = BitOperations.RotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = BitOperations.RotateLeft(v1, 17);
            v1 ^= v2;
            v2 = BitOperations.RotateLeft(v2, 32);
        }
    }
}
