using Lvs.Contracts;
using Lvs.Core;
using Lvs.Core.Services;
using Lvs.Daemon.Control;
using WireKey = Lvs.Contracts.ServiceKey;

namespace Lvs.Daemon.Tests.Control;

public class ControlHandlerTests
{
    private static readonly WireKey Vip = new("tcp", "192.0.2.10", 80);

    private readonly ServiceTable _services = new(workers: 1);
    private readonly ControlHandler _handler;

    public ControlHandlerTests()
    {
        _handler = new ControlHandler(_services, [new Director(_services)]);
    }

    private ControlResponse Send(string command, WireKey? key = null, string? scheduler = null, RealServerSpec? server = null) =>
        _handler.Handle(new ControlRequest
        {
            Command = command,
            Service = key,
            Options = scheduler is null ? null : new ServiceOptions(scheduler),
            Server = server,
        });

    [Fact]
    public void AddServiceAndServers_ListShowsThemNewestFirstAsIpvs()
    {
        Assert.True(Send(Commands.AddService, Vip, "rr").Ok);
        Assert.True(Send(Commands.AddServer, Vip, server: new RealServerSpec("10.0.0.11", 80, "masq", 1)).Ok);
        Assert.True(Send(Commands.AddServer, Vip, server: new RealServerSpec("10.0.0.12", 0, "masq", 3)).Ok);

        StatusSnapshot status = Send(Commands.List).Status!;
        ServiceStatus svc = Assert.Single(status.Services);
        Assert.Equal(Vip, svc.Key);
        Assert.Equal("rr", svc.Scheduler);
        Assert.Collection(
            svc.Servers,
            s => Assert.Equal(("10.0.0.12", (ushort)80, "masq", 3), (s.Address, s.Port, s.Method, s.Weight)),
            s => Assert.Equal(("10.0.0.11", (ushort)80, "masq", 1), (s.Address, s.Port, s.Method, s.Weight)));
        Assert.Equal("1.2.1", status.Version);
    }

    [Fact]
    public void AddService_Twice_ServiceExists()
    {
        Assert.True(Send(Commands.AddService, Vip, "rr").Ok);
        ControlResponse r = Send(Commands.AddService, Vip, "wrr");
        Assert.False(r.Ok);
        Assert.Equal(ControlError.ServiceExists, r.Error);
        Assert.Equal("rr", Send(Commands.List).Status!.Services[0].Scheduler);
    }

    [Fact]
    public void EditService_ChangesScheduler_KeepsServers()
    {
        Send(Commands.AddService, Vip, "rr");
        Send(Commands.AddServer, Vip, server: new RealServerSpec("10.0.0.11", 80, "masq", 1));
        Assert.True(Send(Commands.EditService, Vip, "wrr").Ok);
        ServiceStatus svc = Send(Commands.List).Status!.Services[0];
        Assert.Equal("wrr", svc.Scheduler);
        Assert.Single(svc.Servers);
    }

    [Fact]
    public void ServerCommands_UnknownServiceOrServer_ErrorsAsIpvsadm()
    {
        RealServerSpec rs = new("10.0.0.11", 80, "masq", 1);
        Assert.Equal(ControlError.NoSuchService, Send(Commands.AddServer, Vip, server: rs).Error);
        Send(Commands.AddService, Vip, "rr");
        Assert.Equal(ControlError.NoSuchDestination, Send(Commands.EditServer, Vip, server: rs).Error);
        Assert.Equal(ControlError.NoSuchDestination, Send(Commands.DeleteServer, Vip, server: rs).Error);
        Assert.True(Send(Commands.AddServer, Vip, server: rs).Ok);
        Assert.Equal(ControlError.DestinationExists, Send(Commands.AddServer, Vip, server: rs).Error);
        Assert.Equal(ControlError.NoSuchService, Send(Commands.DeleteService, new WireKey("tcp", "192.0.2.11", 80)).Error);
    }

    [Fact]
    public void AddServer_DirectRoute_PortForcedToServicePort()
    {
        Send(Commands.AddService, Vip, "rr");
        Assert.True(Send(Commands.AddServer, Vip, server: new RealServerSpec("203.0.113.11", 8080, "route", 1)).Ok);
        RealServerStatus s = Send(Commands.List).Status!.Services[0].Servers[0];
        Assert.Equal(("route", (ushort)80), (s.Method, s.Port));
        Assert.Null(s.TunnelType);
    }

    [Fact]
    public void AddServer_Tunnel_SettingsShownInList()
    {
        Send(Commands.AddService, Vip, "rr");
        Assert.True(Send(Commands.AddServer, Vip, server: new RealServerSpec("203.0.113.11", 0, "tunnel", 1)
        {
            TunnelType = "gue",
            TunnelPort = 6080,
            TunnelChecksum = "remcsum",
        }).Ok);
        Assert.True(Send(Commands.AddServer, Vip, server: new RealServerSpec("203.0.113.12", 0, "tunnel", 1)).Ok);
        var servers = Send(Commands.List).Status!.Services[0].Servers; // newest first
        Assert.Equal(("tunnel", "gue", (ushort)6080, "remcsum"), (servers[1].Method, servers[1].TunnelType, servers[1].TunnelPort, servers[1].TunnelChecksum));
        Assert.Equal(("ipip", (ushort)0, "nocsum"), (servers[0].TunnelType, servers[0].TunnelPort, servers[0].TunnelChecksum));
    }

    [Theory]
    [InlineData("gue", (ushort)0, null, "needs a port")]
    [InlineData("vxlan", (ushort)0, null, "unknown tunnel type")]
    [InlineData("gre", (ushort)0, "sometimes", "unknown tunnel checksum")]
    public void AddServer_BadTunnel_RefusedAndTableUnchanged(string type, ushort port, string? csum, string message)
    {
        Send(Commands.AddService, Vip, "rr");
        ControlResponse r = Send(Commands.AddServer, Vip, server: new RealServerSpec("203.0.113.11", 0, "tunnel", 1)
        {
            TunnelType = type,
            TunnelPort = port,
            TunnelChecksum = csum,
        });
        Assert.Equal(ControlError.Invalid, r.Error);
        Assert.Contains(message, r.Message);
        Assert.Empty(Send(Commands.List).Status!.Services[0].Servers);
    }

    [Theory]
    [InlineData("bogus", "unknown scheduler")]
    public void AddService_SchedulerNotAvailable_Refused(string scheduler, string message)
    {
        ControlResponse r = Send(Commands.AddService, Vip, scheduler);
        Assert.Equal(ControlError.Invalid, r.Error);
        Assert.Contains(message, r.Message);
        Assert.Empty(Send(Commands.List).Status!.Services);
    }

    [Theory]
    [InlineData("tcp", "not-an-ip", 80)]
    [InlineData("sctp", "192.0.2.10", 80)]
    [InlineData("tcp", "192.0.2.10", 0)]
    public void AddService_BadKey_Invalid(string protocol, string address, int port)
    {
        ControlResponse r = Send(Commands.AddService, new WireKey(protocol, address, (ushort)port), "rr");
        Assert.Equal(ControlError.Invalid, r.Error);
        Assert.False(string.IsNullOrEmpty(r.Message));
    }

    [Fact]
    public void AddServer_Ipv6ServiceAndServers_ListedInTheirFamilies()
    {
        var v6 = new WireKey("tcp", "2001:db8:a::1", 80);
        Assert.True(Send(Commands.AddService, v6, "rr").Ok);
        Assert.True(Send(Commands.AddServer, v6, server: new RealServerSpec("fd00::11", 8080, "masq", 1)).Ok);
        Assert.True(Send(Commands.AddServer, v6, server: new RealServerSpec("203.0.113.5", 0, "tunnel", 1)).Ok);

        ServiceStatus svc = Send(Commands.List).Status!.Services[0];

        Assert.Equal(v6, svc.Key);
        Assert.Equal(["203.0.113.5", "fd00::11"], svc.Servers.Select(s => s.Address).Order());
    }

    [Theory]
    [InlineData("10.0.0.11", "masq", "Different address family is allowed only for tunneling servers")]
    [InlineData("10.0.0.11", "route", "Different address family is allowed only for tunneling servers")]
    [InlineData("2001:db8:b::1", "bogus", "unknown forwarding method")]
    [InlineData("::ffff:10.0.0.11", "masq", "not an IPv4 or IPv6 address")]
    public void AddServer_Ipv6ServiceBadServer_Refused(string address, string method, string message)
    {
        var v6 = new WireKey("tcp", "2001:db8:a::1", 80);
        Send(Commands.AddService, v6, "rr");

        ControlResponse r = Send(Commands.AddServer, v6, server: new RealServerSpec(address, 80, method, 1));

        Assert.Equal(ControlError.Invalid, r.Error);
        Assert.Contains(message, r.Message);
        Assert.Empty(Send(Commands.List).Status!.Services[0].Servers);
    }

    [Fact]
    public void AddServer_Ipv6GueTunnel_RefusedAsNotBuilt()
    {
        Send(Commands.AddService, Vip, "rr");

        ControlResponse r = Send(Commands.AddServer, Vip,
            server: new RealServerSpec("2001:db8:b::1", 0, "tunnel", 1) { TunnelType = "gue", TunnelPort = 6080 });

        Assert.Equal(ControlError.Invalid, r.Error);
        Assert.Contains("GUE and GRE", r.Message);
    }

    [Fact]
    public void DeleteServer_MethodAndWeightIgnored()
    {
        Send(Commands.AddService, Vip, "rr");
        Send(Commands.AddServer, Vip, server: new RealServerSpec("10.0.0.11", 80, "masq", 1));
        Assert.True(Send(Commands.DeleteServer, Vip, server: new RealServerSpec("10.0.0.11", 80, "route", 0)).Ok);
        Assert.Empty(Send(Commands.List).Status!.Services[0].Servers);
    }

    [Fact]
    public void AddServer_WeightOutOfRange_Invalid()
    {
        Send(Commands.AddService, Vip, "rr");
        Assert.Equal(ControlError.Invalid, Send(Commands.AddServer, Vip, server: new RealServerSpec("10.0.0.11", 80, "masq", 70000)).Error);
    }

    [Fact]
    public void ClearAndDelete_RemoveServices()
    {
        Send(Commands.AddService, Vip, "rr");
        Send(Commands.AddService, new WireKey("udp", "192.0.2.10", 53), "rr");
        Assert.True(Send(Commands.DeleteService, Vip).Ok);
        Assert.Single(Send(Commands.List).Status!.Services);
        Assert.True(Send(Commands.Clear).Ok);
        Assert.Empty(Send(Commands.List).Status!.Services);
    }

    [Fact]
    public void Drops_ListsEveryReasonWithCounts()
    {
        ControlResponse r = Send(Commands.Drops);
        Assert.True(r.Ok);
        Assert.Contains(r.Drops!, d => d.Reason == "ip-header-length");
        Assert.Contains(r.Drops!, d => d.Reason == "tcp-data-offset");
        Assert.All(r.Drops!, d => Assert.Equal(0UL, d.Count));
    }

    [Fact]
    public void AddService_PersistenceOpsFlags_ShownInList()
    {
        Assert.True(Send(Commands.AddService, new WireKey("udp", "192.0.2.10", 53), "rr") is { Ok: true });
        Assert.True(_handler.Handle(new ControlRequest
        {
            Command = Commands.EditService,
            Service = new WireKey("udp", "192.0.2.10", 53),
            Options = new ServiceOptions("rr") { Persistent = true, PersistenceTimeout = 60, PersistenceNetmask = "255.255.255.0", OnePacket = true },
        }).Ok);
        Assert.True(_handler.Handle(new ControlRequest
        {
            Command = Commands.AddService,
            Service = new WireKey("tcp", "192.0.2.10", 0),
            Options = new ServiceOptions("rr") { Persistent = true, SchedulerFlags = ["flag-1"] },
        }).Ok);

        var services = Send(Commands.List).Status!.Services;
        ServiceStatus udp = services.Single(s => s.Key.Protocol == "udp");
        Assert.Equal((true, 60, "255.255.255.0", true), (udp.Persistent, udp.PersistenceTimeout, udp.PersistenceNetmask, udp.OnePacket));
        ServiceStatus all = services.Single(s => s.Key.Port == 0);
        Assert.Equal((true, 300), (all.Persistent, all.PersistenceTimeout));
        Assert.Equal(["flag-1"], all.SchedulerFlags!);
    }

    [Theory]
    [InlineData("tcp", 0, false, null, false, "needs persistence")]
    [InlineData("tcp", 80, true, "255.0.255.0", false, "not a netmask")]
    [InlineData("tcp", 80, true, "banana", false, "not a netmask")]
    [InlineData("tcp", 80, false, "255.0.255.0", true, "for UDP services")]
    [InlineData("tcp", 80, false, null, true, "for UDP services")]
    public void AddService_BadSettings_RefusedAndNothingAdded(string proto, int port, bool persistent, string? mask, bool ops, string message)
    {
        ControlResponse r = _handler.Handle(new ControlRequest
        {
            Command = Commands.AddService,
            Service = new WireKey(proto, "192.0.2.10", (ushort)port),
            Options = new ServiceOptions("rr") { Persistent = persistent, PersistenceNetmask = mask, OnePacket = ops },
        });

        Assert.Equal(ControlError.Invalid, r.Error);
        Assert.Contains(message, r.Message);
        Assert.Empty(Send(Commands.List).Status!.Services);
    }

    [Fact]
    public void AddServer_Thresholds_ShownAndLowerAboveUpperRefused()
    {
        Send(Commands.AddService, Vip, "rr");
        Assert.True(Send(Commands.AddServer, Vip, server: new RealServerSpec("10.0.0.11", 80, "masq", 1) { UpperThreshold = 10, LowerThreshold = 5 }).Ok);
        Assert.Equal(ControlError.Invalid, Send(Commands.AddServer, Vip, server: new RealServerSpec("10.0.0.12", 80, "masq", 1) { UpperThreshold = 5, LowerThreshold = 10 }).Error);

        RealServerStatus s = Assert.Single(Send(Commands.List).Status!.Services[0].Servers);
        Assert.Equal((10, 5, 0), (s.UpperThreshold, s.LowerThreshold, s.PersistentConns));
    }

    [Fact]
    public void SetTimeouts_ZeroKeepsValue_ListShowsThem()
    {
        Assert.Equal(new TimeoutSettings(900, 120, 300), Send(Commands.List).Status!.Timeouts);
        Assert.True(_handler.Handle(new ControlRequest { Command = Commands.SetTimeouts, Timeouts = new TimeoutSettings(3600, 0, 60) }).Ok);
        Assert.Equal(new TimeoutSettings(3600, 120, 60), Send(Commands.List).Status!.Timeouts);
        Assert.Equal(ControlError.Invalid, _handler.Handle(new ControlRequest { Command = Commands.SetTimeouts, Timeouts = new TimeoutSettings(-1, 0, 0) }).Error);
    }

    [Fact]
    public void FwmarkService_AddServersListAndZeroMarkRefused()
    {
        WireKey fwm = WireKey.ForFwmark(7);
        Assert.True(Send(Commands.AddService, fwm, "rr").Ok);
        Assert.True(Send(Commands.AddServer, fwm, server: new RealServerSpec("10.0.0.11", 0, "masq", 1)).Ok);
        Assert.True(Send(Commands.AddServer, fwm, server: new RealServerSpec("203.0.113.11", 0, "route", 1)).Ok);

        ServiceStatus svc = Assert.Single(Send(Commands.List).Status!.Services);
        Assert.Equal(fwm, svc.Key);
        Assert.All(svc.Servers, s => Assert.Equal(0, s.Port)); // connections keep the packet's port
        Assert.Equal(ControlError.Invalid, Send(Commands.AddService, WireKey.ForFwmark(0), "rr").Error);
        Assert.Equal(ControlError.ServiceExists, Send(Commands.AddService, fwm, "wrr").Error);
    }

    [Fact]
    public void Batch_AllApplyOrNone_FailedIndexNamesTheRequest()
    {
        Send(Commands.AddService, Vip, "rr");
        var good = new ControlRequest { Command = Commands.AddServer, Service = Vip, Server = new RealServerSpec("10.0.0.11", 80, "masq", 1) };
        var again = good with { Server = new RealServerSpec("10.0.0.11", 80, "masq", 2) };
        var other = new ControlRequest { Command = Commands.AddService, Service = new WireKey("udp", "192.0.2.10", 53), Options = new ServiceOptions("rr") };

        ControlResponse refused = _handler.Handle(new ControlRequest { Command = Commands.Batch, Batch = [other, good, again] });

        Assert.Equal((ControlError.DestinationExists, (int?)2), (refused.Error, refused.FailedIndex));
        Assert.Single(Send(Commands.List).Status!.Services);                 // nothing of the batch applied
        Assert.Empty(Send(Commands.List).Status!.Services[0].Servers);

        Assert.True(_handler.Handle(new ControlRequest { Command = Commands.Batch, Batch = [other, good] }).Ok);
        Assert.Equal(2, Send(Commands.List).Status!.Services.Count);
        Assert.Equal(ControlError.Invalid, _handler.Handle(new ControlRequest { Command = Commands.Batch, Batch = [new ControlRequest { Command = Commands.List }] }).Error);
    }

    [Fact]
    public void Reload_WithoutConfig_Refused()
    {
        Assert.Contains("--config", Send(Commands.Reload).Message);
    }

    [Fact]
    public void UnknownCommand_Invalid()
    {
        Assert.Equal(ControlError.Invalid, Send("explode").Error);
    }
}
