using System.Text.Json;
using Lvs.Admin.CommandLine;
using Lvs.Admin.Output;
using Lvs.Admin.Tests.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests;

/// <summary>
/// Issue 5's round trip: random service sets -> lvsadm -S -> -C -> -R -> -S give the same text,
/// and the daemon ends up holding the same services, through a fake lvsd that keeps state.
/// </summary>
public class SaveRestoreRoundTripTests
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
    public void SaveClearRestoreSave_RandomServiceSets_Identical()
    {
        var model = new StatefulDaemon();
        using var daemon = new FakeDaemon(model.Handle);
        int nonEmpty = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            List<ServiceStatus> services = RandomServices(new Random(seed));
            model.Services = services;
            string before = Canonical(services);

            (int code, string saved, string err) = Run(daemon, "-S -n");
            Assert.True(code == 0, $"seed {seed}: -S exit {code}: {err}");
            Assert.Equal("", Run(daemon, "-C").Err);
            Assert.Empty(model.Services);

            (code, _, err) = Run(daemon, "-R", saved);
            Assert.True(code == 0, $"seed {seed}: -R exit {code}: {err}\n{saved}");
            (code, string again, _) = Run(daemon, "-S -n");

            Assert.Equal(0, code);
            Assert.Equal(saved, again);
            Assert.True(before == Canonical(model.Services), $"seed {seed}: the restored table differs\n{saved}");
            nonEmpty += services.Count > 0 ? 1 : 0;
        }

        Assert.True(nonEmpty > 150);
    }

    [Fact]
    public void Restore_WithProgramWordsAndComments_SameTable()
    {
        var model = new StatefulDaemon();
        using var daemon = new FakeDaemon(model.Handle);
        model.Services = RandomServices(new Random(12345));
        string saved = Run(daemon, "-S -n").Out;
        string before = Canonical(model.Services);
        string decorated = "# saved by lvsadm\n\n" + string.Join("", saved.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"ipvsadm {l}  # kept\n"));

        Assert.Equal(0, Run(daemon, "-C").Code);
        (int code, _, string err) = Run(daemon, "-R", decorated);

        Assert.Equal((0, ""), (code, err));
        Assert.Equal(before, Canonical(model.Services));
    }

    /// <summary>The table in a form independent of insertion order: services and servers sorted as ipvsadm lists them.</summary>
    private static string Canonical(IReadOnlyList<ServiceStatus> services)
    {
        List<ServiceStatus> sorted = [.. IpvsSort.Services(services).Select(s => s with { Servers = IpvsSort.Servers(s.Servers) })];
        var response = ControlResponse.Success() with { Status = new StatusSnapshot("1.2.1", 4096, 0, sorted) };
        return JsonSerializer.Serialize(response, ControlJsonContext.Default.ControlResponse);
    }

    /// <summary>
    /// A random table as lvsadm's parser would have built it: canonical flag names, a netmask only
    /// when persistent and not /32, DR and TUN servers on the service's port, tunnel options per type.
    /// </summary>
    internal static List<ServiceStatus> RandomServices(Random rng)
    {
        var services = new List<ServiceStatus>();
        var keys = new HashSet<ServiceKey>();
        int count = rng.Next(0, 7);
        while (services.Count < count)
        {
            ServiceStatus service = RandomService(rng);
            if (keys.Add(service.Key))
            {
                services.Add(service);
            }
        }

        return services;
    }

    private static ServiceStatus RandomService(Random rng)
    {
        int kind = rng.Next(5);
        bool persistent = rng.Next(3) == 0;
        ServiceKey key = kind switch
        {
            0 => ServiceKey.ForFwmark(rng.Next(2) == 0 ? (uint)rng.Next(1, 100) : (uint)rng.NextInt64(1, uint.MaxValue + 1L)),
            1 => new ServiceKey("udp", $"192.0.2.{rng.Next(1, 255)}", Port(rng, persistent)),
            2 => new ServiceKey("tcp", $"2001:db8:a::{rng.Next(1, 0xffff):x}", Port(rng, persistent)),
            _ => new ServiceKey("tcp", $"192.0.2.{rng.Next(1, 255)}", Port(rng, persistent)),
        };
        bool v6 = kind == 2;
        string scheduler = CommandParser.IpvsSchedulers[rng.Next(CommandParser.IpvsSchedulers.Length)];
        int flags = rng.Next(3) == 0 ? rng.Next(1, 8) : 0;
        var servers = new List<RealServerStatus>();
        var taken = new HashSet<(string, ushort)>();
        int serverCount = rng.Next(0, 6);
        while (servers.Count < serverCount)
        {
            RealServerStatus server = RandomServer(rng, key, v6);
            if (taken.Add((server.Address, server.Port)))
            {
                servers.Add(server);
            }
        }

        string[] masks = ["255.255.255.0", "255.255.0.0", "255.255.255.248", "0.0.0.0"];
        return new ServiceStatus(key, scheduler, Zero, servers)
        {
            SchedulerFlags = flags != 0 ? SchedulerFlagNames.Canonical(scheduler, flags) : null,
            Persistent = persistent,
            PersistenceTimeout = persistent ? rng.Next(1, CommandParser.MaxTimeout + 1) : 0,
            PersistenceNetmask = persistent && !v6 && rng.Next(2) == 0 ? masks[rng.Next(masks.Length)] : null,
            OnePacket = key.Protocol is "udp" or "fwmark" && rng.Next(2) == 0,
        };
    }

    private static ushort Port(Random rng, bool persistent) =>
        persistent && rng.Next(3) == 0 ? (ushort)0 : (ushort)rng.Next(1, 65536);

    private static RealServerStatus RandomServer(Random rng, ServiceKey key, bool v6)
    {
        string address = v6 ? $"2001:db8:b::{rng.Next(1, 0xffff):x}" : $"{(rng.Next(2) == 0 ? "10.0.0" : "203.0.113")}.{rng.Next(1, 255)}";
        string method = rng.Next(3) switch { 0 => "masq", 1 => "route", _ => "tunnel" };
        bool fwmark = key.Protocol == "fwmark";
        ushort port = method == "masq" || fwmark ? (ushort)rng.Next(fwmark ? 0 : 1, 65536) : key.Port;
        string? type = method == "tunnel" ? new[] { "ipip", "gue", "gre" }[rng.Next(3)] : null;
        return new RealServerStatus(address, port, method, rng.Next(3) == 0 ? 0 : rng.Next(0, 65536), 0, 0, Zero)
        {
            TunnelType = type,
            TunnelPort = type == "gue" ? (ushort)rng.Next(1, 65536) : (ushort)0,
            TunnelChecksum = type switch
            {
                "gue" => new[] { "nocsum", "csum", "remcsum" }[rng.Next(3)],
                "gre" => new[] { "nocsum", "csum" }[rng.Next(2)],
                _ => null,
            },
            UpperThreshold = rng.Next(2) == 0 ? 0 : rng.Next(0, int.MaxValue),
            LowerThreshold = rng.Next(2) == 0 ? 0 : rng.Next(0, int.MaxValue),
        };
    }
}
