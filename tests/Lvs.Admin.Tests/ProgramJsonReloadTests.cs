using System.Text.Json;
using Lvs.Admin.Tests.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests;

/// <summary>lvsadm's extensions --json (any listing) and --reload, and -L --rate, against a fake lvsd.</summary>
public class ProgramJsonReloadTests
{
    private static readonly StatusSnapshot Table = new("1.2.1", 4096, 3,
    [
        new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", new TrafficStats(5, 30, 25, 2000, 9000),
        [
            new RealServerStatus("10.0.0.11", 80, "masq", 1, 1, 1, new TrafficStats(3, 18, 15, 1200, 5400)) { Rates = new(1, 9, 8, 700, 5000000000) },
        ])
        {
            Rates = new(2, 18, 16, 1400, 10000000000),
        },
        new ServiceStatus(ServiceKey.ForFwmark(7), "sh", new TrafficStats(0, 0, 0, 0, 0), []) { SchedulerFlags = ["sh-port"], Persistent = true, PersistenceTimeout = 300 },
    ])
    {
        Timeouts = new TimeoutSettings(900, 120, 300),
    };

    private static readonly ConnectionEntry[] Entries =
    [
        new("tcp", 898, "ESTABLISHED", "198.51.100.7", 40000, "192.0.2.10", 80, "10.0.0.11", 80),
        new("tcp", 299, "NONE", "198.51.100.0", 0, "192.0.2.10", 80, "10.0.0.11", 80) { Template = true },
    ];

    private static readonly DropCount[] DropList = [new("no-route", 3), new("bad-checksum", 1)];

    private static ControlResponse Answer(ControlRequest request) => request.Command switch
    {
        Commands.List => ControlResponse.Success() with { Status = Table },
        Commands.Connections => ControlResponse.Success() with { Connections = Entries },
        Commands.Drops => ControlResponse.Success() with { Drops = DropList },
        _ => ControlResponse.Success(),
    };

    private static (int Code, string Out, string Err) Run(FakeDaemon daemon, string line)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["--control", daemon.SocketPath, .. TestParsers.Split(line)], TextReader.Null, stdout, stderr,
            static (path, request) => ControlSocket.Send(path, request), TestParsers.Parser, new FakeNames());
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string Compact<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) => JsonSerializer.Serialize(value, info);

    [Theory]
    [InlineData("-L --json")]
    [InlineData("-L -n --stats --json")]
    [InlineData("-l --rate --exact --json")]
    [InlineData("-L --thresholds --persistent-conn --tun-info --nosort --json")]
    public void Json_List_SnapshotAsLvsdSentIt(string line)
    {
        using var daemon = new FakeDaemon(Answer);

        (int code, string stdout, string stderr) = Run(daemon, line);

        Assert.Equal((0, ""), (code, stderr));
        Assert.StartsWith("{\n  \"version\": \"1.2.1\",\n", stdout);
        Assert.EndsWith("}\n", stdout);
        StatusSnapshot parsed = JsonSerializer.Deserialize(stdout, ControlJsonContext.Default.StatusSnapshot)!;
        Assert.Equal(Compact(Table, ControlJsonContext.Default.StatusSnapshot), Compact(parsed, ControlJsonContext.Default.StatusSnapshot));
        Assert.Equal(10000000000UL, parsed.Services[0].Rates!.OutBps);
    }

    [Theory]
    [InlineData("-L -t 192.0.2.10:80 --json", 0)]
    [InlineData("-L -f 7 --json", 1)]
    public void Json_ListOneService_OnlyThatService(string line, int index)
    {
        using var daemon = new FakeDaemon(Answer);

        (int code, string stdout, _) = Run(daemon, line);

        Assert.Equal(0, code);
        StatusSnapshot parsed = JsonSerializer.Deserialize(stdout, ControlJsonContext.Default.StatusSnapshot)!;
        ServiceStatus service = Assert.Single(parsed.Services);
        Assert.Equal(Compact(Table.Services[index], ControlJsonContext.Default.ServiceStatus), Compact(service, ControlJsonContext.Default.ServiceStatus));
    }

    [Fact]
    public void Json_Connections_EntriesArray()
    {
        using var daemon = new FakeDaemon(Answer);

        (int code, string stdout, _) = Run(daemon, "-L -n -c --json");

        Assert.Equal(0, code);
        Assert.StartsWith("[\n  {\n", stdout);
        IReadOnlyList<ConnectionEntry> parsed = JsonSerializer.Deserialize(stdout, ControlJsonContext.Default.IReadOnlyListConnectionEntry)!;
        Assert.Equal(Entries, parsed);
    }

    [Fact]
    public void Json_Timeouts_Object()
    {
        using var daemon = new FakeDaemon(Answer);

        (int code, string stdout, _) = Run(daemon, "-L --timeout --json");

        Assert.Equal(0, code);
        Assert.Equal("{\n  \"tcp\": 900,\n  \"tcpFin\": 120,\n  \"udp\": 300\n}\n", stdout);
        Assert.Equal(Table.Timeouts, JsonSerializer.Deserialize(stdout, ControlJsonContext.Default.TimeoutSettings));
    }

    [Theory]
    [InlineData("--drops --json")]
    [InlineData("-L --drops --json")]
    public void Json_Drops_CountsArray(string line)
    {
        using var daemon = new FakeDaemon(Answer);

        (int code, string stdout, _) = Run(daemon, line);

        Assert.Equal(0, code);
        Assert.Equal(DropList, JsonSerializer.Deserialize(stdout, ControlJsonContext.Default.IReadOnlyListDropCount));
    }

    [Fact]
    public void Rate_List_RateTable()
    {
        using var daemon = new FakeDaemon(Answer);

        (int code, string stdout, _) = Run(daemon, "-L -n --rate");

        Assert.Equal(0, code);
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.0.2.10:80                       2       18       16     1400   10000M\n" +
            "  -> 10.0.0.11:80                        1        9        8      700    5000M\n" +
            "FWM  7                                   0        0        0        0        0\n",
            stdout);
    }

    [Fact]
    public void Reload_Accepted_SilentExit0()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run(daemon, "--reload");

        Assert.Equal((0, "", ""), (code, stdout, stderr));
        ControlRequest request = Assert.Single(daemon.Requests);
        Assert.Equal(Commands.Reload, request.Command);
        Assert.Null(request.Service);
        Assert.Null(request.Batch);
    }

    [Fact]
    public void Reload_Refused_DaemonsMessageExit255()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Fail(ControlError.Invalid, "/etc/lvs/keepalived.conf:12:5: unknown keyword 'lb_algoo'"));

        (int code, string stdout, string stderr) = Run(daemon, "--reload");

        Assert.Equal((255, ""), (code, stdout));
        Assert.Equal("lvsadm: reload failed, nothing changed: /etc/lvs/keepalived.conf:12:5: unknown keyword 'lb_algoo'\n", stderr);
    }
}
