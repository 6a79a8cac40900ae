namespace Lvs.Core.Sync;

/// <summary>
/// ip_vs's connection sync protocol, version 1 (net/netfilter/ipvs/ip_vs_sync.c), as the kernel
/// puts it on the wire: one UDP datagram per message, every multi-byte field big-endian.
/// </summary>
/// <remarks>
/// <code>
/// Message header (struct ip_vs_sync_mesg), 8 bytes. The first byte is 0 so that version 0
/// receivers (which read it as their connection count) ignore the message.
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      0        |    SyncID     |     Size (whole message)      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Count Conns  |  Version (1)  |    Spare, set to zero         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Connection entry (struct ip_vs_sync_v4 / ip_vs_sync_v6), each starting 32-bit aligned
/// (zero padding between entries, counted in Size, none after the last):
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    Type       |   Protocol    | Ver.  |        Size           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                             Flags                             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            State              |         cport                 |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            vport              |         dport                 |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                             fwmark                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                             timeout  (in sec.)                |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                              ...                              |
/// |                        IP-Addresses  (v4 or v6): c, v, d      |
/// |                              ...                              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// Optional parameters: | Param Type | Param Length | Param data ... |
///   1 = sequence data (struct ip_vs_sync_conn_options: in_seq, out_seq; each
///       init_seq, delta, previous_delta; 24 bytes), 2 = PE data, 3 = PE name;
///   a type with bit 6 (IPVS_OPT_F_PARAM) set may be skipped when unknown.
/// </code>
/// Type bit 0 is STYPE_F_INET6; the entry's Size (low 12 bits of ver_size) covers the
/// entry and its parameters; its version (high 4 bits) must be 0.
/// </remarks>
public static class SyncWire
{
    /// <summary>SYNC_PROTO_VER.</summary>
    public const byte Version = 1;

    public const int HeaderLength = 8;

    /// <summary>sizeof(struct ip_vs_sync_mesg_v0): the shortest datagram the kernel looks at.</summary>
    public const int MinimumLength = 4;

    /// <summary>sizeof(struct ip_vs_sync_v4).</summary>
    public const int V4EntryLength = 36;

    /// <summary>sizeof(struct ip_vs_sync_v6).</summary>
    public const int V6EntryLength = 72;

    /// <summary>sizeof(struct ip_vs_sync_conn_options): two struct ip_vs_seq.</summary>
    public const int SequenceOptionLength = 24;

    public const byte TypeInet6 = 1;
    public const int SizeMask = 0x0FFF;
    public const int VersionShift = 12;

    public const byte OptionSequence = 1;
    public const byte OptionPeData = 2;
    public const byte OptionPeName = 3;

    /// <summary>IPVS_OPT_F_PARAM: an unknown parameter with this bit is optional and skipped.</summary>
    public const byte OptionOptionalFlag = 1 << 6;

    /// <summary>IP_VS_PEDATA_MAXLEN.</summary>
    public const int PeDataMaxLength = 255;

    /// <summary>IP_VS_PENAME_MAXLEN.</summary>
    public const int PeNameMaxLength = 16;

    /// <summary>nr_conns is one byte.</summary>
    public const int MaxEntriesPerMessage = 255;

    /// <summary>The multicast group ip_vs uses by default (IP_VS_SYNC_GROUP).</summary>
    public const string DefaultGroup = "224.0.0.81";

    /// <summary>IP_VS_SYNC_PORT.</summary>
    public const ushort DefaultPort = 8848;

    /// <summary>IPv4 + UDP headers: maxlen defaults to the interface MTU minus these.</summary>
    public const int Ipv4UdpOverhead = 28;

    /// <summary>IPv6 + UDP headers.</summary>
    public const int Ipv6UdpOverhead = 48;

    /// <summary>The kernel's sync_maxlen default for a master: the sending interface's MTU less the IP and UDP headers.</summary>
    public static int DefaultMaxLength(int mtu, bool ipv6 = false) => mtu - (ipv6 ? Ipv6UdpOverhead : Ipv4UdpOverhead);

    /// <summary>A backup accepts at least a 1500-byte link's worth (max(mtu, 1500) less the headers).</summary>
    public static int BackupMaxLength(int mtu, bool ipv6 = false) => DefaultMaxLength(Math.Max(mtu, 1500), ipv6);
}

/// <summary>IP_VS_CONN_F_* (include/uapi/linux/ip_vs.h) as carried in an entry's Flags.</summary>
public static class IpvsConnFlags
{
    public const uint FwdMask = 0x0007;
    public const uint Masq = 0x0000;
    public const uint LocalNode = 0x0001;
    public const uint Tunnel = 0x0002;
    public const uint DirectRoute = 0x0003;
    public const uint Bypass = 0x0004;
    public const uint Sync = 0x0020;
    public const uint Hashed = 0x0040;
    public const uint NoOutput = 0x0080;
    public const uint Inactive = 0x0100;
    public const uint OutSeq = 0x0200;
    public const uint InSeq = 0x0400;
    public const uint SeqMask = 0x0600;
    public const uint NoClientPort = 0x0800;
    public const uint Template = 0x1000;
    public const uint OnePacket = 0x2000;

    /// <summary>IP_VS_CONN_F_BACKUP_MASK: what a backup takes from a received entry.</summary>
    public const uint BackupMask = FwdMask | NoOutput | Inactive | SeqMask | NoClientPort | Template;

    /// <summary>IP_VS_CONN_F_BACKUP_UPD_MASK: what an update may change on an existing entry.</summary>
    public const uint BackupUpdateMask = Inactive | SeqMask;
}
