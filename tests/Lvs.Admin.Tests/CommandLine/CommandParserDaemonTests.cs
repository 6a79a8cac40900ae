using Lvs.Admin.CommandLine;
using Lvs.Admin.Execution;
using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.CommandLine;

public class CommandParserDaemonTests
{
    [Fact]
    public void Parse_StartDaemonWithOptions_CarriesEveryOption()
    {
        ParsedCommand c = TestParsers.Parse("--start-daemon master --mcast-interface eth1 --syncid 7 --sync-maxlen 1400 --mcast-group 224.0.0.82 --mcast-port 8849 --mcast-ttl 2");

        Assert.Equal(AdminCommand.StartDaemon, c.Command);
        Assert.Equal(new SyncDaemonSpec("master") { Interface = "eth1", SyncId = 7, MaxLength = 1400, Group = "224.0.0.82", Port = 8849, Ttl = 2 }, c.Daemon);
        ControlRequest r = CommandRunner.BuildRequest(c);
        Assert.Equal(Commands.StartDaemon, r.Command);
        Assert.Equal(c.Daemon, r.Daemon);
    }

    [Fact]
    public void Parse_StopDaemonBackup_IsStopRequest()
    {
        ParsedCommand c = TestParsers.Parse("--stop-daemon backup");
        Assert.Equal(AdminCommand.StopDaemon, c.Command);
        Assert.Equal(Commands.StopDaemon, CommandRunner.BuildRequest(c).Command);
        Assert.Equal("backup", c.Daemon!.State);
    }

    [Fact]
    public void Parse_ListDaemon_AsksForDaemons() =>
        Assert.Equal(Commands.Daemons, CommandRunner.BuildRequest(TestParsers.Parse("-L --daemon")).Command);

    [Theory]
    [InlineData("--start-daemon primary --mcast-interface eth0", "illegal start-daemon parameter specified")]
    [InlineData("--start-daemon master", "You need to supply the 'mcast-interface' option for the 'start-daemon' command")]
    [InlineData("--start-daemon master --mcast-interface eth0 --syncid 256", "illegal syncid specified")]
    [InlineData("--start-daemon master --mcast-interface eth0 --mcast-ttl 0", "illegal mcast-ttl specified")]
    [InlineData("--start-daemon master --mcast-interface eth0 --mcast-port 70000", "illegal mcast-port specified")]
    [InlineData("--start-daemon master --mcast-interface eth0 --mcast-group nowhere", "illegal mcast-group specified")]
    [InlineData("--start-daemon master --mcast-interface eth0 --syncid 1 --syncid 2", "multiple 'syncid' options specified")]
    [InlineData("--start-daemon master --mcast-interface eth0 -t 192.0.2.10:80", "Illegal 'tcp-service' option with the 'start-daemon' command")]
    [InlineData("--stop-daemon master --syncid 1", "Illegal 'syncid' option with the 'stop-daemon' command")]
    public void Parse_BadDaemonCommand_IpvsadmMessage(string line, string message)
    {
        CommandLineException e = Assert.Throws<CommandLineException>(() => TestParsers.Parse(line));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Line_MasterDaemon_IsIpvsadmFormat() =>
        Assert.Equal("master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)",
            DaemonFormatter.Line(new SyncDaemonStatus("master", "eth0", 1, 1472, "224.0.0.81", 8848, 1)));
}
