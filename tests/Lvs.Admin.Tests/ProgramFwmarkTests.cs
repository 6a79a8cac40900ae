using Lvs.Contracts;

namespace Lvs.Admin.Tests;

/// <summary>-f end to end: the requests a fake lvsd receives (through the contract's JSON) and what lvsadm prints.</summary>
public class ProgramFwmarkTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static (int Code, string Out, string Err) Run(FakeDaemon daemon, string line)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["--control", daemon.SocketPath, .. TestParsers.Split(line)], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static StatusSnapshot Table() => new("1.2.1", 4096, 0,
    [
        new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, []),
        new ServiceStatus(ServiceKey.ForFwmark(2), "wlc", Zero, []),
        new ServiceStatus(ServiceKey.ForFwmark(1), "rr", Zero, [new RealServerStatus("10.0.0.11", 0, "route", 1, 0, 0, Zero)])
        {
            Persistent = true,
            PersistenceTimeout = 60,
        },
    ]);

    [Fact]
    public void Run_AddPersistentFwmarkService_SendsMarkAndOptions()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run(daemon, "-A -f 1 -s rr -p 60 -M 255.255.255.0");

        Assert.Equal((0, "", ""), (code, stdout, stderr));
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(Commands.AddService, request.Command);
        Assert.Equal(ServiceKey.ForFwmark(1), request.Service);
        Assert.Equal(1u, request.Service!.Fwmark);
        Assert.Equal(
            new ServiceOptions("rr") { Persistent = true, PersistenceTimeout = 60, PersistenceNetmask = "255.255.255.0" },
            request.Options);
    }

    [Fact]
    public void Run_AddFwmarkServiceOps_NoPortOrProtocolRefusal()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, string stderr) = Run(daemon, "-A -f 4294967295 -o");

        Assert.Equal((0, ""), (code, stderr));
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(ServiceKey.ForFwmark(4294967295), request.Service);
        Assert.Equal(new ServiceOptions("wlc") { OnePacket = true }, request.Options);
    }

    [Theory]
    [InlineData("-E -f 5 -s sh", Commands.EditService)]
    [InlineData("-D -f 5", Commands.DeleteService)]
    [InlineData("-Z -f 5", Commands.Zero)]
    public void Run_ServiceCommands_SendFwmarkKey(string line, string command)
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, _) = Run(daemon, line);

        Assert.Equal(0, code);
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(command, request.Command);
        Assert.Equal(ServiceKey.ForFwmark(5), request.Service);
    }

    [Theory]
    [InlineData("-a -f 5 -r 10.0.0.11 -g -w 3", Commands.AddServer, 0, "route", 3)]
    [InlineData("-a -f 5 -r 10.0.0.11:8080 -g", Commands.AddServer, 8080, "route", 1)]
    [InlineData("-e -f 5 -r 10.0.0.11:8080 -m -w 0", Commands.EditServer, 8080, "masq", 0)]
    [InlineData("-d -f 5 -r 10.0.0.11", Commands.DeleteServer, 0, "route", 1)]
    public void Run_ServerCommands_SendFwmarkKeyAndPortAsGiven(string line, string command, int port, string method, int weight)
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, _) = Run(daemon, line);

        Assert.Equal(0, code);
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(command, request.Command);
        Assert.Equal(ServiceKey.ForFwmark(5), request.Service);
        Assert.Equal(new RealServerSpec("10.0.0.11", (ushort)port, method, weight), request.Server);
    }

    [Fact]
    public void Run_AddExistingFwmarkService_KernelsMessageExit255()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Fail(ControlError.ServiceExists, "exists"));

        (int code, string stdout, string stderr) = Run(daemon, "-A -f 1");

        Assert.Equal((255, "", "Service already exists\n"), (code, stdout, stderr));
    }

    [Fact]
    public void Run_ListAll_FwmarkServicesAfterTcp()
    {
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = Table() });

        (int code, string stdout, string stderr) = Run(daemon, "-L -n");

        Assert.Equal((0, ""), (code, stderr));
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  192.0.2.10:80 rr\n" +
            "FWM  1 rr persistent 60\n" +
            "  -> 10.0.0.11:0                  Route   1      0          0         \n" +
            "FWM  2 wlc\n",
            stdout);
    }

    [Fact]
    public void Run_ListOneFwmarkService_OnlyThatMark()
    {
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = Table() });

        (int code, string stdout, string stderr) = Run(daemon, "-L -n -f 1");

        Assert.Equal((0, ""), (code, stderr));
        Assert.Equal(
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "FWM  1 rr persistent 60\n" +
            "  -> 10.0.0.11:0                  Route   1      0          0         \n",
            stdout);
        Assert.Equal(ServiceKey.ForFwmark(1), Assert.Single(daemon.Requests).Service);
    }

    [Fact]
    public void Run_ListUnknownMark_NoSuchServiceExit1()
    {
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = Table() });

        (int code, string stdout, string stderr) = Run(daemon, "-L -n -f 3");

        Assert.Equal((1, "", "No such service\n"), (code, stdout, stderr));
    }

    [Fact]
    public void Run_ListConnections_FwmarkTemplateVirtualIsTheMark()
    {
        ConnectionEntry[] entries =
        [
            new("ip", 59, "NONE", "198.51.100.2", 0, "1", 0, "10.0.0.11", 0) { Template = true },
            new("tcp", 899, "ESTABLISHED", "198.51.100.2", 40312, "192.0.2.10", 80, "10.0.0.11", 80),
        ];
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Connections = entries });

        (int code, string stdout, string stderr) = Run(daemon, "-L -n -c");

        Assert.Equal((0, ""), (code, stderr));
        Assert.Equal(
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination\n" +
            "IP  00:59  NONE        198.51.100.2:0     0.0.0.1:0          10.0.0.11:0\n" +
            "TCP 14:59  ESTABLISHED 198.51.100.2:40312 192.0.2.10:80      10.0.0.11:80\n",
            stdout);
    }

    [Theory]
    [InlineData("-A -f 0", 2, "invalid fwmark value `0' specified\n")]
    [InlineData("-A -f 4294967296", 2, "invalid fwmark value `4294967296' specified\n")]
    [InlineData("-a -f x -r 10.0.0.11", 2, "invalid fwmark value `x' specified\n")]
    [InlineData("-A -f 1 -t 192.0.2.10:80", 2, "multiple 'service-address' options specified\n")]
    [InlineData("-A -6 -f 1", 2, "-6 used before -f\n\n")]
    [InlineData("-a -f 1 -6 -r 10.0.0.11 -g", 2, "Different address family is allowed only for tunneling servers\n")]
    [InlineData("-a -f 1 -r 2001:db8::11 -g", 2, "Different address family is allowed only for tunneling servers\n")]
    public void Run_Refused_NoRequestSent(string line, int exitCode, string message)
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run(daemon, line);

        Assert.Equal((exitCode, "", message), (code, stdout, stderr));
        Assert.Empty(daemon.Requests);
    }
}
