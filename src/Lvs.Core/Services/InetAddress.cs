using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Lvs.Core.Packets;

namespace Lvs.Core.Services;

/// <summary>
/// An IPv4 or IPv6 address in 16 bytes (the kernel's <c>union nf_inet_addr</c> with its family
/// folded in): IPv4 is held IPv4-mapped (<c>::ffff:a.b.c.d</c>, RFC 4291 §2.5.5.2), so one
/// type serves services, real servers and connections of both families, and comparing or
/// hashing is two 64-bit operations whatever the family.
/// </summary>
/// <remarks>
/// An IPv6 address in <c>::ffff:0:0/96</c> is indistinguishable from the IPv4 address it maps;
/// such addresses never appear on the wire (RFC 4291 §2.5.5.2), and the text parsers refuse
/// them as IPv6 service or server addresses.
/// </remarks>
public readonly struct InetAddress : IEquatable<InetAddress>, IComparable<InetAddress>
{
    private const ulong MappedTag = 0xFFFF_0000_0000UL;

    private readonly ulong _high;
    private readonly ulong _low;

    /// <summary>An address from its two big-endian halves (as <see cref="Ipv6Address"/>).</summary>
    public InetAddress(ulong high, ulong low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>Bits 0..63 of the IPv6 (or mapped) form.</summary>
    public ulong High => _high;

    /// <summary>Bits 64..127 of the IPv6 (or mapped) form.</summary>
    public ulong Low => _low;

    /// <summary>True for an IPv4 address.</summary>
    public bool IsV4
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _high == 0 && _low >> 32 == 0xFFFF;
    }

    /// <summary>True for an IPv6 address.</summary>
    public bool IsV6 => !IsV4;

    /// <summary>The host-order IPv4 address; meaningful only when <see cref="IsV4"/>.</summary>
    public uint V4
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (uint)_low;
    }

    /// <summary>The IPv6 form (IPv4-mapped for an IPv4 address).</summary>
    public Ipv6Address V6 => new(_high, _low);

    /// <summary>AF_INET (2) or AF_INET6 (10), as ip_vs and ipvsadm name families.</summary>
    public int Family => IsV4 ? 2 : 10;

    /// <summary>The IPv4 address <paramref name="hostOrder"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static InetAddress FromV4(uint hostOrder) => new(0, MappedTag | hostOrder);

    /// <summary>The IPv6 address <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static InetAddress FromV6(Ipv6Address address) => new(address.High, address.Low);

    /// <summary>An IPv4 address (host order) widened losslessly.</summary>
    public static implicit operator InetAddress(uint hostOrder) => FromV4(hostOrder);

    /// <summary>An IPv6 address widened losslessly.</summary>
    public static implicit operator InetAddress(Ipv6Address address) => FromV6(address);

    /// <summary>
    /// The 32-bit key ip_vs's hashing schedulers (sh, dh, lblc, lblcr, mh) hash: the IPv4 address,
    /// or for IPv6 the XOR of its four words (<c>ip_vs_sh_hashkey</c>'s <c>addr_fold</c>).
    /// </summary>
    public uint HashKey32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => IsV4 ? (uint)_low : (uint)(_high >> 32) ^ (uint)_high ^ (uint)(_low >> 32) ^ (uint)_low;
    }

    /// <summary>Writes the address in network order, 4 bytes for IPv4, 16 for IPv6; returns how many.</summary>
    public int WriteBytes(Span<byte> destination)
    {
        if (IsV4)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_low);
            return 4;
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
        return 16;
    }

    /// <summary>
    /// The client network a persistence template stands for (ip_vs_sched_persist): IPv4 AND the
    /// netmask, IPv6 cut to a prefix length. <paramref name="mask"/> is what ipvsadm -M stores:
    /// a host-order netmask for IPv4, a prefix length (0..128; larger means 128) for IPv6.
    /// </summary>
    public InetAddress Network(uint mask) =>
        IsV4 ? FromV4((uint)_low & mask) : FromV6(V6.And(mask > 128 ? 128 : (int)mask));

    /// <summary>Parses IPv4 or IPv6 text (no brackets, no zone); mapped IPv6 text is refused.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out InetAddress address)
    {
        address = default;
        if (Ipv4.TryParse(text, out uint v4))
        {
            address = FromV4(v4);
            return true;
        }

        if (Ipv6Address.TryParse(text, out Ipv6Address v6) && !v6.IsIPv4Mapped)
        {
            address = FromV6(v6);
            return true;
        }

        return false;
    }

    /// <summary>Parses IPv4 or IPv6 text.</summary>
    /// <exception cref="FormatException">Neither.</exception>
    public static InetAddress Parse(string text) =>
        TryParse(text, out InetAddress a) ? a : throw new FormatException($"not an IP address: '{text}'");

    /// <summary>The address as an <see cref="IPAddress"/> of its own family.</summary>
    public IPAddress ToIPAddress()
    {
        if (!IsV4)
        {
            return V6.ToIPAddress();
        }

        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b, V4);
        return new IPAddress(b);
    }

    /// <summary>An <see cref="IPAddress"/> of either family.</summary>
    public static InetAddress FromIPAddress(IPAddress ip)
    {
        Span<byte> b = stackalloc byte[16];
        ip.TryWriteBytes(b, out int n);
        return ip.AddressFamily == AddressFamily.InterNetwork
            ? FromV4(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b))
            : FromV6(Ipv6Address.ReadFrom(b[..n]));
    }

    /// <summary>Dotted quad for IPv4, RFC 5952 for IPv6.</summary>
    public override string ToString() => IsV4 ? Ipv4.Format(V4) : V6.ToString();

    /// <summary>ipvsadm's address-with-port form: <c>a.b.c.d:p</c>, or <c>[v6]:p</c>.</summary>
    public string WithPort(ushort port) => IsV4 ? $"{Ipv4.Format(V4)}:{port}" : $"[{V6}]:{port}";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(InetAddress other) => _low == other._low && _high == other._high;

    public override bool Equals(object? obj) => obj is InetAddress other && Equals(other);

    public override int GetHashCode()
    {
        ulong x = _high ^ (_low * 0x9E37_79B9_7F4A_7C15UL);
        return (int)(x ^ (x >> 32));
    }

    /// <summary>IPv4 before IPv6 (mapped addresses sort first), then as the bytes on the wire.</summary>
    public int CompareTo(InetAddress other)
    {
        if (IsV4 != other.IsV4)
        {
            return IsV4 ? -1 : 1;
        }

        return _high != other._high ? _high.CompareTo(other._high) : _low.CompareTo(other._low);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool operator ==(InetAddress left, InetAddress right) => left.Equals(right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool operator !=(InetAddress left, InetAddress right) => !left.Equals(right);
}
