using Lvs.Contracts;

namespace Lvs.Admin.Tests;

/// <summary>-g, -i and the tunnel options end to end: what lvsadm sends to a fake lvsd, and -L --tun-info.</summary>
public class ProgramForwardingTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static (int Code, string Out, string Err) Run(FakeDaemon daemon, string line)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["--control", daemon.SocketPath, .. TestParsers.Split(line)], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11:8080 -w 2", "add-server")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -g -w 2", "add-server")]
    [InlineData("-e -t 192.0.2.10:80 -r 10.0.0.11 -w 2", "edit-server")]
    [InlineData("--edit-server --tcp-service 192.0.2.10:80 --real-server 10.0.0.11:8080 --gatewaying --weight 2", "edit-server")]
    public void Run_DirectRouting_SendsRouteOnServicePortWithoutTunnelFields(string line, string command)
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run(daemon, line);

        Assert.Equal(0, code);
        Assert.Equal("", stdout);
        Assert.Equal("", stderr);
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(command, request.Command);
        Assert.Equal(new ServiceKey("tcp", "192.0.2.10", 80), request.Service);
        Assert.Equal(new RealServerSpec("10.0.0.11", 80, "route", 2), request.Server);
        Assert.Null(request.Server!.TunnelType);
        Assert.Equal(0, request.Server.TunnelPort);
        Assert.Null(request.Server.TunnelChecksum);
    }

    [Theory]
    [InlineData("-i", "ipip", 0, null)]
    [InlineData("-i --tun-type ipip", "ipip", 0, null)]
    [InlineData("-i --tun-type gue --tun-port 6080", "gue", 6080, "nocsum")]
    [InlineData("-i --tun-type gue --tun-port 6080 --tun-csum", "gue", 6080, "csum")]
    [InlineData("-i --tun-type gue --tun-port 6080 --tun-remcsum", "gue", 6080, "remcsum")]
    [InlineData("--ipip --tun-type gre", "gre", 0, "nocsum")]
    [InlineData("-i --tun-type gre --tun-csum", "gre", 0, "csum")]
    public void Run_Tunnel_SendsTunnelFields(string options, string type, int port, string? checksum)
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, string stderr) = Run(daemon, "-a -t 192.0.2.10:80 -r 10.0.0.11:8080 -w 3 " + options);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        RealServerSpec expected = new("10.0.0.11", 80, "tunnel", 3)
        {
            TunnelType = type,
            TunnelPort = (ushort)port,
            TunnelChecksum = checksum,
        };
        Assert.Equal(expected, Assert.Single(daemon.Requests).Server);
    }

    [Fact]
    public void Run_TunnelOptionRefused_NoRequestSentExit2()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run(daemon, "-a -t 192.0.2.10:80 -r 10.0.0.11 -i --tun-type gue");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal("You need to supply the 'tun-port' option for the 'gue' tunnel type\n", stderr);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public void Run_DaemonRefusesRealServer_ItsMessageAndExit255()
    {
        const string message = "real server 10.0.0.11 is not on a directly connected network (needed for -g)";
        using var daemon = new FakeDaemon(_ => ControlResponse.Fail(ControlError.Invalid, message));

        (int code, string stdout, string stderr) = Run(daemon, "-a -t 192.0.2.10:80 -r 10.0.0.11");

        Assert.Equal(255, code);
        Assert.Equal("", stdout);
        Assert.Equal(message + "\n", stderr);
    }

    [Fact]
    public void Run_ListTunInfo_PrintsTunnelInfoColumn()
    {
        var table = new StatusSnapshot("1.2.1", 4096, 0,
        [
            new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero,
            [
                new RealServerStatus("203.0.113.2", 80, "tunnel", 1, 0, 3, Zero) { TunnelType = "gue", TunnelPort = 6080, TunnelChecksum = "nocsum" },
                new RealServerStatus("203.0.113.1", 80, "route", 1, 2, 0, Zero),
            ]),
        ]);
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = table });

        (int code, string stdout, string stderr) = Run(daemon, "-L -n --tun-info");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n" +
            "TCP  192.0.2.10:80 rr\n" +
            "  -> 203.0.113.1:80               Route   n/a           1      2          0         \n" +
            "  -> 203.0.113.2:80               Tunnel  gue:6080:-c   1      0          3         \n",
            stdout);
        Assert.Equal(Commands.List, Assert.Single(daemon.Requests).Command);
    }

    [Fact]
    public void Run_Help_ListsTunnelTypesAndBuiltOptions()
    {
        var stdout = new StringWriter();

        int code = Program.Run(["-h"], stdout, new StringWriter());

        Assert.Equal(0, code);
        Assert.Contains("  --tun-type      type                one of ipip|gue|gre,\n", stdout.ToString());
        Assert.Contains("  --gatewaying   -g                   gatewaying (direct routing) (default)\n", stdout.ToString());
        Assert.DoesNotContain("need -m", stdout.ToString());
    }
}
