using System.Net;
using System.Net.Sockets;

namespace Lvs.Linux.Netlink;

/// <summary>
/// Keeps a copy of the kernel's links, addresses and routes, and feeds a <see cref="NeighbourCache"/>,
/// from dumps and then events, IPv4 and IPv6. After each batch of changes it rebuilds the <see cref="RoutingView"/>
/// and publishes it with one reference write, so data-path threads always see a whole snapshot.
/// </summary>
/// <remarks>
/// One control thread calls <see cref="Load"/> and <see cref="Refresh"/> (and so the sink
/// methods); any thread may read <see cref="Routing"/>, <see cref="Neighbours"/> and <see cref="TryGetLink"/>.
/// </remarks>
public sealed class NetlinkMirror : INetlinkEventSink
{
    private readonly Dictionary<(int Index, IPAddress Address, int Prefix), AddressInfo> _addresses = [];
    private readonly Dictionary<(uint Table, IPAddress Destination, int Length, uint Priority), RouteInfo> _routes = [];

    // IPv6 keeps the same prefix and metric on several interfaces at once (fe80::/64 on every
    // link, a subnet reached over two links): the interface is part of the key.
    private readonly Dictionary<(uint Table, IPAddress Destination, int Length, uint Priority, int IfIndex), RouteInfo> _routes6 = [];
    private Dictionary<int, LinkInfo> _links = [];
    private RoutingView _view = RoutingView.Empty;
    private bool _dirty;
    private bool _overrun;

    /// <summary>Creates a mirror feeding <paramref name="neighbours"/> (a new cache if null).</summary>
    public NetlinkMirror(NeighbourCache? neighbours = null) => Neighbours = neighbours ?? new NeighbourCache();

    /// <summary>The current routing snapshot.</summary>
    public RoutingView Routing => Volatile.Read(ref _view);

    /// <summary>The neighbour cache kept current from the kernel's.</summary>
    public NeighbourCache Neighbours { get; }

    /// <summary>Times the routing view was rebuilt.</summary>
    public int Generation { get; private set; }

    /// <summary>Looks up an interface by index in the last published link set.</summary>
    public bool TryGetLink(int ifIndex, out LinkInfo? link) => Volatile.Read(ref _links).TryGetValue(ifIndex, out link);

    /// <summary>Looks up an interface by name in the last published link set.</summary>
    public LinkInfo? FindLink(string name) => Volatile.Read(ref _links).Values.FirstOrDefault(l => l.Name == name);

    /// <summary>The addresses currently known (a copy; call on the control thread).</summary>
    public IReadOnlyList<AddressInfo> Addresses => [.. _addresses.Values];

    /// <summary>
    /// Replaces all state with fresh dumps and publishes a new view. Open <paramref name="socket"/>
    /// with event groups so that <see cref="Refresh"/> can follow changes from here on.
    /// </summary>
    public void Load(RtNetlinkSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);

        var links = new Dictionary<int, LinkInfo>();
        foreach (var link in socket.DumpLinks())
        {
            links[link.Index] = link;
        }

        _addresses.Clear();
        foreach (var address in socket.DumpAddresses())
        {
            OnAddress(address, false);
        }

        _routes.Clear();
        _routes6.Clear();
        foreach (var route in socket.DumpRoutes())
        {
            OnRoute(route, false);
        }

        Neighbours.Clear();
        foreach (var neighbour in socket.DumpNeighbours())
        {
            Neighbours.Apply(neighbour, false);
        }

        Volatile.Write(ref _links, links);
        _overrun = false;
        Publish();
    }

    /// <summary>
    /// Applies queued events (non-blocking); reloads everything if the kernel dropped some;
    /// publishes a new view when links, addresses or routes changed.
    /// </summary>
    public void Refresh(RtNetlinkSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.DrainEvents(this);
        if (_overrun)
        {
            Load(socket);
        }
        else if (_dirty)
        {
            Publish();
        }
    }

    /// <inheritdoc/>
    public void OnLink(LinkInfo link, bool removed)
    {
        // Copy-on-write: readers enumerate the published dictionary without a lock.
        var links = new Dictionary<int, LinkInfo>(_links);
        if (removed)
        {
            links.Remove(link.Index);
        }
        else
        {
            links[link.Index] = link;
        }

        Volatile.Write(ref _links, links);
        _dirty = true;
    }

    /// <inheritdoc/>
    public void OnAddress(AddressInfo address, bool removed)
    {
        var key = (address.IfIndex, address.Address, address.PrefixLength);
        if (removed)
        {
            _addresses.Remove(key);
        }
        else
        {
            _addresses[key] = address;
        }

        _dirty = true;
    }

    /// <inheritdoc/>
    public void OnRoute(RouteInfo route, bool removed)
    {
        if (route.Table is not (Interop.Netlink.RT_TABLE_MAIN or Interop.Netlink.RT_TABLE_LOCAL))
        {
            return;
        }

        if (route.Family == AddressFamily.InterNetworkV6)
        {
            var key6 = (route.Table, route.Destination, route.DestinationLength, route.Priority, route.OutputIfIndex);
            if (removed)
            {
                _routes6.Remove(key6);
            }
            else
            {
                _routes6[key6] = route;
            }

            _dirty = true;
            return;
        }

        var key = (route.Table, route.Destination, route.DestinationLength, route.Priority);
        if (removed)
        {
            _routes.Remove(key);
        }
        else
        {
            _routes[key] = route;
        }

        _dirty = true;
    }

    /// <inheritdoc/>
    public void OnNeighbour(NeighbourInfo neighbour, bool removed) => Neighbours.Apply(neighbour, removed);

    /// <inheritdoc/>
    public void OnOverrun() => _overrun = true;

    private void Publish()
    {
        var view = RoutingView.Build(_links.Values, _addresses.Values, _routes.Values.Concat(_routes6.Values));
        Volatile.Write(ref _view, view);
        _dirty = false;
        Generation++;
    }
}
