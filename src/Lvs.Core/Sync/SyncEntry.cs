using Lvs.Core.Packets;

namespace Lvs.Core.Sync;

/// <summary>One struct ip_vs_seq (TCP sequence adjustment), host order.</summary>
public record struct SyncSequence(uint InitialSequence, uint Delta, uint PreviousDelta);

/// <summary>
/// One connection entry of a version 1 sync message, in host order. Addresses are IPv6; an
/// IPv4 entry carries them IPv4-mapped (<see cref="Ipv6Address.FromIPv4"/>).
/// </summary>
public struct SyncEntry
{
    public bool IsIPv6;

    /// <summary>The IP protocol number (6 TCP, 17 UDP; 0 for a fwmark template).</summary>
    public byte Protocol;

    /// <summary>IP_VS_CONN_F_* (<see cref="IpvsConnFlags"/>).</summary>
    public uint Flags;

    /// <summary>The protocol's state number (IP_VS_TCP_S_*, 0 for UDP and templates).</summary>
    public ushort State;

    public ushort ClientPort;
    public ushort VirtualPort;
    public ushort DestPort;
    public uint Fwmark;

    /// <summary>The connection's current timeout in seconds (cp->timeout / HZ), not the time left.</summary>
    public uint TimeoutSeconds;

    public Ipv6Address ClientAddress;
    public Ipv6Address VirtualAddress;
    public Ipv6Address DestAddress;

    /// <summary>Whether the sequence option is present (IP_VS_CONN_F_SEQ_MASK on the sender).</summary>
    public bool HasSequence;

    public SyncSequence InSequence;
    public SyncSequence OutSequence;

    public readonly bool IsTemplate => (Flags & IpvsConnFlags.Template) != 0;

    /// <summary>The bytes this entry takes on the wire, before alignment padding.</summary>
    public readonly int WireLength =>
        (IsIPv6 ? SyncWire.V6EntryLength : SyncWire.V4EntryLength) + (HasSequence ? SyncWire.SequenceOptionLength + 2 : 0);
}
