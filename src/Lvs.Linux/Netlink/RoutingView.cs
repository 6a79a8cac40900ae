using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Lvs.Linux.Netlink;

/// <summary>
/// An immutable IPv4 and IPv6 forwarding snapshot: the local and main tables of the kernel, as the
/// default policy rules consult them (local first, then main). Built on the control thread
/// from dumps and events and published by reference swap; lookups from any number of
/// threads allocate nothing and take no lock.
/// </summary>
/// <remarks>
/// Each table is a set of sorted prefix arrays, one per prefix length present, searched from
/// the longest length down (at most 33 binary searches for IPv4, 129 for IPv6, usually a handful).
/// </remarks>
public sealed partial class RoutingView
{
    private readonly PrefixTable _local;
    private readonly PrefixTable _main;

    private RoutingView(PrefixTable local, PrefixTable main, V6Tables v6)
    {
        _local = local;
        _main = main;
        _v6 = v6;
    }

    /// <summary>A view with no routes: every lookup fails with <see cref="NextHopKind.None"/>.</summary>
    public static RoutingView Empty { get; } = new(PrefixTable.Empty, PrefixTable.Empty, V6Tables.Empty);

    /// <summary>Number of IPv4 prefixes held (local and main tables).</summary>
    public int Count => _local.Count + _main.Count;

    /// <summary>
    /// Longest-prefix match of <paramref name="destination"/> (host byte order).
    /// </summary>
    /// <returns>
    /// True only when the packet can be forwarded (<see cref="NextHopKind.Unicast"/>). Otherwise
    /// <paramref name="hop"/>.Kind says why: <see cref="NextHopKind.Local"/> for this host's own
    /// addresses, <see cref="NextHopKind.None"/> without a route, or the reject type.
    /// </returns>
    public bool TryResolve(uint destination, out NextHop hop)
    {
        if (!_local.TryMatch(destination, out hop) && !_main.TryMatch(destination, out hop))
        {
            hop = default;
            return false;
        }

        if (hop.Kind != NextHopKind.Unicast)
        {
            return false;
        }

        // An on-link route stores next hop 0: the destination itself is the next hop.
        if (hop.NextHopAddress == 0)
        {
            hop = hop with { NextHopAddress = destination };
        }

        return true;
    }

    /// <summary>True when <paramref name="address"/> (host order) is one of this host's own (a local route).</summary>
    public bool IsLocal(uint address) => _local.TryMatch(address, out var hop) && hop.Kind == NextHopKind.Local;

    /// <summary>
    /// Builds a view from dumped (or event-maintained) kernel state. Only routes of the main and
    /// local tables are used (IPv4 for <see cref="TryResolve"/>, IPv6 for <see cref="TryResolve6"/>);
    /// routes over interfaces that are down are left out. Among routes for the same prefix the
    /// lowest metric wins.
    /// </summary>
    public static RoutingView Build(IEnumerable<LinkInfo> links, IEnumerable<AddressInfo> addresses, IEnumerable<RouteInfo> routes)
    {
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(routes);

        var linkById = new Dictionary<int, LinkInfo>();
        foreach (var link in links)
        {
            linkById[link.Index] = link;
        }

        var v4 = new List<(int IfIndex, uint Address, uint Mask)>();
        var v6Addresses = new List<AddressInfo>();
        foreach (var address in addresses)
        {
            if (address.Family == AddressFamily.InterNetwork)
            {
                v4.Add((address.IfIndex, ToUInt32(address.Address), Mask(address.PrefixLength)));
            }
            else if (address.Family == AddressFamily.InterNetworkV6)
            {
                v6Addresses.Add(address);
            }
        }

        var local = new Dictionary<(int Length, uint Prefix), (uint Priority, NextHop Hop)>();
        var main = new Dictionary<(int Length, uint Prefix), (uint Priority, NextHop Hop)>();
        var v6Routes = new List<RouteInfo>();
        foreach (var route in routes)
        {
            if (route.Family == AddressFamily.InterNetworkV6
                && route.Table is Interop.Netlink.RT_TABLE_MAIN or Interop.Netlink.RT_TABLE_LOCAL)
            {
                v6Routes.Add(route);
                continue;
            }

            if (route.Family != AddressFamily.InterNetwork
                || route.Table is not (Interop.Netlink.RT_TABLE_MAIN or Interop.Netlink.RT_TABLE_LOCAL))
            {
                continue;
            }

            var kind = KindOf(route.Type);
            if (kind == NextHopKind.None)
            {
                continue;
            }

            linkById.TryGetValue(route.OutputIfIndex, out var link);
            if (link is not null && !link.IsUp && kind is NextHopKind.Unicast)
            {
                continue;
            }

            var gateway = route.Gateway is null ? 0u : ToUInt32(route.Gateway);
            var destination = ToUInt32(route.Destination) & Mask(route.DestinationLength);
            var source = route.PreferredSource is null
                ? PickSource(v4, route.OutputIfIndex, gateway != 0 ? gateway : destination)
                : ToUInt32(route.PreferredSource);
            var mtu = route.Mtu > 0 ? route.Mtu : link?.Mtu ?? 0;
            var hop = new NextHop(route.OutputIfIndex, gateway, source, mtu, kind);

            var table = route.Table == Interop.Netlink.RT_TABLE_LOCAL ? local : main;
            var key = (route.DestinationLength, destination);
            if (!table.TryGetValue(key, out var existing) || route.Priority < existing.Priority)
            {
                table[key] = (route.Priority, hop);
            }
        }

        return new RoutingView(PrefixTable.Create(local), PrefixTable.Create(main), BuildV6(linkById, v6Addresses, v6Routes));
    }

    /// <summary>An IPv4 address as a host-order uint (the value ReadUInt32BigEndian gives from the wire).</summary>
    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily != AddressFamily.InterNetwork || !address.TryWriteBytes(bytes, out _))
        {
            throw new ArgumentException("not an IPv4 address", nameof(address));
        }

        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>The IPAddress for a host-order IPv4 uint.</summary>
    public static IPAddress ToIPAddress(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }

    internal static uint Mask(int length) => length <= 0 ? 0 : length >= 32 ? uint.MaxValue : uint.MaxValue << (32 - length);

    private static NextHopKind KindOf(RouteType type) => type switch
    {
        RouteType.Unicast => NextHopKind.Unicast,
        RouteType.Local => NextHopKind.Local,
        RouteType.Broadcast => NextHopKind.Broadcast,
        RouteType.Blackhole => NextHopKind.Blackhole,
        RouteType.Unreachable or RouteType.Throw => NextHopKind.Unreachable,
        RouteType.Prohibit => NextHopKind.Prohibit,
        _ => NextHopKind.None,
    };

    // The kernel's choice without a prefsrc (inet_select_addr): an address of the outgoing
    // interface in the same subnet as the next hop, else the interface's first address.
    private static uint PickSource(List<(int IfIndex, uint Address, uint Mask)> addresses, int ifIndex, uint nextHop)
    {
        uint first = 0;
        foreach (var (index, address, mask) in addresses)
        {
            if (index != ifIndex)
            {
                continue;
            }

            if ((address & mask) == (nextHop & mask))
            {
                return address;
            }

            if (first == 0)
            {
                first = address;
            }
        }

        return first;
    }

    /// <summary>Sorted prefixes grouped by length, longest length first.</summary>
    private sealed class PrefixTable
    {
        private readonly int[] _lengths;
        private readonly int[] _starts;
        private readonly uint[] _prefixes;
        private readonly NextHop[] _hops;

        private PrefixTable(int[] lengths, int[] starts, uint[] prefixes, NextHop[] hops)
        {
            _lengths = lengths;
            _starts = starts;
            _prefixes = prefixes;
            _hops = hops;
        }

        public static PrefixTable Empty { get; } = new([], [0], [], []);

        public int Count => _prefixes.Length;

        public static PrefixTable Create(Dictionary<(int Length, uint Prefix), (uint Priority, NextHop Hop)> routes)
        {
            var ordered = routes.OrderByDescending(r => r.Key.Length).ThenBy(r => r.Key.Prefix).ToArray();
            var lengths = new List<int>();
            var starts = new List<int>();
            for (var i = 0; i < ordered.Length; i++)
            {
                if (i == 0 || ordered[i].Key.Length != ordered[i - 1].Key.Length)
                {
                    lengths.Add(ordered[i].Key.Length);
                    starts.Add(i);
                }
            }

            starts.Add(ordered.Length);
            return new PrefixTable(
                [.. lengths],
                [.. starts],
                [.. ordered.Select(r => r.Key.Prefix)],
                [.. ordered.Select(r => r.Value.Hop)]);
        }

        public bool TryMatch(uint destination, out NextHop hop)
        {
            var lengths = _lengths;
            for (var i = 0; i < lengths.Length; i++)
            {
                var start = _starts[i];
                var key = destination & Mask(lengths[i]);
                var found = Array.BinarySearch(_prefixes, start, _starts[i + 1] - start, key);
                if (found >= 0)
                {
                    hop = _hops[found];
                    return true;
                }
            }

            hop = default;
            return false;
        }
    }
}
