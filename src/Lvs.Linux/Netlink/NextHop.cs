namespace Lvs.Linux.Netlink;

/// <summary>What a route lookup found (RTN_* types the data path tells apart).</summary>
public enum NextHopKind : byte
{
    /// <summary>No route matched.</summary>
    None = 0,

    /// <summary>Forward: send to <see cref="NextHop.NextHopAddress"/> on <see cref="NextHop.IfIndex"/>.</summary>
    Unicast,

    /// <summary>The destination is one of this host's addresses: leave the packet to the kernel.</summary>
    Local,

    /// <summary>A broadcast address of an attached subnet.</summary>
    Broadcast,

    /// <summary>A blackhole route: drop silently.</summary>
    Blackhole,

    /// <summary>An unreachable (or throw) route: drop, ICMP host unreachable.</summary>
    Unreachable,

    /// <summary>A prohibit route: drop, ICMP administratively prohibited.</summary>
    Prohibit,
}

/// <summary>
/// The result of an IPv4 route lookup. Addresses are host byte order.
/// </summary>
/// <param name="IfIndex">Outgoing interface.</param>
/// <param name="NextHopAddress">The gateway, or the destination itself when it is on-link.</param>
/// <param name="PreferredSource">The route's preferred source, else an address of the outgoing interface, else 0.</param>
/// <param name="Mtu">The route's locked MTU, else the interface MTU.</param>
/// <param name="Kind">What kind of route matched.</param>
public readonly record struct NextHop(int IfIndex, uint NextHopAddress, uint PreferredSource, int Mtu, NextHopKind Kind);
