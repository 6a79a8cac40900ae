using System.Buffers.Binary;
using Lvs.Linux.Interop;
using Lvs.Linux.Netlink;
using static Lvs.Linux.Interop.Netlink;
using XdpAbi = Lvs.Linux.Interop.Xdp;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>What rtnetlink reports about an interface's XDP program (IFLA_XDP).</summary>
/// <param name="Attached">IFLA_XDP_ATTACHED: 0 none, 1 driver, 2 generic (skb), 3 offloaded, 4 several.</param>
/// <param name="ProgramId">IFLA_XDP_PROG_ID, 0 when none.</param>
public readonly record struct XdpLinkState(byte Attached, uint ProgramId);

/// <summary>
/// The rtnetlink side of XDP: reading which program an interface runs (RTM_GETLINK, IFLA_XDP) and
/// setting or clearing it (RTM_SETLINK, IFLA_XDP_FD), the way `ip link set dev X xdp` does. Used to
/// attach where bpf_link is unavailable and to remove a stale program of ours at start.
/// </summary>
internal static unsafe class XdpNetlink
{
    /// <summary>The XDP state of interface <paramref name="ifIndex"/>.</summary>
    public static XdpLinkState Query(int ifIndex)
    {
        byte[] reply = Request(XdpAbi.RTM_SETLINK - 1 /* RTM_GETLINK */, ifIndex, ReadOnlySpan<byte>.Empty, ack: false);
        var msg = reply.AsSpan();
        int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(msg);
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(msg[4..]);
        if (type == NLMSG_ERROR)
        {
            ThrowIfError(msg, "RTM_GETLINK");
        }

        var attrs = msg[(NlMsgHdrSize + IfInfoMsgSize)..Math.Min(len, msg.Length)];
        while (attrs.Length >= RtAttrSize)
        {
            ushort alen = BinaryPrimitives.ReadUInt16LittleEndian(attrs);
            ushort atype = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(attrs[2..]) & 0x3fff);
            if (alen < RtAttrSize || alen > attrs.Length)
            {
                break;
            }

            if (atype == XdpAbi.IFLA_XDP)
            {
                return ParseXdp(attrs[RtAttrSize..alen]);
            }

            attrs = attrs[Math.Min(attrs.Length, (alen + 3) & ~3)..];
        }

        return default;
    }

    /// <summary>Attaches program <paramref name="progFd"/> (or detaches with -1) with the given XDP_FLAGS_*.</summary>
    public static void Set(int ifIndex, int progFd, uint flags)
    {
        // IFLA_XDP { IFLA_XDP_FD s32, IFLA_XDP_FLAGS u32 }
        Span<byte> nested = stackalloc byte[RtAttrSize + 8 + 8];
        BinaryPrimitives.WriteUInt16LittleEndian(nested, (ushort)nested.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(nested[2..], XdpAbi.IFLA_XDP | XdpAbi.NLA_F_NESTED);
        BinaryPrimitives.WriteUInt16LittleEndian(nested[4..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(nested[6..], XdpAbi.IFLA_XDP_FD);
        BinaryPrimitives.WriteInt32LittleEndian(nested[8..], progFd);
        BinaryPrimitives.WriteUInt16LittleEndian(nested[12..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(nested[14..], XdpAbi.IFLA_XDP_FLAGS);
        BinaryPrimitives.WriteUInt32LittleEndian(nested[16..], flags);
        byte[] reply = Request(XdpAbi.RTM_SETLINK, ifIndex, nested, ack: true);
        ThrowIfError(reply, progFd < 0 ? "RTM_SETLINK (detach XDP)" : "RTM_SETLINK (attach XDP)");
    }

    /// <summary>
    /// Asks the kernel to resolve <paramref name="ipv4Address"/> on <paramref name="ifIndex"/>:
    /// RTM_NEWNEIGH with NTF_USE, what `ip neigh replace ADDR dev DEV use` sends. The kernel creates
    /// the entry if needed and sends its ARP request; the result comes as a neighbour event.
    /// </summary>
    public static void Solicit(int ifIndex, uint ipv4Address)
    {
        // ndmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex; u16 state; u8 flags; u8 type; } + NDA_DST
        Span<byte> body = stackalloc byte[NdMsgSize + RtAttrSize + 4];
        body.Clear();
        body[0] = Libc.AF_INET;
        BinaryPrimitives.WriteInt32LittleEndian(body[4..], ifIndex);
        BinaryPrimitives.WriteUInt16LittleEndian(body[8..], 0x02); // NUD_INCOMPLETE: not applied with NTF_USE
        body[10] = 0x01; // NTF_USE
        BinaryPrimitives.WriteUInt16LittleEndian(body[NdMsgSize..], RtAttrSize + 4);
        BinaryPrimitives.WriteUInt16LittleEndian(body[(NdMsgSize + 2)..], 1); // NDA_DST
        BinaryPrimitives.WriteUInt32BigEndian(body[(NdMsgSize + RtAttrSize)..], ipv4Address);
        byte[] reply = Send(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | 0x400 /* CREATE */ | 0x100 /* REPLACE */, body);
        ThrowIfError(reply, "RTM_NEWNEIGH (NTF_USE)");
    }

    /// <summary>
    /// <see cref="Solicit"/> for IPv6: the kernel creates the entry and sends its neighbour
    /// solicitation, so the advertisement that answers it (which the XDP program leaves to the
    /// kernel) finds an entry waiting for it and updates it; the result comes as a neighbour event.
    /// </summary>
    public static void Solicit6(int ifIndex, in Ip6 address)
    {
        Span<byte> body = stackalloc byte[NdMsgSize + RtAttrSize + 16];
        body.Clear();
        body[0] = Libc.AF_INET6;
        BinaryPrimitives.WriteInt32LittleEndian(body[4..], ifIndex);
        BinaryPrimitives.WriteUInt16LittleEndian(body[8..], 0x02); // NUD_INCOMPLETE: not applied with NTF_USE
        body[10] = 0x01; // NTF_USE
        BinaryPrimitives.WriteUInt16LittleEndian(body[NdMsgSize..], RtAttrSize + 16);
        BinaryPrimitives.WriteUInt16LittleEndian(body[(NdMsgSize + 2)..], 1); // NDA_DST
        address.WriteTo(body[(NdMsgSize + RtAttrSize)..]);
        byte[] reply = Send(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | 0x400 /* CREATE */ | 0x100 /* REPLACE */, body);
        ThrowIfError(reply, "RTM_NEWNEIGH (NTF_USE, IPv6)");
    }

    private static XdpLinkState ParseXdp(ReadOnlySpan<byte> nested)
    {
        byte attached = 0;
        uint id = 0;
        while (nested.Length >= RtAttrSize)
        {
            ushort alen = BinaryPrimitives.ReadUInt16LittleEndian(nested);
            ushort atype = BinaryPrimitives.ReadUInt16LittleEndian(nested[2..]);
            if (alen < RtAttrSize || alen > nested.Length)
            {
                break;
            }

            var payload = nested[RtAttrSize..alen];
            if (atype == XdpAbi.IFLA_XDP_ATTACHED && payload.Length >= 1)
            {
                attached = payload[0];
            }
            else if (atype == XdpAbi.IFLA_XDP_PROG_ID && payload.Length >= 4)
            {
                id = BinaryPrimitives.ReadUInt32LittleEndian(payload);
            }

            nested = nested[Math.Min(nested.Length, (alen + 3) & ~3)..];
        }

        return new XdpLinkState(attached, id);
    }

    private static void ThrowIfError(ReadOnlySpan<byte> msg, string what)
    {
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(msg[4..]);
        if (type != NLMSG_ERROR)
        {
            return;
        }

        int error = BinaryPrimitives.ReadInt32LittleEndian(msg[NlMsgHdrSize..]);
        if (error != 0)
        {
            throw new LinuxException(what, -error);
        }
    }

    private static byte[] Request(int type, int ifIndex, ReadOnlySpan<byte> attrs, bool ack)
    {
        // ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; } + attributes
        var body = new byte[IfInfoMsgSize + attrs.Length];
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), ifIndex);
        attrs.CopyTo(body.AsSpan(IfInfoMsgSize));
        return Send((ushort)type, (ushort)(NLM_F_REQUEST | (ack ? NLM_F_ACK : 0)), body);
    }

    private static byte[] Send(ushort type, int flags, ReadOnlySpan<byte> body)
    {
        int fd = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
        {
            throw LinuxException.FromLast("socket(AF_NETLINK)");
        }

        try
        {
            int length = NlMsgHdrSize + body.Length;
            var request = new byte[length];
            var span = request.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
            BinaryPrimitives.WriteUInt16LittleEndian(span[4..], type);
            BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)flags);
            BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 1);
            body.CopyTo(span[NlMsgHdrSize..]);

            var kernel = new SockAddrNl { Family = Libc.AF_NETLINK };
            fixed (byte* p = request)
            {
                if (Libc.SendTo(fd, p, (nuint)length, 0, &kernel, (uint)sizeof(SockAddrNl)) < 0)
                {
                    throw LinuxException.FromLast("sendto(rtnetlink)");
                }
            }

            var reply = new byte[32768];
            fixed (byte* p = reply)
            {
                nint n = Libc.Recv(fd, p, (nuint)reply.Length, 0);
                if (n < NlMsgHdrSize + 4)
                {
                    throw n < 0 ? LinuxException.FromLast("recv(rtnetlink)") : new InvalidOperationException("short rtnetlink reply");
                }

                return reply[..(int)n];
            }
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }
}
