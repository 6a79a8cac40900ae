using System.Text;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using Lvs.Daemon.Config;
using static Lvs.Daemon.Tests.Config.ConfigText;

namespace Lvs.Daemon.Tests.Config;

public class IpvsadmSaveReaderTests
{
    [Fact]
    public void Load_SaveFile_IsDetectedAndReadNewestFirst()
    {
        ConfigLoadResult r = ConfigLoader.Load(Corpus("rules.ipvs"));

        Assert.True(r.Succeeded, Lines(r));
        Assert.Null(r.Document);
        Assert.Equal(
            "TCP 192.0.2.10:80 sched=wrr flags=None persistent=True timeout=60000 mask=255.255.255.0 ops=False\n" +
            "  203.0.113.2:80 Masquerade w=1 x=100 y=10\n" +
            "  203.0.113.1:80 DirectRoute w=3 x=0 y=0\n" +
            "UDP 192.0.2.11:53 sched=sh flags=Port persistent=False timeout=300000 mask=255.255.255.255 ops=True\n" +
            "  203.0.113.3:53 Tunnel w=2 x=0 y=0 tun=Gue/6080/Checksum\n" +
            "FWM 7 sched=rr flags=None persistent=False timeout=300000 mask=255.255.255.255 ops=False\n" +
            "  10.0.0.1:0 Masquerade w=1 x=0 y=0\n",
            Render(r.Configuration!));
    }

    [Fact]
    public void Read_Ipv6SaveLines_ServicesServersPrefixAndFwmark()
    {
        // ipvsadm -S -n prints IPv6 in brackets, -M as a prefix length, and "-f N -6" for IPv6 marks.
        const string text =
            "-A -t [2001:db8:a::1]:80 -s sh -p 60 -M 64\n" +
            "-a -t [2001:db8:a::1]:80 -r [fd00::11]:8080 -m -w 1\n" +
            "-a -t [2001:db8:a::1]:80 -r 203.0.113.5:80 -i -w 2\n" +
            "-A -u 2001:db8:a::2 -s rr -p\n" +
            "-A -f 5 -6 -s rr\n" +
            "-a -f 5 -6 -r [2001:db8:b::7]:0 -g -w 1\n";

        ConfigLoadResult r = IpvsadmSaveReader.Read(text, "v6.ipvs");

        Assert.True(r.Succeeded, Lines(r));
        Assert.Equal(
            "TCP [2001:db8:a::1]:80 sched=sh flags=None persistent=True timeout=60000 mask=64 ops=False\n" +
            "  203.0.113.5:80 Tunnel w=2 x=0 y=0 tun=IpIp/0/NoChecksum\n" +
            "  [fd00::11]:8080 Masquerade w=1 x=0 y=0\n" +
            "UDP [2001:db8:a::2]:0 sched=rr flags=None persistent=True timeout=300000 mask=128 ops=False\n" +
            "FWM 5 IPv6 sched=rr flags=None persistent=False timeout=300000 mask=128 ops=False\n" +
            "  [2001:db8:b::7]:0 DirectRoute w=1 x=0 y=0\n",
            Render(r.Configuration!));
    }

    [Theory]
    [InlineData("-A -t [2001:db8:a::1]:80 -s rr -p -M 129\n", "illegal ipv6 netmask")]
    [InlineData("-A -t [2001:db8:a::1:80 -s rr\n", "illegal address")]
    [InlineData("-A -t [::ffff:192.0.2.1]:80 -s rr\n", "illegal address")]
    [InlineData("-A -t [2001:db8:a::1]:80 -s rr\n-a -t [2001:db8:a::1]:80 -r [2001:db8:b::1]:80 -i --tun-type gre\n", "GUE and GRE")]
    [InlineData("-A -t 192.0.2.1:80 -s rr -6\n", "-6 used before -f")]
    public void Read_BadIpv6Line_Refused(string text, string message)
    {
        ConfigLoadResult r = IpvsadmSaveReader.Read(text, "bad.ipvs");

        Assert.Null(r.Configuration);
        Assert.Contains(message, Assert.Single(r.Errors).Message);
    }

    [Fact]
    public void Read_IpvsadmDefaults_AreDrWeightOneWlcAndTheServicePort()
    {
        ConfigLoadResult r = IpvsadmSaveReader.Read("-A -t 192.0.2.1:http -p\n-a -t 192.0.2.1:80 -r 10.0.0.1\n", "x.ipvs");

        Assert.True(r.Succeeded, Lines(r));
        Assert.Equal(
            "TCP 192.0.2.1:80 sched=wlc flags=None persistent=True timeout=300000 mask=255.255.255.255 ops=False\n" +
            "  10.0.0.1:80 DirectRoute w=1 x=0 y=0\n",
            Render(r.Configuration!));
    }

    [Theory]
    [InlineData("-a -t 192.0.2.9:80 -r 10.0.0.1:80 -m\n", 1, 1, "No such service")]
    [InlineData("-A -t 192.0.2.1:80 -s rr\n-A -t 192.0.2.1:80 -s rr\n", 2, 1, "Service already exists")]
    [InlineData("-A -t 192.0.2.1:80 -s bogus\n", 1, 20, "unknown scheduler 'bogus'")]
    [InlineData("\n# comment\nipvsadm -A -t 192.0.2.1:80 -s rr -b sh-port\n", 3, 34, "incompatible scheduler flag `sh-port'")]
    [InlineData("-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -w 70000\n", 2, 35, "illegal weight")]
    [InlineData("-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m --tun-type gre\n", 2, 38, "only for -i")]
    [InlineData("-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -i --tun-type gue\n", 2, 1, "--tun-port is required")]
    [InlineData("-A -t 192.0.2.1:0 -s rr\n", 1, 1, "Zero port specified for non-persistent service")]
    [InlineData("-A -t 192.0.2.1:80 -o\n", 1, 1, "only for UDP")]
    [InlineData("-A -t www.example.com:80\n", 1, 4, "host names are not resolved")]
    [InlineData("-A -t [2001:db8:a::1]:80 -s rr\n-a -t [2001:db8:a::1]:80 -r 10.0.0.11 -g\n", 2, 1, "Different address family")]
    [InlineData("-A -t 192.0.2.1:80 --frob\n", 1, 20, "unknown option '--frob'")]
    public void Read_BadLine_IsRefusedWithLineAndColumn(string text, int line, int column, string message)
    {
        ConfigLoadResult r = IpvsadmSaveReader.Read(text, "bad.ipvs");

        Assert.Null(r.Configuration);
        ConfigDiagnostic e = Assert.Single(r.Errors);
        Assert.Equal(("bad.ipvs", line, column), (e.File, e.Line, e.Column));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.1:80\n", true)]
    [InlineData("  # saved\n\nipvsadm -a -t 1.2.3.4:80 -r 1.1.1.1\n", true)]
    [InlineData("lvsadm -C\n", true)]
    [InlineData("virtual_server 192.0.2.1 80 {\n}\n", false)]
    [InlineData("! -A in a comment\nglobal_defs {\n}\n", false)]
    [InlineData("", false)]
    public void IsIpvsadmSave_FirstWord_DecidesTheFormat(string text, bool expected) =>
        Assert.Equal(expected, ConfigLoader.IsIpvsadmSave(text));

    /// <summary>Random service sets, printed as ipvsadm -S prints them, read back to the same definitions.</summary>
    [Fact]
    public void Read_RandomSavedServiceSets_RoundTrip()
    {
        var random = new Random(20240505);
        for (int round = 0; round < 300; round++)
        {
            Configuration expected = RandomConfiguration(random);
            string saved = Save(expected, withPrefix: round % 2 == 0);

            ConfigLoadResult r = IpvsadmSaveReader.Read(saved, "random.ipvs");

            Assert.True(r.Succeeded, saved + Lines(r));
            Assert.Equal(Render(expected), Render(r.Configuration!));
        }
    }

    private static Configuration RandomConfiguration(Random random)
    {
        var builder = new ConfigurationBuilder(Configuration.Empty);
        string[] schedulers = [.. SchedulerRegistry.IpvsNames];
        for (int s = random.Next(0, 6); s > 0; s--)
        {
            int kind = random.Next(3);
            ServiceKey key = kind == 2
                ? ServiceKey.ForFwmark((uint)random.Next(1, 1000))
                : new ServiceKey(kind == 0 ? IpProtocol.Tcp : IpProtocol.Udp, 0xC0000200u | (uint)random.Next(256), (ushort)random.Next(1, 65536));
            string sched = schedulers[random.Next(schedulers.Length)];
            SchedulerFlags flags = sched is "sh" or "mh" ? (SchedulerFlags)random.Next(4) : SchedulerFlags.None;
            bool persistent = random.Next(2) == 0;
            var settings = persistent
                ? new ServiceSettings(sched, flags, true, random.Next(1, 100_000) * 1000, 0xFFFF_FFFFu << random.Next(0, 24), key.Protocol != IpProtocol.Tcp && random.Next(2) == 0)
                : new ServiceSettings(sched, flags, OnePacket: key.Protocol != IpProtocol.Tcp && random.Next(2) == 0);
            if (builder.AddService(key, settings) != TableResult.Ok)
            {
                continue;
            }

            for (int d = random.Next(0, 5); d > 0; d--)
            {
                var method = (ForwardMethod)random.Next(3);
                TunnelSpec tunnel = default;
                if (method == ForwardMethod.Tunnel)
                {
                    var type = (TunnelType)random.Next(3);
                    tunnel = new TunnelSpec(type, type == TunnelType.Gue ? (ushort)random.Next(1, 65536) : (ushort)0,
                        type == TunnelType.IpIp ? TunnelChecksum.NoChecksum : (TunnelChecksum)random.Next(3));
                }

                int upper = random.Next(3) == 0 ? random.Next(1, 1000) : 0;
                builder.AddServer(key, 0xCB007100u | (uint)random.Next(256), (ushort)random.Next(0, 65536), method, random.Next(0, 65536), tunnel,
                    upper, upper > 0 ? random.Next(0, upper) : 0);
            }
        }

        return builder.Build();
    }

    /// <summary>ipvsadm's FMT_RULE lines: -A with -s, -p/-M, -o, -b; then -a oldest first (the list is newest first).</summary>
    private static string Save(Configuration configuration, bool withPrefix)
    {
        var sb = new StringBuilder();
        string prefix = withPrefix ? "ipvsadm " : "";
        foreach (ServiceDefinition s in configuration.Services)
        {
            string service = s.Key.IsFwmark ? $"-f {s.Key.Mark}"
                : $"{(s.Key.Protocol == IpProtocol.Tcp ? "-t" : "-u")} {s.Key.Address.WithPort(s.Key.Port)}";
            sb.Append($"{prefix}-A {service} -s {s.Settings.Scheduler}");
            if (s.Settings.Persistent)
            {
                sb.Append($" -p {s.Settings.PersistenceTimeoutMs / 1000}");
                if (s.Settings.PersistenceMask != 0xFFFF_FFFF)
                {
                    sb.Append($" -M {Ipv4.Format(s.Settings.PersistenceMask)}");
                }
            }

            if (s.Settings.OnePacket)
            {
                sb.Append(" -o");
            }

            if (s.Settings.Flags != SchedulerFlags.None)
            {
                var names = new List<string>();
                if (s.Settings.Flags.HasFlag(SchedulerFlags.Fallback))
                {
                    names.Add(s.Settings.Scheduler + "-fallback");
                }

                if (s.Settings.Flags.HasFlag(SchedulerFlags.Port))
                {
                    names.Add(s.Settings.Scheduler + "-port");
                }

                sb.Append($" -b {string.Join(',', names)}");
            }

            sb.Append('\n');
            foreach (RealServerDefinition r in s.Servers.Reverse())
            {
                string method = r.Method switch { ForwardMethod.Masquerade => "-m", ForwardMethod.Tunnel => "-i", _ => "-g" };
                sb.Append($"{prefix}-a {service} -r {r.Address.WithPort(r.Port)} {method} -w {r.Weight}");
                if (r.Method == ForwardMethod.Tunnel)
                {
                    sb.Append($" --tun-type {r.Tunnel.Type.ToString().ToLowerInvariant()}");
                    if (r.Tunnel.Type == TunnelType.Gue)
                    {
                        sb.Append($" --tun-port {r.Tunnel.Port}");
                    }

                    if (r.Tunnel.Type != TunnelType.IpIp)
                    {
                        sb.Append(r.Tunnel.Checksum switch
                        {
                            TunnelChecksum.Checksum => " --tun-csum",
                            TunnelChecksum.RemoteChecksum => " --tun-remcsum",
                            _ => " --tun-nocsum",
                        });
                    }
                }

                if (r.UpperThreshold != 0)
                {
                    sb.Append($" -x {r.UpperThreshold}");
                }

                if (r.LowerThreshold != 0)
                {
                    sb.Append($" -y {r.LowerThreshold}");
                }

                sb.Append('\n');
            }
        }

        return sb.ToString();
    }
}
