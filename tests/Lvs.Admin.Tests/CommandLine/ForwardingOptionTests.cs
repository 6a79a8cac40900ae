using Lvs.Admin.CommandLine;

namespace Lvs.Admin.Tests.CommandLine;

/// <summary>-g, -i, -m and the tunnel options, with ipvsadm 1.31's defaults, checks and messages.</summary>
public class ForwardingOptionTests
{
    private static void RejectsWith(string line, int exitCode, string message)
    {
        CommandLineException e = Assert.Throws<CommandLineException>(() => TestParsers.Parse(line));
        Assert.Equal(message, e.Message);
        Assert.Equal(exitCode, e.ExitCode);
    }

    [Theory]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11:8080", nameof(AdminCommand.AddServer))]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11:8080 -w 2", nameof(AdminCommand.AddServer))]
    [InlineData("-e -t 192.0.2.10:80 -r 10.0.0.11:8080 -w 2", nameof(AdminCommand.EditServer))]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11:8080 -g", nameof(AdminCommand.AddServer))]
    [InlineData("--add-server --tcp-service 192.0.2.10:80 --real-server 10.0.0.11:8080 --gatewaying", nameof(AdminCommand.AddServer))]
    [InlineData("-at 192.0.2.10:80 -gr 10.0.0.11:8080", nameof(AdminCommand.AddServer))]
    [InlineData("-e -t 192.0.2.10:80 -r 10.0.0.11:8080 -g -w 2", nameof(AdminCommand.EditServer))]
    public void Parse_NoMethodOrGatewaying_DirectRoutingOnTheServicePort(string line, string expected)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(Enum.Parse<AdminCommand>(expected), c.Command);
        Assert.Equal("route", c.Method);

        // ipvsadm: "The destination port must be equal to the service port" for DR and TUN.
        Assert.Equal(new RealServerTarget("10.0.0.11", 80, false), c.Server);
        Assert.Null(c.TunnelType);
        Assert.Equal(0, c.TunnelPort);
        Assert.Null(c.TunnelChecksum);
    }

    [Fact]
    public void Parse_Masquerading_KeepsTheRealServersPortAndNoTunnelFields()
    {
        ParsedCommand c = TestParsers.Parse("-a -t 192.0.2.10:80 -r 10.0.0.11:8080 -m");

        Assert.Equal("masq", c.Method);
        Assert.Equal(8080, c.Server!.Port);
        Assert.Null(c.TunnelType);
        Assert.Null(c.TunnelChecksum);
    }

    [Theory]
    [InlineData("-i", "ipip", 0, null)]
    [InlineData("--ipip", "ipip", 0, null)]
    [InlineData("-i --tun-type ipip", "ipip", 0, null)]
    [InlineData("-i --tun-type gue --tun-port 6080", "gue", 6080, "nocsum")]
    [InlineData("-i --tun-type=gue --tun-port=6080 --tun-nocsum", "gue", 6080, "nocsum")]
    [InlineData("-i --tun-port 65535 --tun-csum --tun-type gue", "gue", 65535, "csum")]
    [InlineData("--tun-remcsum -i --tun-type gue --tun-port 1", "gue", 1, "remcsum")]
    [InlineData("-i --tun-type gre", "gre", 0, "nocsum")]
    [InlineData("-i --tun-type gre --tun-nocsum", "gre", 0, "nocsum")]
    [InlineData("-i --tun-type gre --tun-csum", "gre", 0, "csum")]
    public void Parse_Ipip_TunnelFieldsWithIpvsadmDefaults(string options, string type, int port, string? checksum)
    {
        foreach (string command in new[] { "-a", "-e" })
        {
            ParsedCommand c = TestParsers.Parse($"{command} -t 192.0.2.10:80 -r 10.0.0.11:8080 {options}");

            Assert.Equal("tunnel", c.Method);
            Assert.Equal(new RealServerTarget("10.0.0.11", 80, false), c.Server);
            Assert.Equal(type, c.TunnelType);
            Assert.Equal(port, c.TunnelPort);
            Assert.Equal(checksum, c.TunnelChecksum);
        }
    }

    [Fact]
    public void Parse_IpipToOtherAddressFamily_AllowedAsIpvsadmDoes()
    {
        ParsedCommand c = TestParsers.Parse("-a -t 192.0.2.10:80 -r [2001:db8:b::1]:8080 -i");

        Assert.Equal(new RealServerTarget("2001:db8:b::1", 80, true), c.Server);
        Assert.Equal("tunnel", c.Method);
    }

    [Fact]
    public void Parse_DeleteServer_KeepsItsPortAndDefaultMethod()
    {
        ParsedCommand c = TestParsers.Parse("-d -t 192.0.2.10:80 -r 10.0.0.11:8080");

        Assert.Equal(8080, c.Server!.Port);
        Assert.Equal("route", c.Method);
        Assert.Null(c.TunnelType);
    }

    [Theory]
    [InlineData("-L --tun-info", true, false)]
    [InlineData("-L -n --tun-info", true, false)]
    [InlineData("-L -n --tun-info -t 192.0.2.10:80", true, false)]
    [InlineData("-L --stats --tun-info", true, true)]
    [InlineData("-L -n", false, false)]
    public void Parse_ListTunInfo_SetsFormat(string line, bool tunInfo, bool stats)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(AdminCommand.List, c.Command);
        Assert.Equal(tunInfo, c.TunInfo);
        Assert.Equal(stats, c.Stats);
    }

    // ipvsadm 1.31's fail(2, ...) messages: the option loop, generic_opt_check, process_options, tunnel_opt_check.
    [Theory]
    [InlineData("-i --tun-type vxlan", "illegal tunnel type specified")]
    [InlineData("-i --tun-type GUE", "illegal tunnel type specified")]
    [InlineData("-i --tun-type=", "illegal tunnel type specified")]
    [InlineData("-i --tun-type gue --tun-port 0", "illegal tunnel port specified")]
    [InlineData("-i --tun-type gue --tun-port 65536", "illegal tunnel port specified")]
    [InlineData("-i --tun-type gue --tun-port -1", "illegal tunnel port specified")]
    [InlineData("-i --tun-type gue --tun-port 60x", "illegal tunnel port specified")]
    [InlineData("-i --tun-type gue", "You need to supply the 'tun-port' option for the 'gue' tunnel type")]
    [InlineData("-i --tun-type gue --tun-csum", "You need to supply the 'tun-port' option for the 'gue' tunnel type")]
    [InlineData("-i --tun-port 6080", "Illegal 'tun-port' option with the 'ipip' tunnel type")]
    [InlineData("-i --tun-type ipip --tun-nocsum", "Illegal 'tun-nocsum' option with the 'ipip' tunnel type")]
    [InlineData("-i --tun-csum", "Illegal 'tun-csum' option with the 'ipip' tunnel type")]
    [InlineData("-i --tun-remcsum", "Illegal 'tun-remcsum' option with the 'ipip' tunnel type")]
    [InlineData("-i --tun-type gue --tun-port 6080 --tun-csum --tun-remcsum", "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type")]
    [InlineData("-i --tun-type gue --tun-port 6080 --tun-remcsum --tun-nocsum", "The option 'tun-remcsum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type")]
    [InlineData("-i --tun-type gue --tun-port 6080 --tun-csum --tun-nocsum", "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type")]
    [InlineData("-i --tun-type gre --tun-port 6080", "Illegal 'tun-port' option with the 'gre' tunnel type")]
    [InlineData("-i --tun-type gre --tun-remcsum", "Illegal 'tun-remcsum' option with the 'gre' tunnel type")]
    [InlineData("-i --tun-type gre --tun-nocsum --tun-csum", "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type")]
    [InlineData("-m --tun-type gue --tun-port 6080", "Tunnel options conflict with forward method")]
    [InlineData("-g --tun-type ipip", "Tunnel options conflict with forward method")]
    [InlineData("--tun-port 6080", "Tunnel options conflict with forward method")]
    [InlineData("-m --tun-nocsum", "Tunnel options conflict with forward method")]
    [InlineData("-g --tun-csum", "Tunnel options conflict with forward method")]
    [InlineData("--tun-remcsum", "Tunnel options conflict with forward method")]
    [InlineData("-m -g", "multiple 'forwarding-method' options specified")]
    [InlineData("-g -i", "multiple 'forwarding-method' options specified")]
    [InlineData("-i -i", "multiple 'forwarding-method' options specified")]
    [InlineData("-i --tun-type gue --tun-type gre", "multiple 'tun-type' options specified")]
    [InlineData("-i --tun-type gue --tun-port 1 --tun-port 2", "multiple 'tun-port' options specified")]
    [InlineData("-i --tun-type gre --tun-csum --tun-csum", "multiple 'tun-csum' options specified")]
    [InlineData("-i --tun-info", "Illegal 'tun-info' option with the 'add-server' command")]
    public void Parse_BadServerOptions_IpvsadmMessageAndExit2(string options, string message)
    {
        RejectsWith("-a -t 192.0.2.10:80 -r 10.0.0.11 " + options, 2, message);
        RejectsWith("-e -t 192.0.2.10:80 -r 10.0.0.11 " + options, 2, message.Replace("'add-server'", "'edit-server'"));
    }

    [Theory]
    [InlineData("-a -t 192.0.2.10:80 -r [2001:db8:b::1]:80 -g", "Different address family is allowed only for tunneling servers")]
    [InlineData("-a -t 192.0.2.10:80 -r [2001:db8:b::1]:80", "Different address family is allowed only for tunneling servers")]
    [InlineData("-a -t 192.0.2.10:80 -r [2001:db8:b::1]:80 -m --tun-csum", "Different address family is allowed only for tunneling servers")]
    [InlineData("-a -t 192.0.2.10:80 -i --tun-type gue", "You need to supply the 'real-server' option for the 'add-server' command")]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.11 -g", "Illegal 'forwarding-method' option with the 'delete-server' command")]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.11 -i", "Illegal 'forwarding-method' option with the 'delete-server' command")]
    [InlineData("-d -t 192.0.2.10:80 -r 10.0.0.11 --tun-type gue", "Illegal 'tun-type' option with the 'delete-server' command")]
    [InlineData("-A -t 192.0.2.10:80 -s rr --tun-type gue", "Illegal 'tun-type' option with the 'add-service' command")]
    [InlineData("-E -t 192.0.2.10:80 -s rr --tun-port 6080", "Illegal 'tun-port' option with the 'edit-service' command")]
    [InlineData("-A -t 192.0.2.10:80 -s rr -g", "Illegal 'forwarding-method' option with the 'add-service' command")]
    [InlineData("-L --tun-type gue", "Illegal 'tun-type' option with the 'list' command")]
    [InlineData("-L --tun-csum", "Illegal 'tun-csum' option with the 'list' command")]
    [InlineData("-L -i", "Illegal 'forwarding-method' option with the 'list' command")]
    [InlineData("-L --tun-type vxlan", "illegal tunnel type specified")]
    [InlineData("-L --tun-info --tun-info", "multiple 'tun-info' options specified")]
    [InlineData("-Z --tun-info", "Illegal 'tun-info' option with the 'zero' command")]
    [InlineData("-C --tun-info", "Illegal 'tun-info' option with the 'flush' command")]
    [InlineData("-L --drops --tun-info", "options conflicts in the list command")]
    public void Parse_TunnelOptionsWithOtherCommands_IpvsadmMessageAndExit2(string line, string message) =>
        RejectsWith(line, 2, message);

    [Theory]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -i --tun-type", "--tun-type: missing argument")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -i --tun-type gue --tun-port", "--tun-port: missing argument")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -i --tun-csum=yes", "--tun-csum=yes: option does not take an argument")]
    [InlineData("-L --tun-info=1", "--tun-info=1: option does not take an argument")]
    public void Parse_TunnelOptionPoptErrors_Exit255(string line, string message) => RejectsWith(line, 255, message);

    [Theory]
    [InlineData("-a --sctp-service 192.0.2.10:80 -r 10.0.0.11 -g", "lvsadm: --sctp-service (SCTP services) is not built yet")]
    public void Parse_StillNotBuilt_RefusedWithOneLineAndExit1(string line, string message) => RejectsWith(line, 1, message);
}
