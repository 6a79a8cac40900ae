using Lvs.Contracts;

namespace Lvs.Admin.Tests;

public class ProgramTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static readonly StatusSnapshot Table = new("1.2.1", 4096, 0,
    [
        new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", new TrafficStats(5, 30, 25, 2000, 9000),
        [
            new RealServerStatus("10.0.0.12", 80, "masq", 1, 0, 2, new TrafficStats(2, 12, 10, 800, 3600)),
            new RealServerStatus("10.0.0.11", 80, "masq", 1, 1, 1, new TrafficStats(3, 18, 15, 1200, 5400)),
        ]),
    ]);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Run_AddService_SendsRequestAndPrintsNothing()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run("--control", daemon.SocketPath, "-A", "-t", "192.0.2.10:80", "-s", "rr");

        Assert.Equal(0, code);
        Assert.Equal("", stdout);
        Assert.Equal("", stderr);
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(Commands.AddService, request.Command);
        Assert.Equal(new ServiceKey("tcp", "192.0.2.10", 80), request.Service);
        Assert.Equal(new ServiceOptions("rr"), request.Options);
        Assert.Null(request.Server);
    }

    [Fact]
    public void Run_AddServer_SendsServerSpec()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, _) = Run("-a", "-t", "192.0.2.10:80", "-r", "10.0.0.11", "-m", "-w", "5", "--control=" + daemon.SocketPath);

        Assert.Equal(0, code);
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(Commands.AddServer, request.Command);
        Assert.Equal(new ServiceKey("tcp", "192.0.2.10", 80), request.Service);
        Assert.Equal(new RealServerSpec("10.0.0.11", 80, "masq", 5), request.Server);
    }

    [Theory]
    [InlineData("-E -t 192.0.2.10:80 -s wrr", "edit-service")]
    [InlineData("-D -t 192.0.2.10:80", "delete-service")]
    [InlineData("-C", "clear")]
    [InlineData("-e -t 192.0.2.10:80 -r 10.0.0.11:80 -m -w 0", "edit-server")]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.11:80", "delete-server")]
    [InlineData("-Z", "zero")]
    [InlineData("-Z -t 192.0.2.10:80", "zero")]
    public void Run_OtherChanges_SendTheirCommand(string line, string command)
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, _) = Run(["--control", daemon.SocketPath, .. TestParsers.Split(line)]);

        Assert.Equal(0, code);
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(command, request.Command);
        Assert.Equal(line.Contains("-t") ? new ServiceKey("tcp", "192.0.2.10", 80) : null, request.Service);
    }

    [Fact]
    public void Run_DeleteServer_SendsAddressPortAndIpvsadmsDefaultMethod()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, _) = Run("--control", daemon.SocketPath, "-d", "-t", "192.0.2.10:80", "-r", "10.0.0.11:8080");

        Assert.Equal(0, code);
        Assert.Equal(new RealServerSpec("10.0.0.11", 8080, "route", 1), Assert.Single(daemon.Requests).Server);
    }

    [Fact]
    public void Run_ListNumeric_PrintsIpvsadmTable()
    {
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = Table });

        (int code, string stdout, string stderr) = Run("--control", daemon.SocketPath, "-Ln");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  192.0.2.10:80 rr\n" +
            "  -> 10.0.0.11:80                 Masq    1      1          1         \n" +
            "  -> 10.0.0.12:80                 Masq    1      0          2         \n",
            stdout);
        Assert.Equal(Commands.List, Assert.Single(daemon.Requests).Command);
    }

    [Fact]
    public void Run_ListStats_PrintsStatsColumns()
    {
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = Table });

        (int code, string stdout, _) = Run("--control", daemon.SocketPath, "-L", "-n", "--stats");

        Assert.Equal(0, code);
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.0.2.10:80                       5       30       25     2000     9000\n" +
            "  -> 10.0.0.11:80                        3       18       15     1200     5400\n" +
            "  -> 10.0.0.12:80                        2       12       10      800     3600\n",
            stdout);
    }

    [Fact]
    public void Run_ListOneService_SendsKeyAndPrintsOnlyIt()
    {
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = Table });

        (int code, string stdout, _) = Run("--control", daemon.SocketPath, "-L", "-n", "-t", "192.0.2.10:80");

        Assert.Equal(0, code);
        Assert.StartsWith("Prot LocalAddress:Port Scheduler Flags\n", stdout);
        Assert.Equal(new ServiceKey("tcp", "192.0.2.10", 80), Assert.Single(daemon.Requests).Service);
    }

    [Fact]
    public void Run_ListUnknownService_NoSuchServiceExit1()
    {
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = Table });

        (int code, string stdout, string stderr) = Run("--control", daemon.SocketPath, "-L", "-n", "-t", "192.0.2.99:80");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("No such service\n", stderr);
    }

    [Theory]
    [InlineData("-L --drops")]
    [InlineData("--drops")]
    public void Run_Drops_PrintsSortedCounters(string line)
    {
        using var daemon = new FakeDaemon(_ => new ControlResponse
        {
            Ok = true,
            Drops = [new DropCount("not-for-us", 7), new DropCount("bad-checksum", 2)],
        });

        (int code, string stdout, _) = Run(["--control", daemon.SocketPath, .. TestParsers.Split(line)]);

        Assert.Equal(0, code);
        Assert.Equal("Reason        Count\nbad-checksum      2\nnot-for-us        7\n", stdout);
        Assert.Equal(Commands.Drops, Assert.Single(daemon.Requests).Command);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10:80 -s rr", ControlError.ServiceExists, "Service already exists")]
    [InlineData("-E -t 192.0.2.10:80 -s rr", ControlError.NoSuchService, "No such service")]
    [InlineData("-D -t 192.0.2.10:80", ControlError.NoSuchService, "No such service")]
    [InlineData("-Z -t 192.0.2.10:80", ControlError.NoSuchService, "No such service")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -m", ControlError.NoSuchService, "Service not defined")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -m", ControlError.DestinationExists, "Destination already exists")]
    [InlineData("-e -t 192.0.2.10:80 -r 10.0.0.11 -m", ControlError.NoSuchDestination, "No such destination")]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.11", ControlError.NoSuchDestination, "No such destination")]
    [InlineData("-A -t 192.0.2.10:80 -s rr", ControlError.Invalid, "the VIP is not on any interface")]
    [InlineData("-C", ControlError.Internal, "nft failed: exit 1")]
    public void Run_DaemonRefuses_IpvsStrerrorAndExit255(string line, ControlError error, string message)
    {
        string daemonMessage = error is ControlError.Invalid or ControlError.Internal ? message : "daemon's own words";
        using var daemon = new FakeDaemon(_ => ControlResponse.Fail(error, daemonMessage));

        (int code, string stdout, string stderr) = Run(["--control", daemon.SocketPath, .. TestParsers.Split(line)]);

        Assert.Equal(255, code);
        Assert.Equal("", stdout);
        Assert.Equal(message + "\n", stderr);
    }

    [Fact]
    public void Run_NoDaemon_OneLineAndExit1()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lvsadm-missing-{Guid.NewGuid():N}.sock");

        (int code, string stdout, string stderr) = Run("--control", path, "-L", "-n");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"lvsadm: cannot reach lvsd at {path}: ", stderr);
        Assert.EndsWith(" (is lvsd running?)\n", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Run_ParseError_NoRequestSent()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, string stderr) = Run("--control", daemon.SocketPath, "-a", "-t", "192.0.2.10:80", "-r", "10.0.0.11", "-m", "-w", "70000");

        Assert.Equal(2, code);
        Assert.Equal("illegal weight specified\n", stderr);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public void Run_Help_UsageOnStdoutExit0WithExtensions()
    {
        (int code, string stdout, string stderr) = Run("-h");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("  --add-service     -A        add virtual service with options\n", stdout);
        Assert.Contains("lvsadm extensions (not in ipvsadm):\n", stdout);
        Assert.Contains("--drops", stdout);
        Assert.Contains("--control PATH", stdout);
    }

    [Fact]
    public void Run_EnvironmentVariable_ChoosesSocket()
    {
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = Table });
        string? before = Environment.GetEnvironmentVariable(ControlSocket.EnvironmentVariable);
        Environment.SetEnvironmentVariable(ControlSocket.EnvironmentVariable, daemon.SocketPath);
        try
        {
            (int code, _, _) = Run("-L", "-n");

            Assert.Equal(0, code);
            Assert.Single(daemon.Requests);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ControlSocket.EnvironmentVariable, before);
        }
    }
}
