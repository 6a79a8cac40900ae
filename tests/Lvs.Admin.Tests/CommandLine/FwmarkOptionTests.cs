using Lvs.Admin.CommandLine;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.CommandLine;

/// <summary>-f/--fwmark-service with ipvsadm 1.31's parse_fwmark, its -6 rule and process_options' fwmark exceptions.</summary>
public class FwmarkOptionTests
{
    private static void RejectsWith(string[] args, int exitCode, string message)
    {
        CommandLineException e = Assert.Throws<CommandLineException>(() => TestParsers.Parser.Parse(args));
        Assert.Equal(message, e.Message);
        Assert.Equal(exitCode, e.ExitCode);
    }

    private static void RejectsWith(string line, int exitCode, string message) => RejectsWith(TestParsers.Split(line), exitCode, message);

    [Theory]
    [InlineData("-A -f 1", nameof(AdminCommand.AddService))]
    [InlineData("-E -f 1 -s rr", nameof(AdminCommand.EditService))]
    [InlineData("-D -f 1", nameof(AdminCommand.DeleteService))]
    [InlineData("-a -f 1 -r 10.0.0.11", nameof(AdminCommand.AddServer))]
    [InlineData("-e -f 1 -r 10.0.0.11 -w 3", nameof(AdminCommand.EditServer))]
    [InlineData("-d -f 1 -r 10.0.0.11", nameof(AdminCommand.DeleteServer))]
    [InlineData("-L -n -f 1", nameof(AdminCommand.List))]
    [InlineData("-Z -f 1", nameof(AdminCommand.Zero))]
    [InlineData("--add-service --fwmark-service 1", nameof(AdminCommand.AddService))]
    [InlineData("-A --fwmark-service=1", nameof(AdminCommand.AddService))]
    [InlineData("-A -f1", nameof(AdminCommand.AddService))]
    [InlineData("-Lnf 1", nameof(AdminCommand.List))]
    public void Parse_EveryServiceCommand_FwmarkKey(string line, string expected)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(Enum.Parse<AdminCommand>(expected), c.Command);
        Assert.Equal(ServiceKey.ForFwmark(1), c.Service);
        Assert.Equal("fwmark", c.Service!.Protocol);
        Assert.Equal("", c.Service.Address);
        Assert.Equal(0, c.Service.Port);
    }

    [Theory]
    [InlineData("1", 1u)]
    [InlineData("+5", 5u)]
    [InlineData(" \t7", 7u)]
    [InlineData("007", 7u)]
    [InlineData("2147483647", 2147483647u)]
    [InlineData("2147483648", 2147483648u)]
    [InlineData("4294967295", 4294967295u)]
    public void Parse_MarkStrtolInRange_Taken(string mark, uint expected) =>
        Assert.Equal(expected, TestParsers.Parser.Parse(["-A", "-f", mark]).Service!.Fwmark);

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-1")]
    [InlineData("-4294967295")]
    [InlineData("4294967296")]
    [InlineData("99999999999999999999999")]
    [InlineData("0x10")]
    [InlineData("1a")]
    [InlineData("1 ")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("+")]
    [InlineData("1.5")]
    public void Parse_BadMark_ParseFwmarksMessageExit2(string mark) =>
        RejectsWith(["-A", "-f", mark], 2, $"invalid fwmark value `{mark}' specified");

    [Theory]
    [InlineData("-A -f 1 -t 192.0.2.10:80")]
    [InlineData("-A -t 192.0.2.10:80 -f 1")]
    [InlineData("-A -u 192.0.2.10:53 -f 1")]
    [InlineData("-A -f 1 -f 2")]
    [InlineData("-L -f 1 -t 192.0.2.10:80")]
    [InlineData("-A -t 192.0.2.10:80 -f bogus")]
    public void Parse_FwmarkWithAnotherService_MultipleServiceAddress(string line) =>
        RejectsWith(line, 2, "multiple 'service-address' options specified");

    [Fact]
    public void Parse_BadMarkBeforeTcp_MarkRefusedFirst() =>
        RejectsWith("-A -f bogus -t 192.0.2.10:80", 2, "invalid fwmark value `bogus' specified");

    [Theory]
    [InlineData("-A -6 -f 1")]
    [InlineData("-A -t 192.0.2.10:80 -6")]
    [InlineData("-L -c -6")]
    [InlineData("-a -6 -f 1 -r 10.0.0.11")]
    public void Parse_Ipv6BeforeFwmark_IpvsadmsMessageWithItsOwnNewline(string line) =>
        RejectsWith(line, 2, "-6 used before -f\n");

    [Theory]
    [InlineData("-A -f 1 -6")]
    [InlineData("-A -f 1 --ipv6 -s rr")]
    [InlineData("-L -n -f 1 -6")]
    [InlineData("-d -f 1 -r 2001:db8:b::11 -6")]
    public void Parse_Ipv6AfterFwmark_ServiceIsIpv6(string line)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(1u, c.Service!.Fwmark);
        Assert.True(c.Service.Ipv6);
    }

    [Fact]
    public void Parse_Ipv6FwmarkWithPrefix_SendsPrefixLength()
    {
        ParsedCommand c = TestParsers.Parse("-A -f 1 -6 -s rr -p 60 -M 64");

        Assert.Equal("64", c.PersistenceNetmask);
    }

    [Fact]
    public void Parse_Ipv6ServiceWithPrefix_SendsPrefixLength()
    {
        ParsedCommand c = TestParsers.Parse("-A -t [2001:db8:a::10]:80 -s rr -p -M 64");

        Assert.Equal("64", c.PersistenceNetmask);
        Assert.Equal("2001:db8:a::10", c.Service!.Address);
    }

    [Fact]
    public void Parse_AddWithoutPersistence_NoZeroPortRefusal()
    {
        ParsedCommand c = TestParsers.Parse("-A -f 1");

        Assert.Equal("wlc", c.Scheduler);
        Assert.False(c.Persistent);
        Assert.Equal(0, c.PersistenceTimeout);
    }

    [Fact]
    public void Parse_PersistentWithMask_Taken()
    {
        ParsedCommand c = TestParsers.Parse("-A -f 7 -s sh -b sh-port -p 60 -M 255.255.255.0");

        Assert.Equal(ServiceKey.ForFwmark(7), c.Service);
        Assert.True(c.Persistent);
        Assert.Equal(60, c.PersistenceTimeout);
        Assert.Equal("255.255.255.0", c.PersistenceNetmask);
        Assert.Equal(["sh-port"], c.SchedulerFlags);
    }

    [Fact]
    public void Parse_PersistentDefaultTimeout_300()
    {
        ParsedCommand c = TestParsers.Parse("-E -f 7 -p -s rr");

        Assert.True(c.Persistent);
        Assert.Equal(300, c.PersistenceTimeout);
    }

    [Fact]
    public void Parse_MaskBeforeFwmark_StillIPv4Mask() =>
        Assert.Equal("255.255.0.0", TestParsers.Parse("-A -M 255.255.0.0 -f 7 -p").PersistenceNetmask);

    [Theory]
    [InlineData("-A -f 1 -o")]
    [InlineData("-E -f 1 --ops -s rr")]
    public void Parse_OnePacket_AllowedForFwmark(string line) => Assert.True(TestParsers.Parse(line).OnePacket);

    [Theory]
    [InlineData("-A -f 1 -r 10.0.0.11", "Illegal 'real-server' option with the 'add-service' command")]
    [InlineData("-D -f 1 -s rr", "Illegal 'scheduler' option with the 'delete-service' command")]
    [InlineData("-a -f 1", "You need to supply the 'real-server' option for the 'add-server' command")]
    [InlineData("-L -c -f 1", "The option 'service-address' conflicts with the 'connection' option in the 'list' command")]
    [InlineData("-A -f 1 -p -M 255.255.255.256", "illegal virtual server persistent mask specified")]
    [InlineData("-A -f 1 -s rr -b mh-port", "incompatible scheduler flag `mh-port'")]
    [InlineData("-C -f 1", "Illegal 'service-address' option with the 'flush' command")]
    public void Parse_FwmarkWithTheTablesRules_IpvsadmMessageExit2(string line, string message) => RejectsWith(line, 2, message);

    [Theory]
    [InlineData("-a -f 1 -r 10.0.0.11 -g", "route", 0)]
    [InlineData("-a -f 1 -r 10.0.0.11:8080 -g", "route", 8080)]
    [InlineData("-a -f 1 -r 10.0.0.11:8080 -i", "tunnel", 8080)]
    [InlineData("-a -f 1 -r 10.0.0.11:8080 -m", "masq", 8080)]
    [InlineData("-e -f 1 -r 10.0.0.11:443", "route", 443)]
    [InlineData("-d -f 1 -r 10.0.0.11:80", "route", 80)]
    public void Parse_RealServerOfFwmark_PortAsGivenOrZeroForEveryMethod(string line, string method, int port)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(new RealServerTarget("10.0.0.11", (ushort)port, false), c.Server);
        Assert.Equal(method, c.Method);
    }

    [Fact]
    public void Parse_RealServerPortName_ResolvedAsTcp()
    {
        // -f sets the protocol to TCP; a name -r gives before -f finds no protocol yet.
        Assert.Equal(80, TestParsers.Parse("-a -f 1 -r 10.0.0.11:http -m").Server!.Port);
        RejectsWith("-a -f 1 -r 10.0.0.11:domain -m", 2, "illegal real server address[:port] specified");
        RejectsWith("-a -r 10.0.0.11:http -f 1 -m", 2, "illegal real server address[:port] specified");
    }

    [Fact]
    public void Parse_IPv6RealServerOfFwmark_OnlyTunnelling()
    {
        RejectsWith("-a -f 1 -r [2001:db8::11]:80 -m", 2, "Different address family is allowed only for tunneling servers");
        Assert.Equal(new RealServerTarget("2001:db8::11", 80, true), TestParsers.Parse("-a -f 1 -r [2001:db8::11]:80 -i").Server);
    }

    [Fact]
    public void Parse_GueTunnelToFwmarkServer_TunnelOptionsChecked()
    {
        ParsedCommand c = TestParsers.Parse("-a -f 1 -r 10.0.0.11 -i --tun-type gue --tun-port 6080 --tun-csum");

        Assert.Equal(("gue", (ushort)6080, "csum"), (c.TunnelType, c.TunnelPort, c.TunnelChecksum));
        RejectsWith("-a -f 1 -r 10.0.0.11 -i --tun-type gue", 2, "You need to supply the 'tun-port' option for the 'gue' tunnel type");
    }
}
