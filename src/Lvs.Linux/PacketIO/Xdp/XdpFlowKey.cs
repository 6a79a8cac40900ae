using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>
/// The key of the "services" and "replies" hash maps the XDP program looks up, 20 bytes, each
/// field as it stands on the wire so the program copies bytes without swapping:
/// <code>
///  0                              16        18      19       20
/// +-------------------------------+---------+-------+--------+
/// | address (IPv4: 4 bytes, 0 pad)| port BE | proto | family |
/// +-------------------------------+---------+-------+--------+
/// </code>
/// family is 4 or 6, so an IPv4 address never equals an IPv6 one that starts with the same bytes.
/// Port 0 is a port-0 (all ports) service: the program looks it up after the exact port misses.
/// </summary>
public static class XdpFlowKey
{
    /// <summary>Key size in bytes.</summary>
    public const int Size = 20;

    /// <summary>Offset of the port (network order).</summary>
    public const int PortOffset = 16;

    /// <summary>Offset of the IP protocol number.</summary>
    public const int ProtocolOffset = 18;

    /// <summary>Offset of the family byte (4 or 6).</summary>
    public const int FamilyOffset = 19;

    /// <summary>Writes the key for <paramref name="address"/>:<paramref name="port"/> over <paramref name="protocol"/> into <paramref name="key"/>.</summary>
    public static void Write(Span<byte> key, IPAddress address, ushort port, ProtocolType protocol)
    {
        if (key.Length < Size)
        {
            throw new ArgumentException($"a flow key needs {Size} bytes", nameof(key));
        }

        if (protocol is not (ProtocolType.Tcp or ProtocolType.Udp or (ProtocolType)132))
        {
            throw new ArgumentException($"the XDP program steers TCP, UDP and SCTP only, not {protocol}", nameof(protocol));
        }

        key[..Size].Clear();
        if (!address.TryWriteBytes(key[..16], out int written))
        {
            throw new ArgumentException($"cannot encode {address}", nameof(address));
        }

        BinaryPrimitives.WriteUInt16BigEndian(key[PortOffset..], port);
        key[ProtocolOffset] = (byte)protocol;
        key[FamilyOffset] = address.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)6 : (byte)4;
        _ = written;
    }

    /// <summary>The key of an address alone (port 0, protocol 0), as the "locals" map holds it.</summary>
    public static byte[] CreateAddress(IPAddress address)
    {
        var key = new byte[Size];
        if (!address.TryWriteBytes(key.AsSpan(0, 16), out _))
        {
            throw new ArgumentException($"cannot encode {address}", nameof(address));
        }

        key[FamilyOffset] = address.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)6 : (byte)4;
        return key;
    }

    /// <summary>The key as a new array (control path only).</summary>
    public static byte[] Create(IPAddress address, ushort port, ProtocolType protocol)
    {
        var key = new byte[Size];
        Write(key, address, port, protocol);
        return key;
    }
}
