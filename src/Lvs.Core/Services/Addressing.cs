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

/// <summary>
/// A virtual service's identity: protocol, VIP (either family) and port (host order). A fwmark
/// service holds its mark in the address: IPv4-mapped for <c>-f N</c>, <c>::N</c> for <c>-f N -6</c>,
/// so the same mark can name one service per family, as in ip_vs.
/// </summary>
public readonly struct ServiceKey(IpProtocol protocol, InetAddress address, ushort port) : IEquatable<ServiceKey>
{
    public IpProtocol Protocol { get; } = protocol;

    public InetAddress Address { get; } = address;

    public ushort Port { get; } = port;

    public bool Equals(ServiceKey other) =>
        Address == other.Address && Port == other.Port && Protocol == other.Protocol;

    public override bool Equals(object? obj) => obj is ServiceKey k && Equals(k);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode() => (int)(Address.HashKey32 * 0x9E3779B1u ^ (uint)(Address.High >> 32) ^ ((uint)Port << 8) ^ (uint)Protocol);

    /// <summary>A fwmark service (ipvsadm -f): the mark takes the address's place, protocol IP, port 0.</summary>
    public static ServiceKey ForFwmark(uint mark) => new(IpProtocol.Ip, mark, 0);

    /// <summary>A fwmark service of either family (ipvsadm -f N [-6]).</summary>
    public static ServiceKey ForFwmark(uint mark, bool ipv6) => new(IpProtocol.Ip, ipv6 ? new InetAddress(0, mark) : mark, 0);

    public bool IsFwmark => Protocol == IpProtocol.Ip;

    /// <summary>The fwmark of a fwmark service.</summary>
    public uint Mark => (uint)Address.Low;

    /// <summary>True for an IPv6 service (an IPv6 VIP, or a fwmark service made with -6).</summary>
    public bool IsV6 => Address.IsV6;

    public override string ToString() =>
        IsFwmark ? $"FWM {Mark}{(IsV6 ? " IPv6" : "")}" : $"{(Protocol == IpProtocol.Tcp ? "TCP" : "UDP")} {Address.WithPort(Port)}";

    public static bool operator ==(ServiceKey a, ServiceKey b) => a.Equals(b);

    public static bool operator !=(ServiceKey a, ServiceKey b) => !a.Equals(b);
}
