namespace Lvs.Linux.Netlink;

// The IPv6 half of the snapshot: the same local-then-main longest-prefix match as IPv4, over
// 128-bit prefixes, plus source address selection, which in IPv6 depends on the destination
// (not only on the route) and so runs at lookup time over the few interface addresses.
public sealed partial class RoutingView
{
    private readonly V6Tables _v6;

    /// <summary>Number of IPv6 prefixes held (local and main tables).</summary>
    public int Count6 => _v6.Local.Count + _v6.Main.Count;

    /// <summary>Longest-prefix match of an IPv6 <paramref name="destination"/> over the local, then the main table.</summary>
    /// <returns>
    /// True only when the packet can be forwarded (<see cref="NextHopKind.Unicast"/>). Otherwise
    /// <paramref name="hop"/>.Kind says why: <see cref="NextHopKind.Local"/> for this host's own
    /// (and anycast) addresses, <see cref="NextHopKind.None"/> without a route, or the reject type.
    /// </returns>
    /// <remarks>
    /// A link-local destination matches the fe80::/64 route of some interface (the lowest index
    /// among equal metrics): such destinations need the interface they came from, not a lookup.
    /// </remarks>
    public bool TryResolve6(in Ip6 destination, out NextHop6 hop)
    {
        var v6 = _v6;
        if (!v6.Local.TryMatch(destination, out var route) && !v6.Main.TryMatch(destination, out route))
        {
            hop = default;
            return false;
        }

        // An on-link route stores no gateway: the destination itself is the next hop.
        var nextHop = route.Gateway.IsUnspecified ? destination : route.Gateway;
        var source = route.HasPreferredSource ? route.PreferredSource : v6.SelectSource(route.IfIndex, destination);
        hop = new NextHop6(route.IfIndex, nextHop, source, route.Mtu, route.Kind);
        return route.Kind == NextHopKind.Unicast;
    }

    /// <summary>True when <paramref name="address"/> is one of this host's own IPv6 addresses (a local or anycast route).</summary>
    public bool IsLocal6(in Ip6 address) => _v6.Local.TryMatch(address, out var route) && route.Kind == NextHopKind.Local;

    // Anycast routes live in the local table (e.g. the subnet-router anycast address of a
    // forwarding host): the kernel delivers them locally. Multicast routes are not forwarding
    // state the data path uses and are left out.
    private static NextHopKind KindOf6(RouteType type) => type == RouteType.Anycast ? NextHopKind.Local : KindOf(type);

    private static V6Tables BuildV6(Dictionary<int, LinkInfo> linkById, List<AddressInfo> addresses, List<RouteInfo> routes)
    {
        var local = new Dictionary<(int Length, Ip6 Prefix), (uint Priority, int IfIndex, Route6 Route)>();
        var main = new Dictionary<(int Length, Ip6 Prefix), (uint Priority, int IfIndex, Route6 Route)>();
        foreach (var route in routes)
        {
            var kind = KindOf6(route.Type);
            if (kind == NextHopKind.None)
            {
                continue;
            }

            linkById.TryGetValue(route.OutputIfIndex, out var link);
            if (link is not null && !link.IsUp && kind is NextHopKind.Unicast)
            {
                continue;
            }

            var destination = Ip6.FromIPAddress(route.Destination).Mask(route.DestinationLength);
            var entry = new Route6(
                route.OutputIfIndex,
                route.Gateway is null ? default : Ip6.FromIPAddress(route.Gateway),
                route.PreferredSource is null ? default : Ip6.FromIPAddress(route.PreferredSource),
                route.PreferredSource is not null,
                route.Mtu > 0 ? route.Mtu : link?.Mtu ?? 0,
                kind);

            // IPv6 keeps one fe80::/64 (and often other prefixes) per interface at the same
            // metric: lowest metric first, then lowest interface index, so rebuilds agree.
            var table = route.Table == Interop.Netlink.RT_TABLE_LOCAL ? local : main;
            var key = (route.DestinationLength, destination);
            if (!table.TryGetValue(key, out var existing)
                || route.Priority < existing.Priority
                || (route.Priority == existing.Priority && route.OutputIfIndex < existing.IfIndex))
            {
                table[key] = (route.Priority, route.OutputIfIndex, entry);
            }
        }

        var sources = addresses
            .Select(a => (a.IfIndex, Address: Ip6.FromIPAddress(a.Address)))
            .Where(a => !a.Address.IsMulticast && !a.Address.IsUnspecified)
            .OrderBy(a => a.IfIndex).ThenBy(a => a.Address)
            .ToArray();
        return new V6Tables(
            Prefix6Table.Create(local.ToDictionary(r => r.Key, r => r.Value.Route)),
            Prefix6Table.Create(main.ToDictionary(r => r.Key, r => r.Value.Route)),
            [.. sources.Select(s => s.IfIndex)],
            [.. sources.Select(s => s.Address)]);
    }

    /// <summary>What a matched IPv6 prefix forwards to; the source is chosen per destination unless fixed.</summary>
    private readonly record struct Route6(int IfIndex, Ip6 Gateway, Ip6 PreferredSource, bool HasPreferredSource, int Mtu, NextHopKind Kind);

    private sealed class V6Tables(Prefix6Table local, Prefix6Table main, int[] sourceIfIndexes, Ip6[] sources)
    {
        public static V6Tables Empty { get; } = new(Prefix6Table.Empty, Prefix6Table.Empty, [], []);

        public Prefix6Table Local { get; } = local;

        public Prefix6Table Main { get; } = main;

        // RFC 6724 source selection as far as the view can see (no address flags in the
        // dumps we keep): rule 1 the destination itself; rule 2 scope (link-local sources
        // only for link-local destinations, which must also stay on their interface, and
        // never for global ones); rule 5 the outgoing interface; rule 8 the longest
        // common prefix; then the lowest address, so the answer is stable.
        public Ip6 SelectSource(int ifIndex, in Ip6 destination)
        {
            var linkLocal = destination.IsLinkLocal;
            var best = -1;
            var bestScore = -1;
            for (var i = 0; i < sources.Length; i++)
            {
                var candidate = sources[i];
                if (candidate == destination)
                {
                    return candidate;
                }

                var sameInterface = sourceIfIndexes[i] == ifIndex;
                if (candidate.IsLinkLocal != linkLocal || (linkLocal && !sameInterface) || (candidate.IsLoopback && !destination.IsLoopback))
                {
                    continue;
                }

                var score = (sameInterface ? 256 : 0) + candidate.CommonPrefixLength(destination);
                if (score > bestScore)
                {
                    best = i;
                    bestScore = score;
                }
            }

            return best < 0 ? default : sources[best];
        }
    }

    /// <summary>Sorted IPv6 prefixes grouped by length, longest length first.</summary>
    private sealed class Prefix6Table
    {
        private readonly int[] _lengths;
        private readonly int[] _starts;
        private readonly Ip6[] _prefixes;
        private readonly Route6[] _routes;

        private Prefix6Table(int[] lengths, int[] starts, Ip6[] prefixes, Route6[] routes)
        {
            _lengths = lengths;
            _starts = starts;
            _prefixes = prefixes;
            _routes = routes;
        }

        public static Prefix6Table Empty { get; } = new([], [0], [], []);

        public int Count => _prefixes.Length;

        public static Prefix6Table Create(Dictionary<(int Length, Ip6 Prefix), Route6> routes)
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
            return new Prefix6Table([.. lengths], [.. starts], [.. ordered.Select(r => r.Key.Prefix)], [.. ordered.Select(r => r.Value)]);
        }

        public bool TryMatch(in Ip6 destination, out Route6 route)
        {
            var lengths = _lengths;
            for (var i = 0; i < lengths.Length; i++)
            {
                var found = Search(_starts[i], _starts[i + 1], destination.Mask(lengths[i]));
                if (found >= 0)
                {
                    route = _routes[found];
                    return true;
                }
            }

            route = default;
            return false;
        }

        // Binary search of [low, high) in _prefixes; written out so no comparer is involved.
        private int Search(int low, int high, Ip6 key)
        {
            var prefixes = _prefixes;
            high--;
            while (low <= high)
            {
                var middle = low + ((high - low) >> 1);
                var order = prefixes[middle].CompareTo(key);
                if (order == 0)
                {
                    return middle;
                }

                if (order < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return -1;
        }
    }
}
