using Lvs.Admin.CommandLine;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.CommandLine;

/// <summary>-x, -y, --set, and the list options -c, --timeout, --thresholds, --persistent-conn, as ipvsadm 1.31 takes them.</summary>
public class ListAndTimeoutOptionTests
{
    private static void RejectsWith(string line, int exitCode, string message)
    {
        CommandLineException e = Assert.Throws<CommandLineException>(() => TestParsers.Parse(line));
        Assert.Equal(message, e.Message);
        Assert.Equal(exitCode, e.ExitCode);
    }

    [Theory]
    [InlineData("-x 100 -y 50", 100, 50)]
    [InlineData("--u-threshold 100 --l-threshold=50", 100, 50)]
    [InlineData("-x0 -y0", 0, 0)]
    [InlineData("-x 2147483647", 2147483647, 0)]
    [InlineData("-y 7", 0, 7)]
    [InlineData("", 0, 0)]
    public void Parse_Thresholds_Carried(string options, int upper, int lower)
    {
        foreach (string command in new[] { "-a", "-e" })
        {
            ParsedCommand c = TestParsers.Parse($"{command} -t 192.0.2.10:80 -r 10.0.0.11 -m {options}");

            Assert.Equal(upper, c.UpperThreshold);
            Assert.Equal(lower, c.LowerThreshold);
        }
    }

    [Theory]
    [InlineData("-x -1", "illegal u_threshold specified")]
    [InlineData("-x 2147483648", "illegal u_threshold specified")]
    [InlineData("-x 10k", "illegal u_threshold specified")]
    [InlineData("--u-threshold=", "illegal u_threshold specified")]
    [InlineData("-y -1", "illegal l_threshold specified")]
    [InlineData("-y 99999999999", "illegal l_threshold specified")]
    [InlineData("-y abc", "illegal l_threshold specified")]
    [InlineData("-x 1 -x 2", "multiple 'u-threshold' options specified")]
    [InlineData("-y 1 -y 2", "multiple 'l-threshold' options specified")]
    public void Parse_BadThresholds_IpvsadmMessageAndExit2(string options, string message)
    {
        RejectsWith("-a -t 192.0.2.10:80 -r 10.0.0.11 -m " + options, 2, message);
        RejectsWith("-e -t 192.0.2.10:80 -r 10.0.0.11 -m " + options, 2, message);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10:80 -x 10", "Illegal 'u-threshold' option with the 'add-service' command")]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.11 -y 10", "Illegal 'l-threshold' option with the 'delete-server' command")]
    [InlineData("-L -x 10", "Illegal 'u-threshold' option with the 'list' command")]
    public void Parse_ThresholdsWithOtherCommands_Exit2(string line, string message) => RejectsWith(line, 2, message);

    [Theory]
    [InlineData("--set 900 120 300", 900, 120, 300)]
    [InlineData("--set 0 0 0", 0, 0, 0)]
    [InlineData("--set 2678400 1 0", 2678400, 1, 0)]
    [InlineData("--set 10 20 30 --control /tmp/x.sock", 10, 20, 30)]
    public void Parse_Set_ThreeTimeouts(string line, int tcp, int tcpFin, int udp)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.SetTimeouts, c.Command);
        Assert.Equal(new TimeoutSettings(tcp, tcpFin, udp), c.Timeouts);
    }

    [Theory]
    [InlineData("--set", "--set option requires 3 timeout values")]
    [InlineData("--set 900", "--set option requires 3 timeout values")]
    [InlineData("--set 900 120", "--set option requires 3 timeout values")]
    [InlineData("--set 900 120 300 60", "unexpected argument 60")]
    [InlineData("--set 900 x 300", "invalid timeout value `x' specified")]
    [InlineData("--set 2678401 120 300", "invalid timeout value `2678401' specified")]
    [InlineData("--set 900 120 3e2", "invalid timeout value `3e2' specified")]
    [InlineData("--set 900 120 300 -n", "Illegal 'numeric' option with the 'set' command")]
    [InlineData("--set 900 120 300 -t 192.0.2.10:80", "Illegal 'service-address' option with the 'set' command")]
    [InlineData("-L --set", "invalid option `--set'")]
    public void Parse_BadSet_IpvsadmMessageAndExit2(string line, string message) => RejectsWith(line, 2, message);

    [Fact]
    public void Parse_SetNegativeValue_PoptSeesAnOption() =>
        RejectsWith("--set 900 -1 300", 255, "-1: unknown option");

    [Theory]
    [InlineData("-L -c", true, false, false)]
    [InlineData("-L -n -c", true, true, false)]
    [InlineData("-Lnc", true, true, false)]
    [InlineData("--list --connection --persistent-conn", true, false, true)]
    [InlineData("-L -c --exact --nosort", true, false, false)]
    public void Parse_ListConnections_Flags(string line, bool connections, bool numeric, bool persistentConn)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.List, c.Command);
        Assert.Equal(connections, c.Connections);
        Assert.Equal(numeric, c.Numeric);
        Assert.Equal(persistentConn, c.PersistentConn);
    }

    [Theory]
    [InlineData("-L --timeout", false)]
    [InlineData("-L -n --timeout", true)]
    public void Parse_ListTimeout_Flag(string line, bool numeric)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.True(c.Timeout);
        Assert.Equal(numeric, c.Numeric);
    }

    [Theory]
    [InlineData("-L --thresholds", true, false)]
    [InlineData("-L -n --persistent-conn", false, true)]
    [InlineData("-L -n --thresholds --persistent-conn -t 192.0.2.10:80", true, true)]
    public void Parse_ListColumns_Flags(string line, bool thresholds, bool persistentConn)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(thresholds, c.Thresholds);
        Assert.Equal(persistentConn, c.PersistentConn);
    }

    [Theory]
    [InlineData("-L -c -t 192.0.2.10:80", "The option 'service-address' conflicts with the 'connection' option in the 'list' command")]
    [InlineData("-L -c --timeout", "The option 'timeout' conflicts with the 'connection' option in the 'list' command")]
    [InlineData("-L --timeout -u 192.0.2.10:53", "The option 'timeout' conflicts with the 'service-address' option in the 'list' command")]
    [InlineData("-L -c --drops", "The option 'drops' conflicts with the 'connection' option in the 'list' command")]
    [InlineData("-L -c --stats", "options conflicts in the list command")]
    [InlineData("-L -c --thresholds", "options conflicts in the list command")]
    [InlineData("-L --timeout --stats", "options conflicts in the list command")]
    [InlineData("-L --timeout --persistent-conn", "options conflicts in the list command")]
    [InlineData("-L --drops --thresholds", "options conflicts in the list command")]
    [InlineData("-L --drops --persistent-conn", "options conflicts in the list command")]
    [InlineData("-L -c -c", "multiple 'connection' options specified")]
    [InlineData("-L --thresholds --thresholds", "multiple 'thresholds' options specified")]
    [InlineData("-A -t 192.0.2.10:80 -c", "Illegal 'connection' option with the 'add-service' command")]
    [InlineData("-Z --timeout", "Illegal 'timeout' option with the 'zero' command")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 --thresholds", "Illegal 'thresholds' option with the 'add-server' command")]
    [InlineData("-C --persistent-conn", "Illegal 'persistent-conn' option with the 'flush' command")]
    [InlineData("--drops -c", "Illegal 'connection' option with the 'drops' command")]
    public void Parse_BadListOptions_IpvsadmMessageAndExit2(string line, string message) => RejectsWith(line, 2, message);

    [Fact]
    public void Rows_EveryCommand_OneRuleForEachColumn()
    {
        foreach (AdminCommand command in Enum.GetValues<AdminCommand>())
        {
            // -h/-v stop at once; --start-daemon/--stop-daemon check their own options (ParseDaemon).
            if (command is AdminCommand.Help or AdminCommand.Version or AdminCommand.StartDaemon or AdminCommand.StopDaemon)
            {
                Assert.False(OptionCheck.Rows.ContainsKey(command));
                continue;
            }

            Assert.Equal(OptionCheck.Columns.Length, OptionCheck.Rows[command].Row.Length);
            Assert.All(OptionCheck.Rows[command].Row, rule => Assert.Contains(rule, "+x1 "));
        }
    }
}
