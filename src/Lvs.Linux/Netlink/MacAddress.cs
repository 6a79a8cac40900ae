using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Lvs.Linux.Netlink;

/// <summary>
/// An Ethernet (EUI-48) address: six bytes, compared and copied by value, no allocation.
/// Stored as a big-endian 32-bit high part and 16-bit low part so equality is two compares.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 2)]
public readonly struct MacAddress : IEquatable<MacAddress>
{
    /// <summary>Length of an Ethernet address in bytes.</summary>
    public const int Length = 6;

    private readonly uint _high;
    private readonly ushort _low;

    /// <summary>Reads the first six bytes of <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than six bytes.</exception>
    public MacAddress(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Length)
        {
            throw new ArgumentException("a MAC address needs 6 bytes", nameof(bytes));
        }

        _high = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        _low = BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]);
    }

    private MacAddress(ulong value)
    {
        _high = (uint)(value >> 16);
        _low = (ushort)value;
    }

    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast => new(0xFFFF_FFFF_FFFFUL);

    /// <summary>00:00:00:00:00:00 (also what <c>default</c> holds).</summary>
    public static MacAddress Zero => default;

    /// <summary>True for 00:00:00:00:00:00.</summary>
    public bool IsZero => _high == 0 && _low == 0;

    /// <summary>The address as the low 48 bits of a ulong, first byte most significant.</summary>
    public ulong ToUInt64() => ((ulong)_high << 16) | _low;

    /// <summary>Builds an address from the low 48 bits of <paramref name="value"/>.</summary>
    public static MacAddress FromUInt64(ulong value) => new(value & 0xFFFF_FFFF_FFFFUL);

    /// <summary>Writes the six bytes to <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], _low);
    }

    /// <summary>Parses "aa:bb:cc:dd:ee:ff" (also '-' separated).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress mac)
    {
        mac = default;
        if (text.Length != 17)
        {
            return false;
        }

        ulong value = 0;
        for (var i = 0; i < 6; i++)
        {
            if (i > 0 && text[(i * 3) - 1] is not (':' or '-'))
            {
                return false;
            }

            if (!byte.TryParse(text.Slice(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }

            value = (value << 8) | b;
        }

        mac = new MacAddress(value);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(MacAddress other) => _high == other._high && _low == other._low;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MacAddress other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_high, _low);

    /// <summary>Lower-case colon form, as iproute2 prints it.</summary>
    public override string ToString()
    {
        Span<byte> b = stackalloc byte[Length];
        WriteTo(b);
        return string.Create(CultureInfo.InvariantCulture, $"{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}:{b[4]:x2}:{b[5]:x2}");
    }

    public static bool operator ==(MacAddress left, MacAddress right) => left.Equals(right);

    public static bool operator !=(MacAddress left, MacAddress right) => !left.Equals(right);
}
