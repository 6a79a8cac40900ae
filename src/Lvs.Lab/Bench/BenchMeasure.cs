using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Lvs.Lab.Bench;

/// <summary>The four measurements of one row, each a bounded run of a real tool in the client namespace.</summary>
internal sealed class BenchMeasure(BenchOptions options, BenchLabs labs, Action<string> log)
{
    private static string S(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>New connections per second: wrk with <c>Connection: close</c>, one request per connection.</summary>
    /// <exception cref="LabException">wrk failed, or more than 1 % of its requests failed.</exception>
    public double ConnectionsPerSecond(Balancer b)
    {
        var result = b.Lab.Exec(b.Lab.ClientNamespace, TimeSpan.FromSeconds(options.WrkSeconds + 30),
            "wrk", "-t", S(options.WrkThreads), "-c", S(options.WrkConnections), "-d", S(options.WrkSeconds) + "s",
            "--timeout", "2s", "-H", "Connection: close", $"http://{b.Target}/").EnsureSuccess();
        var wrk = WrkOutput.Parse(result.Stdout);
        long bad = wrk.SocketErrors + wrk.Non2xx3xx;
        if (wrk.Requests == 0 || bad * 100 > wrk.Requests)
        {
            throw new LabException($"wrk through {b.Id}: {bad} errors in {wrk.Requests} requests\n{result.Stdout}");
        }

        return wrk.RequestsPerSecond;
    }

    /// <summary>TCP bulk throughput in Gbit/s; <paramref name="download"/> is real server → client (iperf3 -R).</summary>
    /// <exception cref="LabException">iperf3 failed.</exception>
    public double Throughput(Balancer b, bool download)
    {
        string[] args = ["iperf3", "-c", b.Target, "-p", S(BenchLabs.IperfPort), "-t", S(options.IperfSeconds), "-J", "--connect-timeout", "3000"];
        using var json = Iperf(b, download ? [.. args, "-R"] : args);
        return json.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble() / 1e9;
    }

    /// <summary>64-byte UDP datagrams per second that reached the real server, in thousands (iperf3 -u -l 64 -b 0).</summary>
    /// <exception cref="LabException">iperf3 failed.</exception>
    public double UdpKpps(Balancer b)
    {
        using var json = Iperf(b, ["iperf3", "-c", b.Target, "-p", S(BenchLabs.IperfPort), "-t", S(options.IperfSeconds), "-J",
            "--connect-timeout", "3000", "-u", "-l", "64", "-b", "0"]);
        var sum = json.RootElement.GetProperty("end").GetProperty("sum");
        long received = sum.GetProperty("packets").GetInt64() - sum.GetProperty("lost_packets").GetInt64();
        return received / sum.GetProperty("seconds").GetDouble() / 1000;
    }

    /// <summary>
    /// Opens <see cref="BenchOptions.HoldConnections"/> idle connections through the balancer,
    /// then samples its RSS and CPU while they sit idle. Held counts only connections both ends
    /// have: the smaller of what the clients opened and what the hold servers hold.
    /// </summary>
    public HoldResult Hold(Balancer b)
    {
        int total = options.HoldConnections;
        int clients = (total + HoldPrograms.PerProcess - 1) / HoldPrograms.PerProcess;
        var lab = b.Lab;
        string program = LvsBin.Program("lvs-lab");
        int bound = 60 + total / 400 + options.HoldSeconds; // seconds every hold process lives at most
        var started = new List<LabProcess>();
        try
        {
            // Servers: enough processes on each real server for the worst case (the routed row sends all to one).
            var servers = b.Target == LabTopology.Vip ? lab.RealServers : lab.RealServers.Take(1).ToList();
            int perServer = (total / servers.Count + HoldPrograms.PerProcess * 9 / 10 - 1) / (HoldPrograms.PerProcess * 9 / 10);
            foreach (var rs in servers)
            {
                for (int i = 0; i < perServer; i++)
                {
                    started.Add(lab.StartInNamespace($"hold-server {rs.Name} {i}", rs.Namespace, program, "bench", "hold-server", $"{BenchLabs.HoldPort},{BenchLabs.HoldPort + 1}", S(bound)));
                }
            }

            WaitForLines(started, "listening", TimeSpan.FromSeconds(20));
            var addresses = labs.FreshClientAddresses(lab, clients);
            var clientProcesses = new List<LabProcess>();
            for (int i = 0; i < clients; i++)
            {
                int count = Math.Min(HoldPrograms.PerProcess, total - i * HoldPrograms.PerProcess);
                var p = lab.StartInNamespace($"hold-client {i}", lab.ClientNamespace, program, "bench", "hold-client",
                    addresses[i], b.Target, S(BenchLabs.HoldPort), S(count), S(bound));
                clientProcesses.Add(p);
                started.Add(p);
            }

            var clock = Stopwatch.StartNew();
            WaitForLines(clientProcesses, "held ", TimeSpan.FromSeconds(bound - options.HoldSeconds - 5));
            double openSeconds = clock.Elapsed.TotalSeconds;
            long opened = clientProcesses.Sum(p => ParseHeld(p.Output));

            var pids = ProcStat.WithDescendants(b.Pids);
            double cpu0 = ProcStat.CpuSeconds(pids);
            var window = Stopwatch.StartNew();
            Thread.Sleep(TimeSpan.FromSeconds(options.HoldSeconds));
            double cpu = (ProcStat.CpuSeconds(pids) - cpu0) / window.Elapsed.TotalSeconds * 100;
            long rss = ProcStat.ResidentBytes(pids);
            long established = servers.Sum(rs => CountEstablished(lab, rs));
            log($"  hold through {b.Id}: clients opened {opened} in {openSeconds:F1} s, servers hold {established}");
            return new HoldResult(Math.Min(opened, established), b.HasProcess ? rss / 1048576.0 : double.NaN, b.HasProcess ? cpu : double.NaN);
        }
        finally
        {
            foreach (var p in started)
            {
                p.Stop(TimeSpan.FromSeconds(5));
            }
        }
    }

    private JsonDocument Iperf(Balancer b, string[] command)
    {
        var result = b.Lab.Exec(b.Lab.ClientNamespace, TimeSpan.FromSeconds(options.IperfSeconds + 30), command);
        if (!result.Succeeded)
        {
            throw new LabException($"iperf3 through {b.Id}: {result.Describe()}");
        }

        return JsonDocument.Parse(result.Stdout);
    }

    private static long CountEstablished(LabTopology lab, RealServer rs)
    {
        var ss = lab.Exec(rs.Namespace, TimeSpan.FromSeconds(60), "ss", "-Htn", "state", "established", "(", "sport", "=", ":" + S(BenchLabs.HoldPort), "or", "sport", "=", ":" + S(BenchLabs.HoldPort + 1), ")")
            .EnsureSuccess();
        return ss.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LongLength;
    }

    private static long ParseHeld(string output)
    {
        int at = output.IndexOf("held ", StringComparison.Ordinal);
        string rest = output[(at + 5)..];
        return long.Parse(rest[..rest.IndexOf(' ')], CultureInfo.InvariantCulture);
    }

    private static void WaitForLines(IReadOnlyList<LabProcess> processes, string marker, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        foreach (var p in processes)
        {
            while (!p.Output.Contains(marker, StringComparison.Ordinal))
            {
                if (p.HasExited || clock.Elapsed > timeout)
                {
                    throw new LabException($"{p.Name} did not print '{marker.Trim()}' (exit {p.ExitCode}):\n{p.Output}");
                }

                Thread.Sleep(100);
            }
        }
    }
}

/// <summary>What the idle-connection phase found: connections held, RSS in MiB and CPU % of the balancer (NaN: no process).</summary>
internal readonly record struct HoldResult(long Held, double RssMiB, double CpuPercent);
