namespace Lvs.Linux.Netlink;

/// <summary>
/// Receives decoded rtnetlink objects, from a dump or from events. Calls arrive on the thread
/// that called <see cref="RtNetlinkSocket.DrainEvents"/> or a dump, one at a time, in kernel order.
/// </summary>
public interface INetlinkEventSink
{
    /// <summary>RTM_NEWLINK (<paramref name="removed"/> false) or RTM_DELLINK.</summary>
    void OnLink(LinkInfo link, bool removed);

    /// <summary>RTM_NEWADDR or RTM_DELADDR.</summary>
    void OnAddress(AddressInfo address, bool removed);

    /// <summary>RTM_NEWROUTE or RTM_DELROUTE (all tables; filter on <see cref="RouteInfo.Table"/>).</summary>
    void OnRoute(RouteInfo route, bool removed);

    /// <summary>RTM_NEWNEIGH or RTM_DELNEIGH.</summary>
    void OnNeighbour(NeighbourInfo neighbour, bool removed);

    /// <summary>
    /// The kernel dropped events (ENOBUFS on the event socket): the sink's picture is stale
    /// and must be rebuilt from fresh dumps.
    /// </summary>
    void OnOverrun();
}
