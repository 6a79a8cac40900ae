using System.Runtime.InteropServices;
using Lvs.Contracts;
using Lvs.Core;
using Lvs.Core.Connections;
using Lvs.Core.Services;
using Lvs.Daemon.Control;
using Lvs.Daemon.DataPath;
using Lvs.Daemon.Web;
using Lvs.Linux;
using Lvs.Linux.Interop;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;
using Lvs.Linux.Steering;

namespace Lvs.Daemon;

/// <summary>How lvsd applies a control request: checks, the change, then the steering rules.</summary>
public sealed partial class DaemonHost
{
    private ControlResponse Apply(ControlHandler handler, ControlRequest request, ServiceTable services)
    {
        lock (_changeGate)
        {
            return ApplyLocked(handler, request, services);
        }
    }

    private ControlResponse ApplyLocked(ControlHandler handler, ControlRequest request, ServiceTable services)
    {
        if (Sync.SyncDaemon.Handles(request.Command))
        {
            return _sync!.Handle(request);
        }

        if (request.Command is Commands.AddServer or Commands.EditServer && request.Server is { } spec
            && Unreachable(spec) is { } why)
        {
            return ControlResponse.Fail(ControlError.Invalid, why);
        }

        if (request.Command == Commands.Batch && request.Batch is { } batch)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                if (batch[i].Command is Commands.AddServer or Commands.EditServer && batch[i].Server is { } s
                    && Unreachable(s) is { } reason)
                {
                    return ControlResponse.Fail(ControlError.Invalid, reason) with { FailedIndex = i };
                }
            }
        }

        bool reload = request.Command == Commands.Reload;
        if (reload)
        {
            _notify?.Reloading();
        }

        ControlResponse response = handler.Handle(request);
        if (reload)
        {
            Events.Add(response.Ok ? EventKinds.Reload : EventKinds.ReloadFailed,
                response.Ok ? "configuration reloaded" : $"reload refused: {response.Message}");
            _notify?.Ready(response.Ok ? "configuration reloaded" : "reload refused; the previous configuration stays");
        }

        bool mutating = request.Command is not (Commands.List or Commands.Drops or Commands.Zero or Commands.Connections or Commands.SetTimeouts);
        if (!response.Ok || !mutating)
        {
            return response;
        }

        Log.Info("configuration changed", ("command", request.Command), ("service", Describe(request)));
        if (!reload)
        {
            Events.Add(EventKinds.Config, $"{request.Command} {Describe(request)}".TrimEnd());
        }

        try
        {
            _steering!.Apply();
        }
        catch (FwmarkRuleException e)
        {
            Log.Error("marking rules for fwmark services refused; the previous ones stay in force", ("error", e.Message));
            if (request.Service?.Protocol == "fwmark")
            {
                return ControlResponse.Fail(ControlError.Internal, $"change applied, but the marking rules were refused: {e.Message}");
            }
        }
        catch (Exception e) when (e is NftException or IOException or ArgumentException)
        {
            Log.Error("steering rules not installed", ("error", e.Message));
            return ControlResponse.Fail(ControlError.Internal, $"change applied but steering rules failed: {e.Message}");
        }

        if (request.Command is Commands.Batch or Commands.Reload)
        {
            ResolveAllServers(services);
            return response;
        }

        PublishResolveTargets(services);
        if (request.Command == Commands.AddServer && request.Server is { } server
            && InetAddress.TryParse(server.Address, out InetAddress rip))
        {
            _worker!.RequestResolve(rip);
        }

        return response;
    }

    /// <summary>
    /// DR needs the real server on a directly connected network (only its MAC changes), TUN
    /// needs a route to it; both can be told when the server is added, so refuse it then.
    /// </summary>
    private string? Unreachable(RealServerSpec spec)
    {
        if (spec.Method is not ("route" or "tunnel") || !InetAddress.TryParse(spec.Address, out InetAddress address) || _mirror is null)
        {
            return null;
        }

        if (address.IsV6)
        {
            return Unreachable6(spec, address.V6);
        }

        uint rip = address.V4;

        if (!_mirror.Routing.TryResolve(rip, out NextHop hop))
        {
            return hop.Kind == NextHopKind.Local
                ? $"real server {spec.Address} is an address of the director itself"
                : $"no route to real server {spec.Address}";
        }

        if (spec.Method == "route" && hop.NextHopAddress != rip)
        {
            return $"direct routing needs real server {spec.Address} on a directly connected network, "
                   + $"but its route goes via {Ipv4.Format(hop.NextHopAddress)} (use -i to tunnel to it, or -m)";
        }

        return null;
    }

    private static string Describe(ControlRequest r) =>
        r.Service is null ? ""
        : (r.Service.Protocol == "fwmark" ? $"fwmark {r.Service.Fwmark}{(r.Service.Ipv6 ? " -6" : "")}" : $"{r.Service.Protocol} {HostPort(r.Service.Address, r.Service.Port)}") + (r.Server is null ? "" : $" -> {HostPort(r.Server.Address, r.Server.Port)}");

    // ipvsadm's form: IPv6 in brackets, so the port stays readable.
    private static string HostPort(string address, ushort port) => address.Contains(':') ? $"[{address}]:{port}" : $"{address}:{port}";

    private static IReadOnlyList<DropCount> PortDrops(IReadOnlyList<Port> ports)
    {
        ulong ring = 0, noBuffers = 0, tooBig = 0, other = 0;

        // PACKET_STATISTICS resets the kernel's counts on every read and the ring adds them up;
        // the control socket and the web listener read concurrently, so one at a time.
        lock (ports)
        {
            foreach (Port p in ports)
            {
                PortDrops d = p.Io.ReadDrops();
                ring += d.RxOverflow;
                noBuffers += d.TxNoBuffers;
                tooBig += d.TxTooBig;
                other += d.TxError;
            }
        }

        return
        [
            new DropCount("ring-overflow", ring),
            new DropCount("tx-no-buffers", noBuffers),
            new DropCount("tx-too-big", tooBig),
            new DropCount("tx-error", other),
        ];
    }

    private string? Unreachable6(RealServerSpec spec, Lvs.Core.Packets.Ipv6Address rip)
    {
        var target = new Ip6(rip.High, rip.Low);
        if (!_mirror!.Routing.TryResolve6(target, out NextHop6 hop))
        {
            return hop.Kind == NextHopKind.Local
                ? $"real server {spec.Address} is an address of the director itself"
                : $"no route to real server {spec.Address}";
        }

        if (spec.Method == "route" && hop.NextHopAddress != target)
        {
            return $"direct routing needs real server {spec.Address} on a directly connected network, "
                   + $"but its route goes via {hop.NextHopAddress} (use -i to tunnel to it, or -m)";
        }

        return null;
    }
}
