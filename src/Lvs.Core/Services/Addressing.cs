using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Lvs.Core.Services;

/// <summary>IP protocols the director balances.</summary>
public enum IpProtocol : byte
{
    /// <summary>IPPROTO_IP: a fwmark service (any protocol) and its persistence templates.</summary>
    Ip = 0,

    Tcp = 6,
    Udp = 17,
}

/// <summary>How a real server is reached (ipvsadm -m, -g, -i).</summary>
public enum ForwardMethod : byte
{
    /// <summary>NAT: rewrite destination on the way in and source on the way out.</summary>
    Masquerade,

    /// <summary>Direct routing: rewrite only the destination MAC.</summary>
    DirectRoute,

    /// <summary>IP-in-IP tunnelling.</summary>
    Tunnel,
}

/// <summary>Encapsulation of a tunnel real server (ipvsadm --tun-type).</summary>
public enum TunnelType : byte
{
    /// <summary>IPv4-in-IPv4 (RFC 2003), ipvsadm's default.</summary>
    IpIp,

    /// <summary>Generic UDP Encapsulation, variant 0, over UDP to <see cref="TunnelSpec.Port"/>.</summary>
    Gue,

    /// <summary>GRE (RFC 2784) with protocol 0x0800.</summary>
    Gre,
}

/// <summary>Checksum handling of GUE and GRE (ipvsadm --tun-nocsum, --tun-csum, --tun-remcsum).</summary>
public enum TunnelChecksum : byte
{
    NoChecksum,
    Checksum,
    RemoteChecksum,
}

/// <summary>How a tunnel real server wants its packets wrapped.</summary>
public readonly record struct TunnelSpec(TunnelType Type, ushort Port, TunnelChecksum Checksum);

/// <summary>Conversions between host-order IPv4 <see cref="uint"/>s and text.</summary>
public static class Ipv4
{
    public static uint Parse(string text) =>
        TryParse(text, out uint value) ? value : throw new FormatException($"not an IPv4 address: '{text}'");

    public static bool TryParse(string? text, out uint value)
    {
        value = 0;
        if (text is null || !IPAddress.TryParse(text, out IPAddress? ip) || ip.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[4];
        ip.TryWriteBytes(bytes, out _);
        value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    public static string Format(uint value) =>
        $"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}";
}

/// <summary>A virtual service's identity: protocol, VIP and port (host order).</summary>
public readonly struct ServiceKey(IpProtocol protocol, uint address, ushort port) : IEquatable<ServiceKey>
{
    public IpProtocol Protocol { get; } = protocol;

    public uint Address { get; } = address;

    public ushort Port { get; } = port;

    public bool Equals(ServiceKey other) =>
        Address == other.Address && Port == other.Port && Protocol == other.Protocol;

    public override bool Equals(object? obj) => obj is ServiceKey k && Equals(k);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode() => (int)(Address * 0x9E3779B1u ^ ((uint)Port << 8) ^ (uint)Protocol);

    /// <summary>A fwmark service (ipvsadm -f): the mark takes the address's place, protocol IP, port 0.</summary>
    public static ServiceKey ForFwmark(uint mark) => new(IpProtocol.Ip, mark, 0);

    public bool IsFwmark => Protocol == IpProtocol.Ip;

    public override string ToString() =>
        IsFwmark ? $"FWM {Address}" : $"{(Protocol == IpProtocol.Tcp ? "TCP" : "UDP")} {Ipv4.Format(Address)}:{Port}";

    public static bool operator ==(ServiceKey a, ServiceKey b) => a.Equals(b);

    public static bool operator !=(ServiceKey a, ServiceKey b) => !a.Equals(b);
}
