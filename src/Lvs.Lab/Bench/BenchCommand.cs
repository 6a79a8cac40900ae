using System.Diagnostics;
using System.Globalization;

namespace Lvs.Lab.Bench;

/// <summary>
/// <c>lvs-lab bench</c>: the lab benchmark of issue 8. In namespaces (client, director, two real
/// servers with nginx and iperf3) it measures, for every row of <see cref="BenchOptions.AllRows"/>,
/// new connections per second (wrk, Connection: close), TCP throughput both ways (iperf3), 64-byte
/// UDP packets per second (iperf3 -u) and, with idle connections held through the balancer, its
/// RSS and CPU. Rows alternate within each run; the table gives medians with min–max and the
/// ratio to the nftables DNAT row.
/// </summary>
public static class BenchCommand
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: lvs-lab bench [--runs N] [--quick] [--out DIR] [--rows routed,nft,haproxy,nginx,lvs-nat,routed-dr,lvs-dr,lvs-tun]
                             [--wrk-seconds S] [--wrk-connections C] [--iperf-seconds S] [--hold N] [--hold-seconds S] [--hold-every-run]
                             [--lvsd-args "ARGS"]
          --runs N       repetitions of the whole matrix (default 3); rows alternate within a run
          --quick        a short smoke: 1 run, 2 s per measurement, 2,000 idle connections
          --out DIR      write bench.md (the table) and bench.svg (the chart) there
          --hold N       idle connections held through each balancer (default 100000; 0 skips)
          --lvsd-args "A B"  more lvsd arguments for the lvsd rows, e.g. "--io xdp" or "--workers 2"
        """;

    /// <summary>Runs the bench (or one of its helper programs); returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter log)
    {
        if (args is ["hold-server", .. var serverArgs])
        {
            return HoldPrograms.Server(serverArgs, output);
        }

        if (args is ["hold-client", .. var clientArgs])
        {
            return HoldPrograms.Client(clientArgs, output);
        }

        if (args is ["-h" or "--help"])
        {
            output.WriteLine(Usage);
            return 0;
        }

        if (!BenchOptions.TryParse(args, out var options, out string error))
        {
            log.WriteLine($"lvs-lab bench: {error}\n{Usage}");
            return 2;
        }

        var tools = new List<string> { "ip", "nft", "nginx", "curl", "wrk", "iperf3", "sysctl", "kill", "ss" };
        if (options.Rows.Contains("haproxy"))
        {
            tools.Add("haproxy");
        }

        string? why = Tools.WhyNotRunnable(tools);
        if (why is null && options.Rows.Contains("nginx") && !File.Exists(NginxStreamBalancer.ModulePath))
        {
            why = $"missing {NginxStreamBalancer.ModulePath}: apt-get install libnginx-mod-stream";
        }

        if (why is not null)
        {
            log.WriteLine("lvs-lab bench: " + why);
            return 1;
        }

        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            log.WriteLine("lvs-lab bench: interrupted, removing the labs");
            LabTopology.DisposeAll();
            Environment.Exit(130);
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => LabTopology.DisposeAll();

        try
        {
            return Execute(options, args, output, log);
        }
        catch (LabException ex)
        {
            log.WriteLine("lvs-lab bench: " + ex.Message);
            return 1;
        }
    }

    private static int Execute(BenchOptions options, string[] args, TextWriter output, TextWriter log)
    {
        void Log(string line) => log.WriteLine(line);
        string started = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        string loadBefore = LoadAverage();
        using var labs = new BenchLabs(Log, options.LvsdArgs);
        var balancers = labs.Build(options.Rows);
        var results = new BenchResults([.. balancers.Select(b => (b.Id, b.Title))]);
        var measure = new BenchMeasure(options, labs, Log);
        var clock = Stopwatch.StartNew();
        for (int run = 1; run <= options.Runs; run++)
        {
            foreach (var b in balancers)
            {
                Log($"run {run}/{options.Runs}: {b.Title} ({clock.Elapsed:mm\\:ss})");
                RunRow(b, run == 1 || options.HoldEveryRun, options, measure, results, Log);
            }
        }

        string machine = Machine();
        string command = "lvs-lab bench " + string.Join(' ', args);
        string subtitle = $"{started}, {machine}, {options.Runs} run(s)";
        string table = results.MarkdownTable();
        string loadAfter = LoadAverage();
        string notes = results.Notes.Count == 0 ? "" : "\nFailures:\n" + string.Concat(results.Notes.Select(n => $"- {n}\n"));
        string document = $"""
            - Command: `{command}`
            - Date: {started}; took {clock.Elapsed.TotalMinutes:F1} min
            - Machine: {machine}
            - Load average (1, 5, 15 min) before: {loadBefore}; after: {loadAfter}
            - Settings: wrk {options.WrkThreads} threads, {options.WrkConnections} connections, {options.WrkSeconds} s, `Connection: close`; iperf3 {options.IperfSeconds} s per direction, UDP `-u -l 64 -b 0` {options.IperfSeconds} s; {options.HoldConnections:N0} idle connections, RSS and CPU over {options.HoldSeconds} s once all were open ({(options.HoldEveryRun ? "every run" : "first run only")})

            {table}{notes}
            """;
        output.WriteLine();
        output.WriteLine(document);
        if (options.OutputDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "bench.md"), document);
            File.WriteAllText(Path.Combine(dir, "bench.svg"), BenchChart.Render(results, subtitle));
            Log($"wrote {Path.Combine(dir, "bench.md")} and bench.svg");
        }

        return results.Notes.Count == 0 ? 0 : 3;
    }

    private static void RunRow(Balancer b, bool hold, BenchOptions options, BenchMeasure measure, BenchResults results, Action<string> log)
    {
        int normal = b is NginxStreamBalancer ? Environment.ProcessorCount : 1;
        try
        {
            b.Start(normal);
            WaitReady(b);
            Sample(results, b.Id, Metric.Cps, () => measure.ConnectionsPerSecond(b), log);
            Sample(results, b.Id, Metric.Download, () => measure.Throughput(b, download: true), log);
            Sample(results, b.Id, Metric.Upload, () => measure.Throughput(b, download: false), log);
            if (b.Udp)
            {
                Sample(results, b.Id, Metric.UdpKpps, () => measure.UdpKpps(b), log);
            }
            else
            {
                results.NotApplicable(b.Id, Metric.UdpKpps);
            }

            if (!b.HasProcess)
            {
                results.NotApplicable(b.Id, Metric.RssMiB);
                results.NotApplicable(b.Id, Metric.CpuPercent);
            }

            if (hold && options.HoldConnections > 0)
            {
                if (b.NeedsProcessesForHold)
                {
                    b.Stop();
                    b.Start(b is HaproxyBalancer ? HaproxyBalancer.ProcessesFor(options.HoldConnections) : NginxStreamBalancer.WorkersFor(options.HoldConnections));
                    WaitReady(b);
                }

                try
                {
                    var h = measure.Hold(b);
                    results.Add(b.Id, Metric.Held, h.Held);
                    if (b.HasProcess)
                    {
                        results.Add(b.Id, Metric.RssMiB, h.RssMiB);
                        results.Add(b.Id, Metric.CpuPercent, h.CpuPercent);
                    }
                }
                catch (LabException ex)
                {
                    log($"  hold failed: {ex.Message}");
                    results.Fail(b.Id, Metric.Held, ex.Message);
                }
            }
        }
        catch (LabException ex)
        {
            log($"  row failed: {ex.Message}");
            results.Fail(b.Id, Metric.Cps, "row failed: " + ex.Message);
        }
        finally
        {
            b.Stop();
        }
    }

    private static void Sample(BenchResults results, string row, Metric metric, Func<double> measure, Action<string> log)
    {
        try
        {
            double v = measure();
            results.Add(row, metric, v);
            log($"  {BenchResults.Header(metric)}: {BenchResults.Format(metric, v)}");
        }
        catch (Exception ex) when (ex is LabException or FormatException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            log($"  {BenchResults.Header(metric)} failed: {ex.Message}");
            results.Fail(row, metric, ex.Message);
        }
    }

    // A balancer is ready when a request through it reaches a real server; bounded at 15 s.
    private static void WaitReady(Balancer b)
    {
        var clock = Stopwatch.StartNew();
        ExecResult r;
        do
        {
            r = b.Lab.Curl($"http://{b.Target}/", TimeSpan.FromSeconds(1));
            if (r.Succeeded)
            {
                return;
            }

            Thread.Sleep(200);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(15));

        throw new LabException($"{b.Title} not answering: {r.Describe()}");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string Machine()
    {
        string model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        string kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "?";
        return $"{Environment.ProcessorCount} CPUs ({model}), kernel {kernel}";
    }
}
