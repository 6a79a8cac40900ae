using Lvs.Contracts;

namespace Lvs.Admin.Tests;

/// <summary>Issue 4's options end to end: what lvsadm sends to a fake lvsd and what it prints from its answers.</summary>
public class ProgramServiceOptionsTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static (int Code, string Out, string Err) Run(FakeDaemon daemon, string line)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["--control", daemon.SocketPath, .. TestParsers.Split(line)], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Run_AddServiceWithoutScheduler_SendsWlcAndNoExtras()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run(daemon, "-A -t 192.0.2.10:80");

        Assert.Equal((0, "", ""), (code, stdout, stderr));
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(Commands.AddService, request.Command);
        ServiceOptions options = request.Options!;
        Assert.Equal("wlc", options.Scheduler);
        Assert.Null(options.SchedulerFlags);
        Assert.False(options.Persistent);
        Assert.Equal(0, options.PersistenceTimeout);
        Assert.Null(options.PersistenceNetmask);
        Assert.False(options.OnePacket);
    }

    [Fact]
    public void Run_AddUdpServiceWithEverything_SendsAllOptions()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, string stderr) = Run(daemon, "-A -u 192.0.2.10:53 -s sh -b sh-port,flag-1 -p 120 -M 255.255.255.0 -o");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(new ServiceKey("udp", "192.0.2.10", 53), request.Service);
        ServiceOptions options = request.Options!;
        Assert.Equal("sh", options.Scheduler);
        Assert.Equal(["sh-fallback", "sh-port"], options.SchedulerFlags);
        Assert.True(options.Persistent);
        Assert.Equal(120, options.PersistenceTimeout);
        Assert.Equal("255.255.255.0", options.PersistenceNetmask);
        Assert.True(options.OnePacket);
    }

    [Fact]
    public void Run_EditPortZeroPersistentDefaultTimeout_Sends300()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, _) = Run(daemon, "-E -t 192.0.2.10:0 -s mh -b mh-fallback -p");

        Assert.Equal(0, code);
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(Commands.EditService, request.Command);
        Assert.Equal(new ServiceKey("tcp", "192.0.2.10", 0), request.Service);
        Assert.Equal(new ServiceOptions("mh") { SchedulerFlags = request.Options!.SchedulerFlags, Persistent = true, PersistenceTimeout = 300 }, request.Options);
        Assert.Equal(["mh-fallback"], request.Options.SchedulerFlags);
    }

    [Fact]
    public void Run_AddServerWithThresholds_SendsThem()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, _) = Run(daemon, "-a -u 192.0.2.10:53 -r 10.0.0.11:5353 -m -w 2 -x 100 -y 25");

        Assert.Equal(0, code);
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(new ServiceKey("udp", "192.0.2.10", 53), request.Service);
        Assert.Equal(new RealServerSpec("10.0.0.11", 5353, "masq", 2) { UpperThreshold = 100, LowerThreshold = 25 }, request.Server);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10:80 -o", 2, "One-Packet Scheduling is only for UDP virtual services\n")]
    [InlineData("-A -t 192.0.2.10:0", 2, "Zero port specified for non-persistent service\n")]
    [InlineData("-A -t 192.0.2.10:80 -s rr -b sh-port", 2, "incompatible scheduler flag `sh-port'\n")]
    [InlineData("-A -t 192.0.2.10:80 -p -M 255.255.255.256", 2, "illegal virtual server persistent mask specified\n")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -x 1e3", 2, "illegal u_threshold specified\n")]
    [InlineData("-A -t 192.0.2.10:80 -s xyz", 255, "Scheduler or persistence engine not found\n")]
    [InlineData("--set 1 2", 2, "--set option requires 3 timeout values\n")]
    [InlineData("-S -s rr", 2, "Illegal 'scheduler' option with the 'save' command\n")]
    public void Run_Refused_NoRequestSent(string line, int exitCode, string message)
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run(daemon, line);

        Assert.Equal(exitCode, code);
        Assert.Equal("", stdout);
        Assert.Equal(message, stderr);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public void Run_Set_SendsTimeouts()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run(daemon, "--set 900 0 300");

        Assert.Equal((0, "", ""), (code, stdout, stderr));
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(Commands.SetTimeouts, request.Command);
        Assert.Equal(new TimeoutSettings(900, 0, 300), request.Timeouts);
        Assert.Null(request.Service);
        Assert.Null(request.Options);
        Assert.Null(request.Server);
    }

    [Fact]
    public void Run_SetRefusedByDaemon_MessageExit255()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Fail(ControlError.Invalid, "Invalid argument"));

        (int code, _, string stderr) = Run(daemon, "--set 900 120 300");

        Assert.Equal(255, code);
        Assert.Equal("Invalid argument\n", stderr);
    }

    [Fact]
    public void Run_ListTimeout_PrintsIpvsadmLine()
    {
        var status = new StatusSnapshot("1.2.1", 4096, 0, []) { Timeouts = new TimeoutSettings(900, 120, 300) };
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = status });

        (int code, string stdout, string stderr) = Run(daemon, "-L --timeout");

        Assert.Equal((0, "Timeout (tcp tcpfin udp): 900 120 300\n", ""), (code, stdout, stderr));
        Assert.Equal(Commands.List, Assert.Single(daemon.Requests).Command);
    }

    [Fact]
    public void Run_ListTimeoutMissing_Exit1()
    {
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = new StatusSnapshot("1.2.1", 4096, 0, []) });

        (int code, string stdout, string stderr) = Run(daemon, "-L --timeout");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("lvsadm: lvsd answered without timeouts\n", stderr);
    }

    [Fact]
    public void Run_ListConnections_SendsConnectionsAndPrintsEntries()
    {
        ConnectionEntry[] entries =
        [
            new("tcp", 299, "NONE", "198.51.100.2", 0, "192.0.2.10", 80, "10.0.0.11", 80) { Template = true },
            new("tcp", 899, "ESTABLISHED", "198.51.100.2", 40312, "192.0.2.10", 80, "10.0.0.11", 80),
        ];
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Connections = entries });

        (int code, string stdout, string stderr) = Run(daemon, "-L -n -c");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal(
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination\n" +
            "TCP 04:59  NONE        198.51.100.2:0     192.0.2.10:80      10.0.0.11:80\n" +
            "TCP 14:59  ESTABLISHED 198.51.100.2:40312 192.0.2.10:80      10.0.0.11:80\n",
            stdout);
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(Commands.Connections, request.Command);
        Assert.Null(request.Service);
    }

    [Fact]
    public void Run_ListConnectionsNone_HeaderOnly()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, _) = Run(daemon, "-Lnc");

        Assert.Equal(0, code);
        Assert.Equal("IPVS connection entries\npro expire state       source             virtual            destination\n", stdout);
    }

    [Fact]
    public void Run_ListConnectionsRefused_MessageExit1()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Fail(ControlError.Invalid, "unknown command connections"));

        (int code, string stdout, string stderr) = Run(daemon, "-L -c");

        Assert.Equal((1, "", "unknown command connections\n"), (code, stdout, stderr));
    }

    [Fact]
    public void Run_ListPersistentConn_PrintsPersistConnColumn()
    {
        var status = new StatusSnapshot("1.2.1", 4096, 0,
        [
            new ServiceStatus(new ServiceKey("udp", "192.0.2.10", 53), "sh", Zero,
                [new RealServerStatus("10.0.0.11", 53, "masq", 1, 0, 4, Zero) { PersistentConns = 3 }])
            {
                SchedulerFlags = ["sh-fallback"],
                Persistent = true,
                PersistenceTimeout = 300,
                OnePacket = true,
            },
        ]);
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = status });

        (int code, string stdout, _) = Run(daemon, "-L -n --persistent-conn");

        Assert.Equal(0, code);
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "UDP  192.0.2.10:53 sh (sh-fallback) persistent 300 ops\n" +
            "  -> 10.0.0.11:53                 1         3           0          4         \n",
            stdout);
    }

    [Fact]
    public void Run_ListOneUdpService_MatchesProtocol()
    {
        var status = new StatusSnapshot("1.2.1", 4096, 0,
        [
            new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 53), "rr", Zero, []),
            new ServiceStatus(new ServiceKey("udp", "192.0.2.10", 53), "wlc", Zero, []),
        ]);
        using var daemon = new FakeDaemon(_ => new ControlResponse { Ok = true, Status = status });

        (int code, string stdout, _) = Run(daemon, "-L -n -u 192.0.2.10:53");

        Assert.Equal(0, code);
        Assert.EndsWith("UDP  192.0.2.10:53 wlc\n", stdout);
        Assert.Equal(new ServiceKey("udp", "192.0.2.10", 53), Assert.Single(daemon.Requests).Service);
    }

    [Fact]
    public void Run_Help_DescribesWhatIsStillRefused()
    {
        var stdout = new StringWriter();

        int code = Program.Run(["-h"], stdout, new StringWriter());

        Assert.Equal(0, code);
        Assert.Contains("  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,\n", stdout.ToString());
        Assert.Contains("                                      the default scheduler is wlc.\n", stdout.ToString());
        Assert.Contains("Not built yet (refused with exit 1): --sctp-service, --pe, --daemon,\n", stdout.ToString());
        Assert.Contains("  --json ", stdout.ToString());
        Assert.Contains("  --reload ", stdout.ToString());
        Assert.DoesNotContain("pass -s rr", stdout.ToString());
    }
}
