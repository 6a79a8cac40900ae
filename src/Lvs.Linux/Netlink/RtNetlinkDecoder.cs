using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using static Lvs.Linux.Interop.Netlink;

namespace Lvs.Linux.Netlink;

/// <summary>Outcome of decoding one message.</summary>
internal enum ParseStatus
{
    /// <summary>Decoded.</summary>
    Ok,

    /// <summary>Well formed but not ours (another address family, a bridge fdb entry...).</summary>
    Ignored,

    /// <summary>Lengths or values impossible; skipped and counted.</summary>
    Malformed,
}

/// <summary>What one receive buffer contained.</summary>
internal struct DecodeResult
{
    public int Messages;
    public int Malformed;
    public int Ignored;

    /// <summary>NLMSG_DONE for the awaited sequence was seen.</summary>
    public bool Done;

    /// <summary>A positive errno from NLMSG_ERROR for the awaited sequence, 0 if none.</summary>
    public int Error;

    /// <summary>NLM_F_DUMP_INTR: the dump raced a change and may be inconsistent.</summary>
    public bool Interrupted;
}

/// <summary>
/// Decodes rtnetlink link, address, route and neighbour messages (uapi/linux/rtnetlink.h).
/// Never throws on malformed input: such messages are reported as <see cref="ParseStatus.Malformed"/>.
/// </summary>
internal static partial class RtNetlinkDecoder
{
    /// <summary>
    /// Decodes every message in <paramref name="buffer"/> and hands objects to <paramref name="sink"/>.
    /// <paramref name="sequence"/> selects which NLMSG_DONE/NLMSG_ERROR end the request (0: none awaited).
    /// </summary>
    public static DecodeResult Decode(ReadOnlySpan<byte> buffer, INetlinkEventSink sink, uint sequence)
    {
        var result = default(DecodeResult);
        var reader = new NetlinkMessageReader(buffer);
        while (reader.TryRead(out var message))
        {
            result.Messages++;
            if ((message.Flags & NLM_F_DUMP_INTR) != 0)
            {
                result.Interrupted = true;
            }

            var status = Dispatch(message, sink, sequence, ref result);
            if (status == ParseStatus.Malformed)
            {
                result.Malformed++;
            }
            else if (status == ParseStatus.Ignored)
            {
                result.Ignored++;
            }
        }

        if (reader.Malformed)
        {
            result.Malformed++;
        }

        return result;
    }

    private static ParseStatus Dispatch(NetlinkMessage message, INetlinkEventSink sink, uint sequence, ref DecodeResult result)
    {
        // Replies to an earlier request (one abandoned after a timeout) must not leak into this one.
        if (sequence != 0 && message.Sequence != sequence)
        {
            return ParseStatus.Ignored;
        }

        switch (message.Type)
        {
            case NLMSG_DONE:
                if (sequence != 0)
                {
                    result.Done = true;
                }

                return ParseStatus.Ok;
            case NLMSG_ERROR:
                // struct nlmsgerr { int error; struct nlmsghdr msg; }: error is -errno, 0 is an ACK.
                if (message.Payload.Length < 4)
                {
                    return ParseStatus.Malformed;
                }

                if (sequence != 0)
                {
                    var error = MemoryMarshal.Read<int>(message.Payload);
                    result.Error = error == int.MinValue ? int.MaxValue : -error;
                    result.Done = true;
                }

                return ParseStatus.Ok;
            case NLMSG_NOOP:
                return ParseStatus.Ignored;
            case RTM_NEWLINK or RTM_DELLINK:
                var linkStatus = TryParseLink(message.Payload, out var link);
                if (linkStatus == ParseStatus.Ok)
                {
                    sink.OnLink(link!, message.Type == RTM_DELLINK);
                }

                return linkStatus;
            case RTM_NEWADDR or RTM_DELADDR:
                var addressStatus = TryParseAddress(message.Payload, out var address);
                if (addressStatus == ParseStatus.Ok)
                {
                    sink.OnAddress(address!, message.Type == RTM_DELADDR);
                }

                return addressStatus;
            case RTM_NEWROUTE or RTM_DELROUTE:
                var routeStatus = TryParseRoute(message.Payload, out var route);
                if (routeStatus == ParseStatus.Ok)
                {
                    sink.OnRoute(route!, message.Type == RTM_DELROUTE);
                }

                return routeStatus;
            case RTM_NEWNEIGH or RTM_DELNEIGH:
                var neighbourStatus = TryParseNeighbour(message.Payload, out var neighbour);
                if (neighbourStatus == ParseStatus.Ok)
                {
                    sink.OnNeighbour(neighbour!, message.Type == RTM_DELNEIGH);
                }

                return neighbourStatus;
            default:
                return ParseStatus.Ignored;
        }
    }

    /// <summary>Decodes an ifinfomsg payload.</summary>
    public static ParseStatus TryParseLink(ReadOnlySpan<byte> payload, out LinkInfo? link)
    {
        link = null;
        if (payload.Length < IfInfoMsgSize)
        {
            return ParseStatus.Malformed;
        }

        var index = MemoryMarshal.Read<int>(payload[4..]);
        var flags = MemoryMarshal.Read<uint>(payload[8..]);
        var name = string.Empty;
        var mac = default(MacAddress);
        var mtu = 0;
        var attributes = new NetlinkAttributeReader(payload[IfInfoMsgSize..]);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case IFLA_IFNAME:
                    var text = attribute.Value;
                    var nul = text.IndexOf((byte)0);
                    name = Encoding.UTF8.GetString(nul >= 0 ? text[..nul] : text);
                    break;
                case IFLA_ADDRESS when attribute.Value.Length == MacAddress.Length:
                    mac = new MacAddress(attribute.Value);
                    break;
                case IFLA_MTU:
                    if (attribute.Value.Length < 4)
                    {
                        return ParseStatus.Malformed;
                    }

                    mtu = MemoryMarshal.Read<int>(attribute.Value);
                    break;
            }
        }

        if (attributes.Malformed || index <= 0)
        {
            return ParseStatus.Malformed;
        }

        link = new LinkInfo(index, name, mac, mtu, flags);
        return ParseStatus.Ok;
    }

    /// <summary>Decodes an ifaddrmsg payload (IPv4 and IPv6 only).</summary>
    public static ParseStatus TryParseAddress(ReadOnlySpan<byte> payload, out AddressInfo? address)
    {
        address = null;
        if (payload.Length < IfAddrMsgSize)
        {
            return ParseStatus.Malformed;
        }

        var size = AddressSize(payload[0]);
        if (size == 0)
        {
            return ParseStatus.Ignored;
        }

        int prefix = payload[1];
        var index = MemoryMarshal.Read<int>(payload[4..]);
        ReadOnlySpan<byte> local = default;
        ReadOnlySpan<byte> peer = default;
        var attributes = new NetlinkAttributeReader(payload[IfAddrMsgSize..]);
        while (attributes.TryRead(out var attribute))
        {
            if (attribute.Type is IFA_LOCAL or IFA_ADDRESS && attribute.Value.Length != size)
            {
                return ParseStatus.Malformed;
            }

            if (attribute.Type == IFA_LOCAL)
            {
                local = attribute.Value;
            }
            else if (attribute.Type == IFA_ADDRESS)
            {
                peer = attribute.Value;
            }
        }

        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point
        // links and equal to IFA_LOCAL elsewhere (IPv6 sends only IFA_ADDRESS).
        var own = local.IsEmpty ? peer : local;
        if (attributes.Malformed || own.IsEmpty || prefix > size * 8 || index <= 0)
        {
            return ParseStatus.Malformed;
        }

        address = new AddressInfo(index, new IPAddress(own), prefix);
        return ParseStatus.Ok;
    }

    /// <summary>Decodes an ndmsg payload (IPv4 and IPv6 only; bridge fdb entries are ignored).</summary>
    public static ParseStatus TryParseNeighbour(ReadOnlySpan<byte> payload, out NeighbourInfo? neighbour)
    {
        neighbour = null;
        if (payload.Length < NdMsgSize)
        {
            return ParseStatus.Malformed;
        }

        var size = AddressSize(payload[0]);
        if (size == 0)
        {
            return ParseStatus.Ignored;
        }

        var index = MemoryMarshal.Read<int>(payload[4..]);
        var state = (NeighbourState)MemoryMarshal.Read<ushort>(payload[8..]);
        ReadOnlySpan<byte> dst = default;
        var mac = default(MacAddress);
        var attributes = new NetlinkAttributeReader(payload[NdMsgSize..]);
        while (attributes.TryRead(out var attribute))
        {
            if (attribute.Type == NDA_DST)
            {
                if (attribute.Value.Length != size)
                {
                    return ParseStatus.Malformed;
                }

                dst = attribute.Value;
            }
            else if (attribute.Type == NDA_LLADDR && attribute.Value.Length == MacAddress.Length)
            {
                mac = new MacAddress(attribute.Value);
            }
        }

        if (attributes.Malformed || dst.IsEmpty || index <= 0)
        {
            return ParseStatus.Malformed;
        }

        neighbour = new NeighbourInfo(index, new IPAddress(dst), mac, state);
        return ParseStatus.Ok;
    }

    /// <summary>Reads an IPv4 address attribute value in host order.</summary>
    public static uint ReadIPv4(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadUInt32BigEndian(value);

    internal static int AddressSize(byte family) => family switch
    {
        (byte)Interop.Libc.AF_INET => 4,
        (byte)Interop.Libc.AF_INET6 => 16,
        _ => 0,
    };
}
