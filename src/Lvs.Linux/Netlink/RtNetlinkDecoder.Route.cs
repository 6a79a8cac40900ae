using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Lvs.Linux.Interop.Netlink;

namespace Lvs.Linux.Netlink;

// Routes: struct rtmsg (uapi/linux/rtnetlink.h) followed by RTA_* attributes.
//  0               1               2               3
//  +---------------+---------------+---------------+---------------+
//  |    family     |    dst_len    |    src_len    |      tos      |
//  +---------------+---------------+---------------+---------------+
//  |    table      |   protocol    |     scope     |     type      |
//  +---------------+---------------+---------------+---------------+
//  |                            flags                              |
//  +---------------+---------------+---------------+---------------+
internal static partial class RtNetlinkDecoder
{
    /// <summary>Decodes an rtmsg payload (IPv4 and IPv6 only).</summary>
    public static ParseStatus TryParseRoute(ReadOnlySpan<byte> payload, out RouteInfo? route)
    {
        route = null;
        if (payload.Length < RtMsgSize)
        {
            return ParseStatus.Malformed;
        }

        var size = AddressSize(payload[0]);
        if (size == 0)
        {
            return ParseStatus.Ignored;
        }

        int dstLength = payload[1];
        uint table = payload[4];
        var type = (RouteType)payload[7];
        ReadOnlySpan<byte> dst = default, gateway = default, prefsrc = default;
        int oif = 0, mtu = 0;
        uint priority = 0;
        var attributes = new NetlinkAttributeReader(payload[RtMsgSize..]);
        while (attributes.TryRead(out var attribute))
        {
            var value = attribute.Value;
            switch (attribute.Type)
            {
                case RTA_DST or RTA_GATEWAY or RTA_PREFSRC when value.Length != size:
                    return ParseStatus.Malformed;
                case RTA_OIF or RTA_PRIORITY or RTA_TABLE when value.Length < 4:
                    return ParseStatus.Malformed;
                case RTA_DST:
                    dst = value;
                    break;
                case RTA_GATEWAY:
                    gateway = value;
                    break;
                case RTA_PREFSRC:
                    prefsrc = value;
                    break;
                case RTA_OIF:
                    oif = MemoryMarshal.Read<int>(value);
                    break;
                case RTA_PRIORITY:
                    priority = MemoryMarshal.Read<uint>(value);
                    break;
                case RTA_TABLE:
                    table = MemoryMarshal.Read<uint>(value);
                    break;
                case RTA_METRICS:
                    if (!TryReadMtuMetric(value, out mtu))
                    {
                        return ParseStatus.Malformed;
                    }

                    break;
                case RTA_MULTIPATH:
                    // Forward over the first hop: the data path keeps one next hop per prefix.
                    if (!TryReadFirstHop(value, size, out var hopIf, out var hopGateway))
                    {
                        return ParseStatus.Malformed;
                    }

                    if (oif == 0)
                    {
                        oif = hopIf;
                    }

                    if (gateway.IsEmpty)
                    {
                        gateway = hopGateway;
                    }

                    break;
            }
        }

        if (attributes.Malformed || dstLength > size * 8)
        {
            return ParseStatus.Malformed;
        }

        var family = size == 4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var destination = dst.IsEmpty ? (size == 4 ? IPAddress.Any : IPAddress.IPv6Any) : new IPAddress(dst);
        route = new RouteInfo(
            family,
            destination,
            dstLength,
            gateway.IsEmpty ? null : new IPAddress(gateway),
            oif,
            prefsrc.IsEmpty ? null : new IPAddress(prefsrc),
            priority,
            type,
            table,
            mtu);
        return ParseStatus.Ok;
    }

    private static bool TryReadMtuMetric(ReadOnlySpan<byte> metrics, out int mtu)
    {
        mtu = 0;
        var reader = new NetlinkAttributeReader(metrics);
        while (reader.TryRead(out var metric))
        {
            if (metric.Type == RTAX_MTU && metric.Value.Length >= 4)
            {
                mtu = MemoryMarshal.Read<int>(metric.Value);
            }
        }

        return !reader.Malformed;
    }

    private static bool TryReadFirstHop(ReadOnlySpan<byte> multipath, int size, out int ifIndex, out ReadOnlySpan<byte> gateway)
    {
        ifIndex = 0;
        gateway = default;
        if (multipath.Length < RtNextHopSize)
        {
            return false;
        }

        var length = MemoryMarshal.Read<ushort>(multipath);
        if (length < RtNextHopSize || length > multipath.Length)
        {
            return false;
        }

        ifIndex = MemoryMarshal.Read<int>(multipath[4..]);
        var reader = new NetlinkAttributeReader(multipath[RtNextHopSize..length]);
        while (reader.TryRead(out var attribute))
        {
            if (attribute.Type == RTA_GATEWAY)
            {
                if (attribute.Value.Length != size)
                {
                    return false;
                }

                gateway = attribute.Value;
            }
        }

        return !reader.Malformed;
    }
}
