using Lvs.Daemon.Config;
using static Lvs.Daemon.Tests.Config.ConfigText;

namespace Lvs.Daemon.Tests.Config;

public class KeepalivedErrorTests
{
    [Theory]
    [InlineData("missing-brace.conf", "missing-brace.conf", 1, 30, "missing '}'")]
    [InlineData("bad-address.conf", "bad-address.conf", 3, 17, "'203.0.113.300' is not an IPv4 or IPv6 address")]
    [InlineData("unknown-kind.conf", "unknown-kind.conf", 3, 13, "lb_kind must be NAT, DR or TUN")]
    [InlineData("duplicate.conf", "duplicate.conf", 5, 5, "virtual service TCP 192.0.2.10:80 is already defined at")]
    [InlineData("bad-number.conf", "bad-number.conf", 4, 16, "weight needs a number from 0 to 65535")]
    [InlineData("cycle-a.conf", "cycle-b.conf", 1, 12, "include cycle:")]
    [InlineData("included-error.conf", "broken.inc", 2, 15, "unknown scheduler 'nosuch'")]
    [InlineData("stray-brace.conf", "stray-brace.conf", 4, 1, "unexpected '}'")]
    public void Load_ErrorFile_IsRefusedWithLineAndColumn(string file, string inFile, int line, int column, string message)
    {
        ConfigLoadResult r = ConfigLoader.Load(Corpus(Path.Combine("errors", file)));

        Assert.Null(r.Configuration);
        Assert.False(r.Succeeded);
        ConfigDiagnostic e = Assert.Single(r.Errors);
        Assert.Equal((inFile, line, column), (Path.GetFileName(e.File), e.Line, e.Column));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("virtual_server 192.0.2.1 80 {\n lvs_sched rr\n lvs_method TUN type gue\n}\n", 3, 2, "gue tunnel needs a port")]
    [InlineData("virtual_server 192.0.2.1 80 {\n lvs_sched rr\n lvs_method DR csum\n}\n", 3, 16, "takes no options")]
    [InlineData("virtual_server 192.0.2.1 80 {\n lvs_sched rr\n protocol SCTP\n}\n", 3, 11, "SCTP")]
    [InlineData("virtual_server 2001:db8:a::1 80 {\n lvs_sched rr\n real_server 2001:db8:b::11 8080 {\n weight 300x\n }\n}\n", 4, 9, "weight")]
    [InlineData("virtual_server 192.0.2.1 80 {\n lvs_sched rr\n persistence_granularity 255.0.255.0\n}\n", 3, 26, "netmask")]
    [InlineData("virtual_server group nope {\n lvs_sched rr\n}\n", 1, 22, "'nope' is not defined")]
    [InlineData("virtual_server 192.0.2.1 80 {\n real_server 10.0.0.1 80 {\n }\n real_server 10.0.0.1 80\n}\n", 4, 2, "is already defined at")]
    [InlineData("global_defs {\n lvs_timeouts tcp x\n}\n", 2, 19, "lvs_timeouts tcp needs")]
    [InlineData("virtual_server 192.0.2.1 80 {\n sorry_server 10.0.0.1 \"80\n}\n", 2, 24, "unterminated quoted string")]
    [InlineData("include missing.conf\n", 1, 9, "does not exist")]
    [InlineData("virtual_server 192.0.2.1 80 {\n lvs_sched rr\n}\n{\n}\n", 4, 1, "'{' without a keyword")]
    public void LoadText_BadValue_IsRefusedWithLineAndColumn(string text, int line, int column, string message)
    {
        ConfigLoadResult r = ConfigLoader.LoadText(text, Corpus("inline.conf"));

        Assert.Null(r.Configuration);
        ConfigDiagnostic e = r.Errors[0];
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Load_MissingFile_IsRefusedNotThrown()
    {
        ConfigLoadResult r = ConfigLoader.Load(Corpus("no-such-file.conf"));

        Assert.Null(r.Configuration);
        Assert.Contains("cannot read", Assert.Single(r.Errors).Message);
    }

    [Fact]
    public void LoadText_WildcardIncludeMatchingNothing_IsOnlyAWarning()
    {
        ConfigLoadResult r = ConfigLoader.LoadText("include nothing-here/*.conf\n", Corpus("inline.conf"));

        Assert.True(r.Succeeded);
        Assert.Contains("matches no file", Assert.Single(r.Warnings).Message);
    }
}
