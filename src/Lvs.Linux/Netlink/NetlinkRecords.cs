using System.Net;
using System.Net.Sockets;

namespace Lvs.Linux.Netlink;

/// <summary>A network interface as RTM_NEWLINK describes it.</summary>
/// <param name="Index">Interface index (ifindex).</param>
/// <param name="Name">Interface name (IFLA_IFNAME), empty if absent.</param>
/// <param name="Mac">Hardware address (IFLA_ADDRESS); zero for devices without one.</param>
/// <param name="Mtu">IFLA_MTU, 0 if absent.</param>
/// <param name="Flags">IFF_* flags (linux/if.h).</param>
public sealed record LinkInfo(int Index, string Name, MacAddress Mac, int Mtu, uint Flags)
{
    /// <summary>IFF_UP: administratively up.</summary>
    public bool IsUp => (Flags & Interop.Netlink.IFF_UP) != 0;

    /// <summary>IFF_LOOPBACK.</summary>
    public bool IsLoopback => (Flags & Interop.Netlink.IFF_LOOPBACK) != 0;

    /// <summary>IFF_LOWER_UP: carrier present.</summary>
    public bool IsLowerUp => (Flags & Interop.Netlink.IFF_LOWER_UP) != 0;
}

/// <summary>An interface address as RTM_NEWADDR describes it.</summary>
/// <param name="IfIndex">Interface the address is on.</param>
/// <param name="Address">The local address (IFA_LOCAL, else IFA_ADDRESS).</param>
/// <param name="PrefixLength">Prefix length of the attached subnet.</param>
public sealed record AddressInfo(int IfIndex, IPAddress Address, int PrefixLength)
{
    /// <summary>InterNetwork or InterNetworkV6.</summary>
    public AddressFamily Family => Address.AddressFamily;
}

/// <summary>Route types (RTN_* in linux/rtnetlink.h).</summary>
public enum RouteType : byte
{
    Unspecified = 0,
    Unicast = 1,
    Local = 2,
    Broadcast = 3,
    Anycast = 4,
    Multicast = 5,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
    Throw = 9,
    Nat = 10,
}

/// <summary>A route as RTM_NEWROUTE describes it.</summary>
/// <param name="Family">InterNetwork or InterNetworkV6.</param>
/// <param name="Destination">Destination prefix (RTA_DST); the unspecified address for a default route.</param>
/// <param name="DestinationLength">Prefix length; 0 for a default route.</param>
/// <param name="Gateway">RTA_GATEWAY (first hop of a multipath route), null when on-link.</param>
/// <param name="OutputIfIndex">RTA_OIF (first hop of a multipath route), 0 if absent.</param>
/// <param name="PreferredSource">RTA_PREFSRC, null if absent.</param>
/// <param name="Priority">RTA_PRIORITY, the metric; lower wins.</param>
/// <param name="Type">Route type.</param>
/// <param name="Table">Routing table id (RTA_TABLE, else rtm_table).</param>
/// <param name="Mtu">RTAX_MTU from RTA_METRICS, 0 when the route does not lock one.</param>
public sealed record RouteInfo(
    AddressFamily Family,
    IPAddress Destination,
    int DestinationLength,
    IPAddress? Gateway,
    int OutputIfIndex,
    IPAddress? PreferredSource,
    uint Priority,
    RouteType Type,
    uint Table,
    int Mtu);

/// <summary>Neighbour states (NUD_* in linux/neighbour.h), a bit set.</summary>
[Flags]
public enum NeighbourState : ushort
{
    None = 0,
    Incomplete = 0x01,
    Reachable = 0x02,
    Stale = 0x04,
    Delay = 0x08,
    Probe = 0x10,
    Failed = 0x20,
    NoArp = 0x40,
    Permanent = 0x80,
}

/// <summary>A neighbour cache entry as RTM_NEWNEIGH describes it.</summary>
/// <param name="IfIndex">Interface the neighbour is on.</param>
/// <param name="Address">Its IP address (NDA_DST).</param>
/// <param name="Mac">Its link-layer address (NDA_LLADDR); zero when unknown.</param>
/// <param name="State">NUD state bits.</param>
public sealed record NeighbourInfo(int IfIndex, IPAddress Address, MacAddress Mac, NeighbourState State)
{
    /// <summary>
    /// True when the MAC may be used to send: known and not INCOMPLETE/FAILED
    /// (STALE/DELAY/PROBE still carry the last known address, as the kernel itself uses them).
    /// </summary>
    public bool IsUsable => !Mac.IsZero
        && (State & (NeighbourState.Incomplete | NeighbourState.Failed)) == 0
        && State != NeighbourState.None;
}
