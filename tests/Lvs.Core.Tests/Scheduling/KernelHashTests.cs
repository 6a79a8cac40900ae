using Lvs.Core.Scheduling;

namespace Lvs.Core.Tests.Scheduling;

public class KernelHashTests
{
    // lib/siphash_kunit.c, BITS_PER_LONG == 64: hsiphash(in[0..i), i, key) for in[j] = j.
    private static readonly uint[] HsipHashVectors =
    [
        0x050fc4dcU, 0x7d57ca93U, 0x4dc7d44dU, 0xe7ddf7fbU, 0x88d38328U, 0x49533b67U, 0xc59f22a7U, 0x9bb11140U,
        0x8d299a8eU, 0x6c063de4U, 0x92ff097fU, 0xf94dc352U, 0x57b4d9a2U, 0x1229ffa7U, 0xc0f95d34U, 0x2a519956U,
        0x7d908b66U, 0x63dbd80cU, 0xb473e63eU, 0x8d297d1cU, 0xa6cce040U, 0x2b45f844U, 0xa320872eU, 0xdae6c123U,
        0x67349c8cU, 0x705b0979U, 0xca9913a5U, 0x4ade3b35U, 0xef6cd00dU, 0x4ab1e1f4U, 0x43c5e663U, 0x8c21d1bcU,
        0x16a7b60dU, 0x7a8ff9bfU, 0x1f2a753eU, 0xbf186b91U, 0xada26206U, 0xa3c33057U, 0xae3a36a1U, 0x7b108392U,
        0x99e41531U, 0x3f1ad944U, 0xc8138825U, 0xc28949a6U, 0xfaf8876bU, 0x9f042196U, 0x68b1d623U, 0x8b5114fdU,
        0xdf074c46U, 0x12cc86b3U, 0x0a52098fU, 0x9d292f9aU, 0xa2f41f12U, 0x43a71ed0U, 0x73f0bce6U, 0x70a7e980U,
        0x243c6d75U, 0xfdb71513U, 0xa67d8a08U, 0xb7e8f148U, 0xf7a644eeU, 0x0f1837f2U, 0x4b6694e0U, 0xb7bbb3a8U,
    ];

    private const ulong Key0 = 0x0706050403020100UL;
    private const ulong Key1 = 0x0f0e0d0c0b0a0908UL;

    [Fact]
    public void HsipHash_KernelTestVectors_Match()
    {
        byte[] input = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];
        for (int len = 0; len < 64; len++)
        {
            Assert.Equal(HsipHashVectors[len], KernelHash.HsipHash(input.AsSpan(0, len), Key0, Key1));
        }
    }

    [Fact]
    public void HsipHash_OneWord_EqualsFourLittleEndianBytes()
    {
        // The 4-byte vector is in = 00 01 02 03, i.e. the u32 0x03020100 on a little-endian machine.
        Assert.Equal(HsipHashVectors[4], KernelHash.HsipHash(0x03020100u, Key0, Key1));
    }

    [Theory]
    [InlineData(0xC000020Au, 8, 162u)]
    [InlineData(0xC6336402u, 8, 194u)]
    [InlineData(1u, 32, 0x61C88647u)]
    [InlineData(2u, 10, 0x61C88647u * 2 >> 22)]
    public void Hash32_GoldenRatioTopBits(uint value, int bits, uint expected) =>
        Assert.Equal(expected, KernelHash.Hash32(value, bits));
}
