using Lvs.Admin.CommandLine;

namespace Lvs.Admin.Tests.CommandLine;

/// <summary>-S, -R, --rate and lvsadm's --json and --reload against ipvsadm 1.31's option table.</summary>
public class SaveRestoreOptionTests
{
    private static void RejectsWith(string line, int exitCode, string message)
    {
        CommandLineException e = Assert.Throws<CommandLineException>(() => TestParsers.Parse(line));
        Assert.Equal(message, e.Message);
        Assert.Equal(exitCode, e.ExitCode);
    }

    [Theory]
    [InlineData("-S", false)]
    [InlineData("--save", false)]
    [InlineData("-S -n", true)]
    [InlineData("-Sn", true)]
    [InlineData("--save --numeric", true)]
    public void Parse_Save_TakesNumericOnly(string line, bool numeric)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.Save, c.Command);
        Assert.Equal(numeric, c.Numeric);
    }

    [Theory]
    [InlineData("-R")]
    [InlineData("--restore")]
    public void Parse_Restore_Command(string line) => Assert.Equal(AdminCommand.Restore, TestParsers.Parse(line).Command);

    [Fact]
    public void Parse_Reload_Command() => Assert.Equal(AdminCommand.Reload, TestParsers.Parse("--reload").Command);

    [Theory]
    [InlineData("-S -t 192.0.2.10:80", "Illegal 'service-address' option with the 'save' command")]
    [InlineData("-S --nosort", "Illegal 'nosort' option with the 'save' command")]
    [InlineData("-S --stats", "Illegal 'stats' option with the 'save' command")]
    [InlineData("-S --json", "Illegal 'json' option with the 'save' command")]
    [InlineData("-R -n", "Illegal 'numeric' option with the 'restore' command")]
    [InlineData("-R -t 192.0.2.10:80", "Illegal 'service-address' option with the 'restore' command")]
    [InlineData("-R rules.txt", "unexpected argument rules.txt")]
    [InlineData("--reload -n", "Illegal 'numeric' option with the 'reload' command")]
    [InlineData("--reload --json", "Illegal 'json' option with the 'reload' command")]
    [InlineData("-L -S", "invalid option `-S'")]
    [InlineData("-L --reload", "invalid option `--reload'")]
    [InlineData("-L --rate --rate", "multiple 'rate' options specified")]
    [InlineData("-L -c --rate", "options conflicts in the list command")]
    [InlineData("-L --timeout --rate", "options conflicts in the list command")]
    [InlineData("-L --drops --rate", "options conflicts in the list command")]
    [InlineData("-A -t 192.0.2.10:80 --rate", "Illegal 'rate' option with the 'add-service' command")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 --json", "Illegal 'json' option with the 'add-server' command")]
    [InlineData("-Z --json", "Illegal 'json' option with the 'zero' command")]
    public void Parse_Misused_IpvsadmMessageExit2(string line, string message) => RejectsWith(line, 2, message);

    [Theory]
    [InlineData("-L --rate", true, false)]
    [InlineData("-L -n --rate --exact", true, false)]
    [InlineData("-L --stats --rate", true, false)]
    [InlineData("-L --json", false, true)]
    [InlineData("-L -n --rate --json", true, true)]
    [InlineData("-L -c --json", false, true)]
    [InlineData("-L --timeout --json", false, true)]
    [InlineData("-L --drops --json", false, true)]
    [InlineData("-L -t 192.0.2.10:80 --rate --json", true, true)]
    public void Parse_RateAndJson_Flags(string line, bool rate, bool json)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.List, c.Command);
        Assert.Equal(rate, c.Rate);
        Assert.Equal(json, c.Json);
    }

    [Fact]
    public void Parse_DropsCommandWithJson_Accepted()
    {
        ParsedCommand c = TestParsers.Parse("--drops --json");

        Assert.Equal(AdminCommand.Drops, c.Command);
        Assert.True(c.Json);
    }
}
