using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Lvs.Core.Packets;

/// <summary>
/// A 128-bit IPv6 address (RFC 4291 §2) held as two big-endian halves, so that comparing,
/// hashing and masking are a few integer operations and never allocate:
/// <code>
///  bits 0..63 (first 8 bytes on the wire)  -> High
///  bits 64..127 (last 8 bytes on the wire) -> Low
/// </code>
/// Text form (RFC 5952) goes through <see cref="IPAddress"/> and is meant for the control
/// plane and logs, not for the packet path.
/// </summary>
public readonly struct Ipv6Address : IEquatable<Ipv6Address>, IComparable<Ipv6Address>
{
    /// <summary>Bytes on the wire.</summary>
    public const int Length = 16;

    /// <summary>The unspecified address <c>::</c>.</summary>
    public static readonly Ipv6Address Unspecified;

    /// <summary>Link-local all-nodes multicast <c>ff02::1</c> (RFC 4291 §2.7.1), the destination of unsolicited NAs.</summary>
    public static readonly Ipv6Address AllNodes = new(0xFF02_0000_0000_0000UL, 1);

    private readonly ulong _high;
    private readonly ulong _low;

    /// <summary>An address from its two halves, each in big-endian bit order (<c>2001:db8::1</c> is 0x20010DB8_00000000, 1).</summary>
    public Ipv6Address(ulong high, ulong low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>Bits 0..63: the first 8 bytes on the wire, as a big-endian number.</summary>
    public ulong High => _high;

    /// <summary>Bits 64..127: the last 8 bytes on the wire, as a big-endian number.</summary>
    public ulong Low => _low;

    /// <summary>True for <c>::</c>.</summary>
    public bool IsUnspecified => (_high | _low) == 0;

    /// <summary>True for <c>ff00::/8</c>.</summary>
    public bool IsMulticast => _high >> 56 == 0xFF;

    /// <summary>True for <c>fe80::/10</c>.</summary>
    public bool IsLinkLocal => _high >> 54 == 0xFE80 >> 6;

    /// <summary>True for <c>::ffff:0:0/96</c>, an IPv4 address carried in IPv6 form (RFC 4291 §2.5.5.2).</summary>
    public bool IsIPv4Mapped => _high == 0 && _low >> 32 == 0xFFFF;

    /// <summary>Reads 16 bytes in network order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Ipv6Address ReadFrom(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));

    /// <summary>Writes 16 bytes in network order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteTo(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt64BigEndian(bytes[..8], _high);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..16], _low);
    }

    /// <summary>The IPv4-mapped form <c>::ffff:a.b.c.d</c> of a host-order IPv4 address.</summary>
    public static Ipv6Address FromIPv4(uint address) => new(0, 0xFFFF_0000_0000UL | address);

    /// <summary>The host-order IPv4 address of an IPv4-mapped address.</summary>
    /// <exception cref="InvalidOperationException">The address is not IPv4-mapped.</exception>
    public uint ToIPv4()
    {
        if (!IsIPv4Mapped)
        {
            ThrowNotMapped();
        }

        return (uint)_low;
    }

    /// <summary>The mask of <paramref name="prefixLength"/> leading one bits (0..128), e.g. 64 gives <c>ffff:ffff:ffff:ffff::</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="prefixLength"/> is outside 0..128.</exception>
    public static Ipv6Address PrefixMask(int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 128);

        // C# masks shift counts to 6 bits, so a shift by 64 must not be left to the operator.
        ulong high = prefixLength >= 64 ? ulong.MaxValue : prefixLength == 0 ? 0 : ulong.MaxValue << (64 - prefixLength);
        ulong low = prefixLength <= 64 ? 0 : ulong.MaxValue << (128 - prefixLength);
        return new Ipv6Address(high, low);
    }

    /// <summary>The address with all but its first <paramref name="prefixLength"/> bits cleared (persistence <c>-M</c> for IPv6).</summary>
    public Ipv6Address And(int prefixLength) => And(PrefixMask(prefixLength));

    /// <summary>Bitwise AND with <paramref name="mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Ipv6Address And(Ipv6Address mask) => new(_high & mask._high, _low & mask._low);

    /// <summary>
    /// The XOR of the four 32-bit words, in host order: the 32-bit key ip_vs hashes for an IPv6
    /// address. ip_vs_sh.c's <c>ip_vs_sh_hashkey</c> (and ip_vs_dh.c / ip_vs_lblc.c / ip_vs_lblcr.c
    /// likewise) computes <c>addr_fold = ip6[0] ^ ip6[1] ^ ip6[2] ^ ip6[3]</c> over the
    /// <c>__be32</c> words and then hashes <c>ntohl(addr_fold)</c>; XOR commutes with the byte
    /// swap, so XOR-ing the host-order words here gives the same number.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Fold32() => (uint)(_high >> 32) ^ (uint)_high ^ (uint)(_low >> 32) ^ (uint)_low;

    /// <summary>
    /// Parses RFC 4291 text. IPv4 text, zone indices (<c>%eth0</c>), brackets and garbage are
    /// refused: <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> alone would take
    /// <c>[::1]:80</c> and drop the port silently.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Ipv6Address address)
    {
        address = default;
        if (text is null || text.AsSpan().IndexOfAny('%', '[') >= 0 || !IPAddress.TryParse(text, out IPAddress? ip)
            || ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        ip.TryWriteBytes(bytes, out _);
        address = ReadFrom(bytes);
        return true;
    }

    /// <summary>Parses RFC 4291 text.</summary>
    /// <exception cref="FormatException">Not an IPv6 address.</exception>
    public static Ipv6Address Parse(string text) =>
        TryParse(text, out Ipv6Address address) ? address : throw new FormatException($"'{text}' is not an IPv6 address");

    /// <summary>The address as an <see cref="IPAddress"/>.</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return new IPAddress(bytes);
    }

    /// <summary>RFC 5952 text: lower case, longest zero run compressed, <c>::ffff:a.b.c.d</c> for mapped addresses.</summary>
    public override string ToString() => ToIPAddress().ToString();

    public bool Equals(Ipv6Address other) => _high == other._high && _low == other._low;

    public override bool Equals(object? obj) => obj is Ipv6Address other && Equals(other);

    /// <summary>Mixes both halves (a multiply spreads the low half, which is what varies inside a /64).</summary>
    public override int GetHashCode()
    {
        ulong x = _high ^ (_low * 0x9E37_79B9_7F4A_7C15UL);
        return (int)(x ^ (x >> 32));
    }

    /// <summary>Orders as the bytes on the wire do.</summary>
    public int CompareTo(Ipv6Address other) => _high != other._high ? _high.CompareTo(other._high) : _low.CompareTo(other._low);

    public static bool operator ==(Ipv6Address left, Ipv6Address right) => left.Equals(right);

    public static bool operator !=(Ipv6Address left, Ipv6Address right) => !left.Equals(right);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotMapped() => throw new InvalidOperationException("not an IPv4-mapped IPv6 address");
}
