using Lvs.Admin.CommandLine;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.CommandLine;

/// <summary>-u, -s, -b, -p, -M and -o with ipvsadm 1.31's defaults, checks and messages.</summary>
public class ServiceOptionTests
{
    private static void RejectsWith(string line, int exitCode, string message)
    {
        CommandLineException e = Assert.Throws<CommandLineException>(() => TestParsers.Parse(line));
        Assert.Equal(message, e.Message);
        Assert.Equal(exitCode, e.ExitCode);
    }

    [Theory]
    [InlineData("-A -u 192.0.2.10:53 -s rr", nameof(AdminCommand.AddService))]
    [InlineData("--add-service --udp-service 192.0.2.10:domain -s rr", nameof(AdminCommand.AddService))]
    [InlineData("-E -u 192.0.2.10:53 -s rr", nameof(AdminCommand.EditService))]
    [InlineData("-D -u 192.0.2.10:53", nameof(AdminCommand.DeleteService))]
    [InlineData("-Z -u 192.0.2.10:53", nameof(AdminCommand.Zero))]
    [InlineData("-L -n -u 192.0.2.10:53", nameof(AdminCommand.List))]
    public void Parse_UdpService_ProtocolUdp(string line, string expected)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.Equal(Enum.Parse<AdminCommand>(expected), c.Command);
        Assert.Equal(new ServiceKey("udp", "192.0.2.10", 53), c.Service);
    }

    [Fact]
    public void Parse_UdpPortName_LooksUpUdpNotTcp()
    {
        // "domain" is in the test table for udp only; "http" only for tcp.
        Assert.Equal(53, TestParsers.Parse("-A -u 192.0.2.10:domain").Service!.Port);
        RejectsWith("-A -u 192.0.2.10:http", 2, "illegal virtual server address[:port] specified");
        RejectsWith("-A -t 192.0.2.10:domain", 2, "illegal virtual server address[:port] specified");
    }

    [Fact]
    public void Parse_RealServerOfUdpService_PortNameByUdp()
    {
        ParsedCommand c = TestParsers.Parse("-a -u 192.0.2.10:53 -r 10.0.0.11:domain -m");

        Assert.Equal(new RealServerTarget("10.0.0.11", 53, false), c.Server);
        Assert.Equal("udp", c.Service!.Protocol);
    }

    [Theory]
    [InlineData("rr")]
    [InlineData("wrr")]
    [InlineData("lc")]
    [InlineData("wlc")]
    [InlineData("lblc")]
    [InlineData("lblcr")]
    [InlineData("dh")]
    [InlineData("sh")]
    [InlineData("sed")]
    [InlineData("nq")]
    [InlineData("fo")]
    [InlineData("ovf")]
    [InlineData("mh")]
    [InlineData("twos")]
    public void Parse_EveryIpvsScheduler_Taken(string scheduler)
    {
        Assert.Equal(scheduler, TestParsers.Parse($"-A -t 192.0.2.10:80 -s {scheduler}").Scheduler);
        Assert.Equal(scheduler, TestParsers.Parse($"-E -t 192.0.2.10:80 --scheduler={scheduler}").Scheduler);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10:80")]
    [InlineData("-E -t 192.0.2.10:80")]
    [InlineData("-A -t 192.0.2.10:80 -p")]
    public void Parse_NoScheduler_IpvsadmDefaultWlc(string line) => Assert.Equal("wlc", TestParsers.Parse(line).Scheduler);

    [Fact]
    public void Parse_EmptyScheduler_WlcAsIpvsadmsEmptySchedName() =>
        Assert.Equal("wlc", TestParsers.Parser.Parse(["-A", "-t", "192.0.2.10:80", "-s", ""]).Scheduler);

    [Theory]
    [InlineData("-A -t 192.0.2.10:80 -s nosuch")]
    [InlineData("-A -t 192.0.2.10:80 -s RR")]
    [InlineData("-E -t 192.0.2.10:80 -s wlcx")]
    [InlineData("-A -t 192.0.2.10:80 -s rrrrrrrrrrrrrrrrrrrr")]
    public void Parse_UnknownScheduler_KernelsRefusalExit255(string line) =>
        RejectsWith(line, 255, "Scheduler or persistence engine not found");

    [Theory]
    [InlineData("-s sh -b sh-fallback", "sh", new[] { "sh-fallback" })]
    [InlineData("-s sh -b sh-port", "sh", new[] { "sh-port" })]
    [InlineData("-s sh -b sh-port,sh-fallback", "sh", new[] { "sh-fallback", "sh-port" })]
    [InlineData("-b sh-fallback,sh-port -s sh", "sh", new[] { "sh-fallback", "sh-port" })]
    [InlineData("-s sh -b flag-1,flag-2", "sh", new[] { "sh-fallback", "sh-port" })]
    [InlineData("-s sh -b flag-3", "sh", new[] { "flag-3" })]
    [InlineData("-s mh -b mh-fallback", "mh", new[] { "mh-fallback" })]
    [InlineData("-s mh --sched-flags mh-port,mh-fallback", "mh", new[] { "mh-fallback", "mh-port" })]
    [InlineData("-s mh -b flag-2", "mh", new[] { "mh-port" })]
    [InlineData("-s rr -b flag-1", "rr", new[] { "flag-1" })]
    [InlineData("-s wrr -b flag-3,flag-1,flag-2", "wrr", new[] { "flag-1", "flag-2", "flag-3" })]
    [InlineData("-b flag-2", "wlc", new[] { "flag-2" })]
    [InlineData("-s sh -b ,sh-port,,", "sh", new[] { "sh-port" })]
    [InlineData("-s sh -b sh-port,sh-port", "sh", new[] { "sh-port" })]
    public void Parse_SchedFlags_CanonicalNamesInBitOrder(string options, string scheduler, string[] flags)
    {
        foreach (string command in new[] { "-A", "-E" })
        {
            ParsedCommand c = TestParsers.Parse($"{command} -t 192.0.2.10:80 {options}");

            Assert.Equal(scheduler, c.Scheduler);
            Assert.Equal(flags, c.SchedulerFlags);
        }
    }

    [Fact]
    public void Parse_NoSchedFlagsOrEmptyOne_Null()
    {
        Assert.Null(TestParsers.Parse("-A -t 192.0.2.10:80 -s sh").SchedulerFlags);

        // ipvsadm only parses -b when its argument is not empty.
        Assert.Null(TestParsers.Parser.Parse(["-A", "-t", "192.0.2.10:80", "-s", "sh", "-b", ""]).SchedulerFlags);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10:80 -s rr -b sh-port", "incompatible scheduler flag `sh-port'")]
    [InlineData("-A -t 192.0.2.10:80 -b sh-fallback", "incompatible scheduler flag `sh-fallback'")]
    [InlineData("-A -t 192.0.2.10:80 -s mh -b sh-port", "incompatible scheduler flag `sh-port'")]
    [InlineData("-A -t 192.0.2.10:80 -s sh -b mh-port", "incompatible scheduler flag `mh-port'")]
    [InlineData("-A -t 192.0.2.10:80 -s sh -b mh-fallback", "incompatible scheduler flag `mh-fallback'")]
    [InlineData("-A -t 192.0.2.10:80 -s sh -b sh-port,bogus", "invalid scheduler flag `bogus'")]
    [InlineData("-A -t 192.0.2.10:80 -s sh -b bogus,mh-port", "invalid scheduler flag `bogus'")]
    [InlineData("-A -t 192.0.2.10:80 -s sh -b SH-PORT", "invalid scheduler flag `SH-PORT'")]
    [InlineData("-A -t 192.0.2.10:80 -s sh -b flag-4", "invalid scheduler flag `flag-4'")]
    [InlineData("-A -t 192.0.2.10:80 -s sh -b ,,", "invalid scheduler flag `,,'")]
    [InlineData("-A -t 192.0.2.10:80 -s sh -b sh-port -b sh-fallback", "multiple 'sched-flags' options specified")]
    [InlineData("-D -t 192.0.2.10:80 -b flag-1", "Illegal 'sched-flags' option with the 'delete-service' command")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -b flag-1", "Illegal 'sched-flags' option with the 'add-server' command")]
    [InlineData("-L -b flag-1", "Illegal 'sched-flags' option with the 'list' command")]
    // parse_sched_flags runs before generic_opt_check, so its message comes first.
    [InlineData("-L -b sh-port", "incompatible scheduler flag `sh-port'")]
    [InlineData("-A -t 192.0.2.10:80 -s nosuch -b sh-port", "incompatible scheduler flag `sh-port'")]
    public void Parse_BadSchedFlags_IpvsadmMessageAndExit2(string line, string message) => RejectsWith(line, 2, message);

    [Theory]
    [InlineData("-A -t 192.0.2.10:80 -p", 300)]
    [InlineData("-A -t 192.0.2.10:80 -p 60", 60)]
    [InlineData("-A -t 192.0.2.10:80 -p60", 60)]
    [InlineData("-A -t 192.0.2.10:80 --persistent=1", 1)]
    [InlineData("-A -t 192.0.2.10:80 --persistent 2678400", 2678400)]
    [InlineData("-A -t 192.0.2.10:80 -p -s rr", 300)]
    [InlineData("-A -p -t 192.0.2.10:80", 300)]
    [InlineData("-A -t 192.0.2.10:80 -s rr -p", 300)]
    [InlineData("-E -t 192.0.2.10:0 -p 3600", 3600)]
    public void Parse_Persistent_OptionalTimeoutDefault300(string line, int timeout)
    {
        ParsedCommand c = TestParsers.Parse(line);

        Assert.True(c.Persistent);
        Assert.Equal(timeout, c.PersistenceTimeout);
    }

    [Fact]
    public void Parse_NotPersistent_NoTimeoutNoMask()
    {
        ParsedCommand c = TestParsers.Parse("-A -t 192.0.2.10:80 -s rr");

        Assert.False(c.Persistent);
        Assert.Equal(0, c.PersistenceTimeout);
        Assert.Null(c.PersistenceNetmask);
        Assert.False(c.OnePacket);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10 -p", 0)]
    [InlineData("-A -t 192.0.2.10:0 -p 60", 0)]
    [InlineData("-A -u 192.0.2.10 -p", 0)]
    public void Parse_PortZeroPersistent_Allowed(string line, int port) =>
        Assert.Equal(port, TestParsers.Parse(line).Service!.Port);

    [Theory]
    [InlineData("-p 0", "invalid timeout value `0' specified")]
    [InlineData("-p 2678401", "invalid timeout value `2678401' specified")]
    [InlineData("-p 5m", "invalid timeout value `5m' specified")]
    [InlineData("--persistent=", "invalid timeout value `' specified")]
    [InlineData("-p rr", "invalid timeout value `rr' specified")]
    [InlineData("-p -p", "multiple 'persistent' options specified")]
    [InlineData("-M 255.255.255.0.0", "illegal virtual server persistent mask specified")]
    [InlineData("-M 255.255.256.0", "illegal virtual server persistent mask specified")]
    [InlineData("-M nosuch.example", "illegal virtual server persistent mask specified")]
    [InlineData("-M /24", "illegal virtual server persistent mask specified")]
    [InlineData("-M 24x", "illegal virtual server persistent mask specified")]
    [InlineData("-M 255.255.255.0 -M 255.255.0.0", "multiple 'netmask' options specified")]
    [InlineData("-o", "One-Packet Scheduling is only for UDP virtual services")]
    [InlineData("-o -o", "multiple 'ops' options specified")]
    public void Parse_BadPersistenceOrOps_IpvsadmMessageAndExit2(string options, string message)
    {
        RejectsWith("-A -t 192.0.2.10:80 " + options, 2, message);
        RejectsWith("-E -t 192.0.2.10:80 " + options, 2, message);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10 -s rr -M 255.255.255.0", "Zero port specified for non-persistent service")]
    [InlineData("-A -u 192.0.2.10:0 -o", "Zero port specified for non-persistent service")]
    [InlineData("-E -t 192.0.2.10:0 -o", "Zero port specified for non-persistent service")]
    [InlineData("-A -t 192.0.2.10:0 -p -o", "One-Packet Scheduling is only for UDP virtual services")]
    [InlineData("-D -t 192.0.2.10:80 -p", "Illegal 'persistent' option with the 'delete-service' command")]
    [InlineData("-D -t 192.0.2.10:80 -M 255.255.255.0", "Illegal 'netmask' option with the 'delete-service' command")]
    [InlineData("-D -u 192.0.2.10:53 -o", "Illegal 'ops' option with the 'delete-service' command")]
    [InlineData("-a -t 192.0.2.10:80 -r 10.0.0.11 -p", "Illegal 'persistent' option with the 'add-server' command")]
    [InlineData("-e -u 192.0.2.10:53 -r 10.0.0.11 -o", "Illegal 'ops' option with the 'edit-server' command")]
    [InlineData("-L -p", "Illegal 'persistent' option with the 'list' command")]
    [InlineData("-L -M 255.255.255.0", "Illegal 'netmask' option with the 'list' command")]
    [InlineData("-L -M bad", "illegal virtual server persistent mask specified")]
    [InlineData("-Z -o", "Illegal 'ops' option with the 'zero' command")]
    [InlineData("-C -p", "Illegal 'persistent' option with the 'flush' command")]
    [InlineData("-A -t 192.0.2.10:80 -t 192.0.2.10:81", "multiple 'service-address' options specified")]
    [InlineData("-A -t 192.0.2.10:80 -u 192.0.2.10:53", "multiple 'service-address' options specified")]
    [InlineData("-A -t [2001:db8:a::10]:80 -p -M 0", "illegal ipv6 netmask specified")]
    [InlineData("-A -t [2001:db8:a::10]:80 -p -M 129", "illegal ipv6 netmask specified")]
    [InlineData("-A -t [2001:db8:a::10]:80 -p -M ffff::", "illegal ipv6 netmask specified")]
    public void Parse_PersistenceChecks_IpvsadmMessageAndExit2(string line, string message) => RejectsWith(line, 2, message);

    [Theory]
    [InlineData("-M 255.255.255.0", "255.255.255.0")]
    [InlineData("--netmask=255.255.0.0", "255.255.0.0")]
    [InlineData("-M 255.255.255.255", "255.255.255.255")]
    [InlineData("-M 0xffffff00", "255.255.255.0")]
    [InlineData("-M 255.255.65280", "255.255.255.0")]
    [InlineData("-M web.example", "203.0.113.5")]
    // ipvsadm takes any address as a mask, contiguous or not; the kernel ANDs with it.
    [InlineData("-M 255.0.255.0", "255.0.255.0")]
    public void Parse_Netmask_InetAtonOrHostName(string option, string mask)
    {
        ParsedCommand c = TestParsers.Parse($"-A -t 192.0.2.10:80 -p {option}");

        Assert.Equal(mask, c.PersistenceNetmask);
        Assert.True(c.Persistent);
    }

    [Fact]
    public void Parse_NetmaskWithoutPersistence_CarriedAsIpvsadmSendsIt()
    {
        ParsedCommand c = TestParsers.Parse("-A -t 192.0.2.10:80 -M 255.255.255.0");

        Assert.False(c.Persistent);
        Assert.Equal("255.255.255.0", c.PersistenceNetmask);
    }

    [Fact]
    public void Parse_NetmaskBeforeIPv6Service_DroppedAsParseServiceResetsIt()
    {
        ParsedCommand c = TestParsers.Parse("-A -M 255.255.255.0 -t [2001:db8:a::10]:80 -p");

        Assert.Null(c.PersistenceNetmask);
        Assert.True(c.Persistent);
    }

    [Theory]
    [InlineData("-A -u 192.0.2.10:53 -o")]
    [InlineData("-A -u 192.0.2.10:53 --ops -s rr")]
    [InlineData("-E -u 192.0.2.10:53 -o -p 10")]
    [InlineData("-A -u 192.0.2.10:0 -o -p")]
    public void Parse_OpsOnUdp_OnePacket(string line) => Assert.True(TestParsers.Parse(line).OnePacket);

    [Fact]
    public void Parse_EverythingAtOnce_AllCarried()
    {
        ParsedCommand c = TestParsers.Parse("-A -u 192.0.2.10:53 -s sh -b sh-port -p 120 -M 255.255.255.0 -o");

        Assert.Equal(new ServiceKey("udp", "192.0.2.10", 53), c.Service);
        Assert.Equal("sh", c.Scheduler);
        Assert.Equal(["sh-port"], c.SchedulerFlags);
        Assert.True(c.Persistent);
        Assert.Equal(120, c.PersistenceTimeout);
        Assert.Equal("255.255.255.0", c.PersistenceNetmask);
        Assert.True(c.OnePacket);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.10:80 -p --timeout=5", "--timeout=5: option does not take an argument")]
    [InlineData("-A -t 192.0.2.10:80 -M", "-M: missing argument")]
    [InlineData("-A -t 192.0.2.10:80 -b", "-b: missing argument")]
    [InlineData("-A -t 192.0.2.10:80 --ops=1", "--ops=1: option does not take an argument")]
    [InlineData("-A -u", "-u: missing argument")]
    public void Parse_PoptErrors_Exit255(string line, string message) => RejectsWith(line, 255, message);
}
