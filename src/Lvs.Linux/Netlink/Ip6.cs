using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Lvs.Linux.Netlink;

/// <summary>
/// An IPv6 address as two big-endian 64-bit halves (<see cref="High"/> holds bytes 0-7):
/// 16 bytes, compared, ordered and masked by value, no allocation. The lookup key of
/// <see cref="RoutingView.TryResolve6"/> and the IPv6 neighbour cache.
/// </summary>
/// <remarks>
/// Lvs.Linux keeps its own type rather than referencing Lvs.Core; both are the 16 wire bytes,
/// so converting is <see cref="WriteTo"/> on one side and the span constructor on the other.
/// </remarks>
public readonly struct Ip6 : IEquatable<Ip6>, IComparable<Ip6>
{
    /// <summary>Length of an IPv6 address in bytes.</summary>
    public const int Length = 16;

    /// <summary>Creates an address from its two halves (bytes 0-7 and 8-15, big-endian).</summary>
    public Ip6(ulong high, ulong low)
    {
        High = high;
        Low = low;
    }

    /// <summary>Reads the first 16 bytes of <paramref name="bytes"/> (network order).</summary>
    /// <exception cref="ArgumentException">Fewer than 16 bytes.</exception>
    public Ip6(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Length)
        {
            throw new ArgumentException("an IPv6 address needs 16 bytes", nameof(bytes));
        }

        High = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        Low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
    }

    /// <summary>Bytes 0-7 as a big-endian ulong (the network prefix half).</summary>
    public ulong High { get; }

    /// <summary>Bytes 8-15 as a big-endian ulong (the interface identifier half).</summary>
    public ulong Low { get; }

    /// <summary>:: (also what <c>default</c> holds).</summary>
    public static Ip6 Unspecified => default;

    /// <summary>::1.</summary>
    public static Ip6 Loopback => new(0, 1);

    /// <summary>True for ::.</summary>
    public bool IsUnspecified => High == 0 && Low == 0;

    /// <summary>True for fe80::/10 (link-local unicast: meaningful only with an interface).</summary>
    public bool IsLinkLocal => (High >> 54) == 0x3FA;

    /// <summary>True for ff00::/8.</summary>
    public bool IsMulticast => (High >> 56) == 0xFF;

    /// <summary>True for ::1.</summary>
    public bool IsLoopback => High == 0 && Low == 1;

    /// <summary>The address with all bits past <paramref name="prefixLength"/> (0-128) cleared.</summary>
    public Ip6 Mask(int prefixLength)
    {
        if (prefixLength <= 0)
        {
            return default;
        }

        if (prefixLength >= 128)
        {
            return this;
        }

        return prefixLength <= 64
            ? new Ip6(High & (ulong.MaxValue << (64 - prefixLength)), 0)
            : new Ip6(High, Low & (ulong.MaxValue << (128 - prefixLength)));
    }

    /// <summary>Number of leading bits this address shares with <paramref name="other"/> (0-128).</summary>
    public int CommonPrefixLength(in Ip6 other)
    {
        var high = High ^ other.High;
        if (high != 0)
        {
            return BitOperations.LeadingZeroCount(high);
        }

        var low = Low ^ other.Low;
        return low == 0 ? 128 : 64 + BitOperations.LeadingZeroCount(low);
    }

    /// <summary>Writes the 16 bytes (network order) to <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    /// <summary>Converts an IPv6 <see cref="IPAddress"/> (its scope id is dropped).</summary>
    /// <exception cref="ArgumentException">Not an IPv6 address.</exception>
    public static Ip6 FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[Length];
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || !address.TryWriteBytes(bytes, out _))
        {
            throw new ArgumentException("not an IPv6 address", nameof(address));
        }

        return new Ip6(bytes);
    }

    /// <summary>The address as an <see cref="IPAddress"/> (allocates; not for the data path).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return new IPAddress(bytes);
    }

    /// <summary>Parses IPv6 text such as "2001:db8:c::1" (allocates; not for the data path).</summary>
    public static Ip6 Parse(string text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? FromIPAddress(address)
            : throw new FormatException($"not an IPv6 address: '{text}'");

    /// <inheritdoc/>
    public bool Equals(Ip6 other) => High == other.High && Low == other.Low;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Ip6 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(High, Low);

    /// <summary>Numeric (network byte) order.</summary>
    public int CompareTo(Ip6 other) => High != other.High ? High.CompareTo(other.High) : Low.CompareTo(other.Low);

    /// <summary>The RFC 5952 text form, as iproute2 prints it.</summary>
    public override string ToString() => ToIPAddress().ToString();

    public static bool operator ==(Ip6 left, Ip6 right) => left.Equals(right);

    public static bool operator !=(Ip6 left, Ip6 right) => !left.Equals(right);

    public static bool operator <(Ip6 left, Ip6 right) => left.CompareTo(right) < 0;

    public static bool operator >(Ip6 left, Ip6 right) => left.CompareTo(right) > 0;

    public static bool operator <=(Ip6 left, Ip6 right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Ip6 left, Ip6 right) => left.CompareTo(right) >= 0;
}
