namespace Lvs.Linux.Netlink;

/// <summary>
/// The result of an IPv6 route lookup (<see cref="RoutingView.TryResolve6"/>).
/// </summary>
/// <param name="IfIndex">Outgoing interface.</param>
/// <param name="NextHopAddress">
/// The gateway, or the destination itself when it is on-link. IPv6 gateways are often
/// link-local (fe80::/10, e.g. learned from router advertisements): such an address is only
/// meaningful together with <paramref name="IfIndex"/>, which is how the neighbour cache keys it.
/// </param>
/// <param name="PreferredSource">
/// The route's preferred source, else an address chosen as the kernel's source selection
/// would (RFC 6724, simplified): for a global destination a non-link-local address, of the
/// outgoing interface when it has one, sharing the longest prefix with the destination; for a
/// link-local destination a link-local address of the outgoing interface; else ::.
/// </param>
/// <param name="Mtu">The route's locked MTU, else the interface MTU.</param>
/// <param name="Kind">What kind of route matched (anycast routes of the local table count as <see cref="NextHopKind.Local"/>).</param>
public readonly record struct NextHop6(int IfIndex, Ip6 NextHopAddress, Ip6 PreferredSource, int Mtu, NextHopKind Kind);
