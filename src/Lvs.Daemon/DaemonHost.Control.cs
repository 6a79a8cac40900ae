using System.Runtime.InteropServices;
using Lvs.Contracts;
using Lvs.Core;
using Lvs.Core.Connections;
using Lvs.Core.Services;
using Lvs.Daemon.Control;
using Lvs.Daemon.DataPath;
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

        ControlResponse response = handler.Handle(request);
        bool mutating = request.Command is not (Commands.List or Commands.Drops or Commands.Zero or Commands.Connections or Commands.SetTimeouts);
        if (!response.Ok || !mutating)
        {
            return response;
        }

        Log.Info("configuration changed", ("command", request.Command), ("service", Describe(request)));
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

        if (request.Command == Commands.AddServer && request.Server is { } server
            && Ipv4.TryParse(server.Address, out uint rip))
        {
            _worker!.RequestResolve(rip);
        }
        else if (request.Command is Commands.Batch or Commands.Reload)
        {
            ResolveAllServers(services);
        }

        return response;
    }

    /// <summary>
    /// DR needs the real server on a directly connected network (only its MAC changes), TUN
    /// needs a route to it; both can be told when the server is added, so refuse it then.
    /// </summary>
    private string? Unreachable(RealServerSpec spec)
    {
        if (spec.Method is not ("route" or "tunnel") || !Ipv4.TryParse(spec.Address, out uint rip) || _mirror is null)
        {
            return null;
        }

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
        r.Service is null ? "" : $"{r.Service.Protocol} {r.Service.Address}:{r.Service.Port}" + (r.Server is null ? "" : $" -> {r.Server.Address}:{r.Server.Port}");

    private static IReadOnlyList<DropCount> PortDrops(IReadOnlyList<Port> ports)
    {
        ulong ring = 0, noBuffers = 0, tooBig = 0, other = 0;
        foreach (Port p in ports)
        {
            PortDrops d = p.Io.ReadDrops();
            ring += d.RxOverflow;
            noBuffers += d.TxNoBuffers;
            tooBig += d.TxTooBig;
            other += d.TxError;
        }

        return
        [
            new DropCount("ring-overflow", ring),
            new DropCount("tx-no-buffers", noBuffers),
            new DropCount("tx-too-big", tooBig),
            new DropCount("tx-error", other),
        ];
    }
}
