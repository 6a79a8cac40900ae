using Lvs.Admin.CommandLine;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.CommandLine;

public class CommandParserTests
{
    private static CommandLineException Rejects(string line) =>
        Assert.Throws<CommandLineException>(() => TestParsers.Parse(line));

    private static void RejectsWith(string line, int exitCode, string message)
    {
        CommandLineException e = Rejects(line);
        Assert.Equal(message, e.Message);
        Assert.Equal(exitCode, e.ExitCode);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10:80 -s rr", nameof(AdminCommand.AddService))]
    [InlineData("--add-service --tcp-service 192.0.2.10:80 --scheduler rr", nameof(AdminCommand.AddService))]
    [InlineData("-E -t 192.0.2.10:80 -s wrr", nameof(AdminCommand.EditService))]
    [InlineData("--edit-service --tcp-service=192.0.2.10:80 --scheduler=wrr", nameof(AdminCommand.EditService))]
    public void Parse_ServiceCommands_CarryServiceAndScheduler(string line, string expected)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(Enum.Parse<AdminCommand>(expected), c.Command);
        Assert.Equal(new ServiceKey("tcp", "192.0.2.10", 80), c.Service);
        Assert.Equal(line.Contains("wrr") ? "wrr" : "rr", c.Scheduler);
    }

    [Theory]
    [InlineData("-D -t 192.0.2.10:80")]
    [InlineData("--delete-service --tcp-service 192.0.2.10:80")]
    public void Parse_DeleteService_CarriesService(string line)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.DeleteService, c.Command);
        Assert.Equal(new ServiceKey("tcp", "192.0.2.10", 80), c.Service);
    }

    [Theory]
    [InlineData("-C")]
    [InlineData("--clear")]
    public void Parse_Clear_IsClear(string line) => Assert.Equal(AdminCommand.Clear, TestParsers.Parse(line).Command);

    [Theory]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11:8080 -m -w 3", nameof(AdminCommand.AddServer))]
    [InlineData("--add-server --tcp-service 192.0.2.10:80 --real-server 10.0.0.11:8080 --masquerading --weight 3", nameof(AdminCommand.AddServer))]
    [InlineData("-e -t 192.0.2.10:80 -r 10.0.0.11:8080 -m -w 3", nameof(AdminCommand.EditServer))]
    [InlineData("--edit-server -t 192.0.2.10:80 -w 3 -m -r 10.0.0.11:8080", nameof(AdminCommand.EditServer))]
    [InlineData("-at 192.0.2.10:80 -mr 10.0.0.11:8080 -w3", nameof(AdminCommand.AddServer))]
    public void Parse_ServerCommands_CarryServerMethodWeight(string line, string expected)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(Enum.Parse<AdminCommand>(expected), c.Command);
        Assert.Equal(new ServiceKey("tcp", "192.0.2.10", 80), c.Service);
        Assert.Equal(new RealServerTarget("10.0.0.11", 8080, false), c.Server);
        Assert.Equal("masq", c.Method);
        Assert.Equal(3, c.Weight);
    }

    [Fact]
    public void Parse_AddServerWithoutPortOrWeight_UsesServicePortAndWeightOne()
    {
        ParsedCommand c = TestParsers.Parse("-a -t 192.0.2.10:80 -r 10.0.0.11 -m");

        Assert.Equal(new RealServerTarget("10.0.0.11", 80, false), c.Server);
        Assert.Equal(1, c.Weight);
    }

    [Theory]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.11:80")]
    [InlineData("--delete-server --tcp-service 192.0.2.10:80 --real-server 10.0.0.11")]
    public void Parse_DeleteServer_CarriesServer(string line)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.DeleteServer, c.Command);
        Assert.Equal(new RealServerTarget("10.0.0.11", 80, false), c.Server);
    }

    [Theory]
    [InlineData("-L", false, false)]
    [InlineData("-l", false, false)]
    [InlineData("--list", false, false)]
    [InlineData("-Ln", true, false)]
    [InlineData("-L -n", true, false)]
    [InlineData("-L --numeric --stats", true, true)]
    [InlineData("-L --stats -n", true, true)]
    public void Parse_List_SetsFormat(string line, bool numeric, bool stats)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.List, c.Command);
        Assert.Equal(numeric, c.Numeric);
        Assert.Equal(stats, c.Stats);
        Assert.Null(c.Service);
    }

    [Fact]
    public void Parse_ListOneService_CarriesService()
    {
        ParsedCommand c = TestParsers.Parse("-L -n -t 192.0.2.10:80");

        Assert.Equal(new ServiceKey("tcp", "192.0.2.10", 80), c.Service);
    }

    [Fact]
    public void Parse_ListExactNoSortSort_SetsFlags()
    {
        ParsedCommand c = TestParsers.Parse("-L -n --stats --exact --nosort --sort");

        Assert.True(c.Exact);
        Assert.True(c.NoSort);
    }

    [Theory]
    [InlineData("-Z", null)]
    [InlineData("--zero -t 192.0.2.10:80", "192.0.2.10")]
    public void Parse_Zero_ServiceOptional(string line, string? address)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.Zero, c.Command);
        Assert.Equal(address, c.Service?.Address);
    }

    [Theory]
    [InlineData("-L --drops", nameof(AdminCommand.List))]
    [InlineData("-L -n --drops", nameof(AdminCommand.List))]
    [InlineData("--drops", nameof(AdminCommand.Drops))]
    public void Parse_Drops_ListsDrops(string line, string expected)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(Enum.Parse<AdminCommand>(expected), c.Command);
        Assert.Equal(expected == nameof(AdminCommand.List), c.Drops);
    }

    [Theory]
    [InlineData("--control /tmp/x.sock -L -n")]
    [InlineData("-L --control /tmp/x.sock -n")]
    [InlineData("-L -n --control=/tmp/x.sock")]
    public void Parse_ControlAnywhere_SetsPathAndKeepsCommand(string line)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.List, c.Command);
        Assert.True(c.Numeric);
        Assert.Equal("/tmp/x.sock", c.ControlPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--control /tmp/x.sock")]
    public void Parse_NoArguments_ListsWithNames(string line)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.List, c.Command);
        Assert.False(c.Numeric);
    }

    [Theory]
    [InlineData("-h", nameof(AdminCommand.Help))]
    [InlineData("--help -L", nameof(AdminCommand.Help))]
    [InlineData("-v", nameof(AdminCommand.Version))]
    public void Parse_HelpAndVersion_StopAtFirstOption(string line, string expected) =>
        Assert.Equal(Enum.Parse<AdminCommand>(expected), TestParsers.Parse(line).Command);

    [Fact]
    public void Parse_HostAndServiceNames_Resolve()
    {
        ParsedCommand c = TestParsers.Parse("-a -t web.example:http -r 10.0.0.11:www -m");

        Assert.Equal(new ServiceKey("tcp", "203.0.113.5", 80), c.Service);
        Assert.Equal(80, c.Server!.Port);
    }

    [Fact]
    public void Parse_IPv6Service_KeepsAddressWithoutBrackets()
    {
        ParsedCommand c = TestParsers.Parse("-A -t [2001:db8:a::10]:80 -s rr");

        Assert.Equal(new ServiceKey("tcp", "2001:db8:a::10", 80), c.Service);
    }

    // ipvsadm's fail(2, ...) messages.
    [Theory]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -m -w 65536", "illegal weight specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -m -w -1", "illegal weight specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -m -w abc", "illegal weight specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -m -w 3x", "illegal weight specified")]
    [InlineData("-A -t 192.0.2.10:65536 -s rr", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t 192.0.2.10:nosuchport -s rr", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t 8080 -s rr", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t 192.0.2.300:80 -s rr", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t unknown.example:80 -s rr", "illegal virtual server address[:port] specified")]
    [InlineData("-A -t [2001:db8::1]80 -s rr", "illegal virtual server address[:port] specified")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0:99999 -m", "illegal real server address[:port] specified")]
    [InlineData("-a -r 10.0.0.11:www -t 192.0.2.10:80 -m", "illegal real server address[:port] specified")]
    [InlineData("-A -t 192.0.2.10 -s rr", "Zero port specified for non-persistent service")]
    [InlineData("-E -t 192.0.2.10:0 -s rr", "Zero port specified for non-persistent service")]
    [InlineData("-A -s rr", "You need to supply the 'service-address' option for the 'add-service' command")]
    [InlineData("-a -t 192.0.2.10:80 -m", "You need to supply the 'real-server' option for the 'add-server' command")]
    [InlineData("-d -t 192.0.2.10:80", "You need to supply the 'real-server' option for the 'delete-server' command")]
    [InlineData("-D -t 192.0.2.10:80 -s rr", "Illegal 'scheduler' option with the 'delete-service' command")]
    [InlineData("-C -t 192.0.2.10:80", "Illegal 'service-address' option with the 'flush' command")]
    [InlineData("-A -t 192.0.2.10:80 -s rr -n", "Illegal 'numeric' option with the 'add-service' command")]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.11 -m", "Illegal 'forwarding-method' option with the 'delete-server' command")]
    [InlineData("-Z --stats", "Illegal 'stats' option with the 'zero' command")]
    [InlineData("-L -s rr", "Illegal 'scheduler' option with the 'list' command")]
    [InlineData("-L -t 192.0.2.10:80 --drops", "The option 'drops' conflicts with the 'service-address' option in the 'list' command")]
    [InlineData("-L --drops --stats", "options conflicts in the list command")]
    [InlineData("-L -n -n", "multiple 'numeric' options specified")]
    [InlineData("-A -t 192.0.2.10:80 -t 192.0.2.11:80 -s rr", "multiple 'service-address' options specified")]
    [InlineData("-L -A", "invalid option `-A'")]
    [InlineData("-LA", "invalid option `-LA'")]
    [InlineData("-L -h", "invalid option `-h'")]
    [InlineData("-L extra", "unexpected argument extra")]
    [InlineData("-a -t 192.0.2.10:80 -r [2001:db8:b::1]:80 -m", "Different address family is allowed only for tunneling servers")]
    public void Parse_BadArguments_FailWithIpvsadmMessageAndExit2(string line, string message) =>
        RejectsWith(line, 2, message);

    // tryhelp_exit and popt errors: exit(-1), i.e. 255.
    [Theory]
    [InlineData("-nL", "Try `lvsadm -h' or 'lvsadm --help' for more information.")]
    [InlineData("-n -L", "Try `lvsadm -h' or 'lvsadm --help' for more information.")]
    [InlineData("-t 192.0.2.10:80 -A", "Try `lvsadm -h' or 'lvsadm --help' for more information.")]
    [InlineData("--bogus", "Try `lvsadm -h' or 'lvsadm --help' for more information.")]
    [InlineData("list", "Try `lvsadm -h' or 'lvsadm --help' for more information.")]
    [InlineData("-L --bogus", "--bogus: unknown option")]
    [InlineData("-L -q", "-q: unknown option")]
    [InlineData("-L -t", "-t: missing argument")]
    [InlineData("-L --numeric=yes", "--numeric=yes: option does not take an argument")]
    public void Parse_UsageErrors_Exit255(string line, string message) => RejectsWith(line, 255, message);

    [Fact]
    public void Parse_UnknownSchedulerName_IsTheKernelsRefusal() =>
        RejectsWith("-A -t 192.0.2.10:80 -s nosuch", 255, "Scheduler or persistence engine not found");

    // lvsadm's own refusals: one line, exit 1.
    [Theory]
    [InlineData("-A --sctp-service 192.0.2.10:80 -s rr", "lvsadm: --sctp-service (SCTP services) is not built yet")]
    [InlineData("-A -t 192.0.2.10:80 -s rr --pe sip", "lvsadm: --pe (persistence engines) is not built yet")]
    [InlineData("-L --daemon", "lvsadm: --daemon (the connection sync daemon) is not built yet")]
    [InlineData("--start-daemon master --mcast-interface eth0", "lvsadm: --start-daemon (the connection sync daemon) is not built yet")]
    [InlineData("--stop-daemon master", "lvsadm: --stop-daemon (the connection sync daemon) is not built yet")]
    [InlineData("-Z --syncid 3", "lvsadm: --syncid (the connection sync daemon) is not built yet")]
    [InlineData("-Z --mcast-group 224.0.0.81", "lvsadm: --mcast-group (the connection sync daemon) is not built yet")]
    [InlineData("-Z --mcast-port 8848", "lvsadm: --mcast-port (the connection sync daemon) is not built yet")]
    [InlineData("-Z --mcast-ttl 1", "lvsadm: --mcast-ttl (the connection sync daemon) is not built yet")]
    [InlineData("-Z --sync-maxlen 1472", "lvsadm: --sync-maxlen (the connection sync daemon) is not built yet")]
    [InlineData("-Z --mcast-interface eth0", "lvsadm: --mcast-interface (the connection sync daemon) is not built yet")]
    public void Parse_NotBuiltYet_RefusedWithOneLineAndExit1(string line, string message) => RejectsWith(line, 1, message);

    [Fact]
    public void Parse_RandomCommandLines_OnlyCommandLineExceptionsEscape()
    {
        var random = new Random(4321);
        string[] words =
        [
            "-A", "-E", "-D", "-C", "-a", "-e", "-d", "-L", "-Z", "-n", "-m", "-g", "-t", "-r", "-s", "-w", "--stats",
            "--drops", "--exact", "192.0.2.10:80", "10.0.0.11", "rr", "wrr", "1", "-Ln", "-at", "[2001:db8::1]:80",
            "--control", "/tmp/s", "--", "x", "-", "--weight=2", "::1", "0x0a000001", ":80", "[", "]:",
            "-g", "-i", "--tun-type", "gue", "gre", "ipip", "--tun-port", "6080", "--tun-nocsum", "--tun-csum",
            "--tun-remcsum", "--tun-info", "-u", "-p", "300", "-M", "255.255.255.0", "-o", "--ops", "-b", "sh-port",
            "mh-fallback,mh-port", "flag-3", ",", "sh", "mh", "-x", "-y", "--set", "0", "-c", "--timeout", "--thresholds",
            "--persistent-conn", "192.0.2.10:0", "--persistent=", "-p0", "-f", "-6", "4294967295", "4294967296", "-f7",
            "--fwmark-service", "-1",
        ];
        for (int round = 0; round < 20000; round++)
        {
            var args = new string[random.Next(0, 7)];
            for (int i = 0; i < args.Length; i++)
            {
                args[i] = words[random.Next(words.Length)];
            }

            try
            {
                TestParsers.Parser.Parse(args);
            }
            catch (CommandLineException e)
            {
                Assert.Contains(e.ExitCode, new[] { 1, 2, 255 });
                // ipvsadm's "-6 used before -f\n" is the one message that brings its own newline.
                Assert.DoesNotContain('\n', e.Message.TrimEnd('\n'));
            }
        }
    }
}
