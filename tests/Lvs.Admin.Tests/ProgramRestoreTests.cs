using Lvs.Admin.CommandLine;
using Lvs.Admin.Execution;
using Lvs.Admin.Tests.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests;

/// <summary>lvsadm -R end to end against a fake lvsd: one batch, or nothing sent and the line named.</summary>
public class ProgramRestoreTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static (int Code, string Out, string Err) Run(FakeDaemon daemon, string line, string stdin = "")
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["--control", daemon.SocketPath, .. TestParsers.Split(line)], new StringReader(stdin), stdout, stderr,
            static (path, request) => ControlSocket.Send(path, request), TestParsers.Parser, new FakeNames());
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Restore_SavedFile_OneBatchWithEveryLineInOrder()
    {
        string[] lines =
        [
            "-C",
            "-A -t 192.0.2.10:80 -s rr",
            "-a -t 192.0.2.10:80 -r 10.0.0.11:80 -m -w 1",
            "-a -t 192.0.2.10:80 -r 10.0.0.12 -i -w 3 --tun-type gue --tun-port 6080 --tun-csum -x 10",
            "-E -t 192.0.2.10:80 -s wlc -p 60",
            "-e -t 192.0.2.10:80 -r 10.0.0.11:80 -m -w 0",
            "-d -t 192.0.2.10:80 -r 10.0.0.12",
            "-D -u 192.0.2.11:53",
            "-A -f 7 -s sh -b sh-port -o",
        ];
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run(daemon, "-R", string.Join("\n", lines) + "\n");

        Assert.Equal((0, "", ""), (code, stdout, stderr));
        ControlRequest batch = Assert.Single(daemon.Requests);
        Assert.Equal(Commands.Batch, batch.Command);
        Assert.NotNull(batch.Batch);
        Assert.Equal(lines.Length, batch.Batch.Count);
        for (int i = 0; i < lines.Length; i++)
        {
            ControlRequest expected = CommandRunner.BuildRequest(TestParsers.Parse(lines[i]));
            Assert.Equal(Json(expected), Json(batch.Batch[i]));
        }

        Assert.Equal(Commands.Clear, batch.Batch[0].Command);
        Assert.Equal(new RealServerSpec("10.0.0.12", 80, "tunnel", 3) { TunnelType = "gue", TunnelPort = 6080, TunnelChecksum = "csum", UpperThreshold = 10 },
            batch.Batch[3].Server);
    }

    [Fact]
    public void Restore_EmptyInput_EmptyBatch()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, string stderr) = Run(daemon, "--restore", "\n# nothing\n");

        Assert.Equal((0, ""), (code, stderr));
        Assert.Equal(Commands.Batch, Assert.Single(daemon.Requests).Command);
        Assert.Empty(daemon.Requests.Single().Batch!);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10:80 -s rr\n\n-a -t 192.0.2.10:80 -r 10.0.0.11 -w 70000\n", 2, "lvsadm: line 3: illegal weight specified\n")]
    [InlineData("-A -t 192.0.2.10:80 -s rr\n-A -t 192.0.2.10:0\n", 2, "lvsadm: line 2: Zero port specified for non-persistent service\n")]
    [InlineData("# header\n-A -t 192.0.2.10:80 --bogus\n", 255, "lvsadm: line 2: --bogus: unknown option\n")]
    [InlineData("-A -t 192.0.2.10:80 -s nosuch\n", 255, "lvsadm: line 1: Scheduler or persistence engine not found\n")]
    [InlineData("-C\n192.0.2.10\n", 255, "lvsadm: line 2: Try `lvsadm -h' or 'lvsadm --help' for more information.\n")]
    [InlineData("-A -t 192.0.2.10:80\n-a -t 192.0.2.10:80 -r 10.0.0.11 -x 1 extra\n", 2, "lvsadm: line 2: unexpected argument extra\n")]
    [InlineData("-A -f 1 -6 -s rr\n-a -f 1 -6 -r 10.0.0.11 -g\n", 2, "lvsadm: line 2: Different address family is allowed only for tunneling servers\n")]
    [InlineData("-A -t 192.0.2.10:80 -s rr\n-E -t 192.0.2.10:80 -6\n", 2, "lvsadm: line 2: -6 used before -f\n")]
    public void Restore_BadLine_NothingSentLineNamed(string input, int exitCode, string message)
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, string stdout, string stderr) = Run(daemon, "-R", input);

        Assert.Equal((exitCode, "", message), (code, stdout, stderr));
        Assert.Empty(daemon.Requests);
    }

    [Theory]
    [InlineData("-L -n", "-L")]
    [InlineData("-S", "-S")]
    [InlineData("-R", "-R")]
    [InlineData("-Z", "-Z")]
    [InlineData("--set 1 2 3", "--set")]
    [InlineData("-h", "-h")]
    [InlineData("--reload", "--reload")]
    [InlineData("--drops", "--drops")]
    public void Restore_NonChangingLine_RefusedWithLine(string line, string word)
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, string stderr) = Run(daemon, "-R", $"-C\n{line}\n");

        Assert.Equal(2, code);
        Assert.Equal($"lvsadm: line 2: {word} cannot be part of a restore (only -A, -E, -D, -C, -a, -e and -d)\n", stderr);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public void Restore_ControlPathInALine_Refused()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Success());

        (int code, _, string stderr) = Run(daemon, "-R", "-C --control /tmp/other.sock\n");

        Assert.Equal((2, "lvsadm: line 1: --control cannot be part of a restore line\n"), (code, stderr));
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public void Restore_DaemonRefusesALine_LineNamedAndNothingChanged()
    {
        var model = new StatefulDaemon();
        var existing = new ServiceStatus(new ServiceKey("tcp", "192.0.2.99", 80), "rr", Zero, []);
        model.Services = [existing];
        using var daemon = new FakeDaemon(model.Handle);

        (int code, string stdout, string stderr) = Run(daemon, "-R",
            "# web\n-A -t 192.0.2.10:80 -s rr\n\n-a -t 192.0.2.10:80 -r 10.0.0.11 -m\n-a -t 192.0.2.11:80 -r 10.0.0.12 -m\n");

        Assert.Equal((255, "", "lvsadm: line 5: Service not defined\n"), (code, stdout, stderr));
        Assert.Equal([existing], model.Services);
    }

    [Fact]
    public void Restore_DaemonRefusesDuplicate_IpvsadmsMessageForThatLine()
    {
        var model = new StatefulDaemon();
        using var daemon = new FakeDaemon(model.Handle);

        (int code, _, string stderr) = Run(daemon, "-R", "-A -t 192.0.2.10:80\n-a -t 192.0.2.10:80 -r 10.0.0.11\n-a -t 192.0.2.10:80 -r 10.0.0.11:80 -w 2\n");

        Assert.Equal((255, "lvsadm: line 3: Destination already exists\n"), (code, stderr));
        Assert.Empty(model.Services);
    }

    [Fact]
    public void Restore_DaemonRefusesWholeBatch_SaysNothingChanged()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Fail(ControlError.Invalid, "table full"));

        (int code, _, string stderr) = Run(daemon, "-R", "-C\n");

        Assert.Equal((255, "lvsadm: restore refused, nothing changed: table full\n"), (code, stderr));
    }

    [Fact]
    public void Save_ThroughDaemon_ListRequestAndRules()
    {
        var model = new StatefulDaemon();
        model.Services = [new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, [new RealServerStatus("10.0.0.11", 80, "masq", 1, 0, 0, Zero)])];
        using var daemon = new FakeDaemon(model.Handle);

        (int code, string stdout, string stderr) = Run(daemon, "-S");

        Assert.Equal((0, ""), (code, stderr));
        Assert.Equal("-A -t vip.example:http -s rr\n-a -t vip.example:http -r a-rather-long-real-server-name.example:http -m -w 1\n", stdout);
    }

    [Fact]
    public void Save_DaemonRefuses_Exit1()
    {
        using var daemon = new FakeDaemon(_ => ControlResponse.Fail(ControlError.Internal, "broken"));

        (int code, string stdout, string stderr) = Run(daemon, "-S -n");

        Assert.Equal((1, "", "broken\n"), (code, stdout, stderr));
        Assert.Equal(Commands.List, Assert.Single(daemon.Requests).Command);
    }

    private static string Json(ControlRequest request) =>
        System.Text.Json.JsonSerializer.Serialize(request, ControlJsonContext.Default.ControlRequest);
}
