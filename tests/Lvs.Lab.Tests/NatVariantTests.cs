using System.Diagnostics;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// The NAT checks every lvsd variant must pass (AF_XDP, several workers): 32 round-robin
/// requests split evenly, a 100 MB download with the right checksum, wrk with no socket error.
/// Each variant's class adds what is particular to it.
/// </summary>
public abstract class NatVariantTests<TFixture> : IDisposable
    where TFixture : LabFixture<NatLab>
{
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(5);

    private protected NatVariantTests(TFixture fixture, ITestOutputHelper output)
    {
        Fixture = fixture;
        Output = output;
        if (fixture.Lab is { } lab)
        {
            lab.Lvsadm("-C").EnsureSuccess();
        }
    }

    private protected TFixture Fixture { get; }

    private protected ITestOutputHelper Output { get; }

    private protected NatLab Lab => Fixture.Lab ?? throw new InvalidOperationException("lab not built");

    /// <summary>How the variant's lvsd was started, for the figures printed.</summary>
    private protected abstract string Variant { get; }

    [RootFact]
    public void RoundRobin_32SequentialRequests_Split16And16()
    {
        Lab.AddService("rr", 1, 1);

        var results = Sequential32();

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal([16, 16], HttpProbe.Tally(Lab, results).Select(t => t.Count));
    }

    [RootFact]
    public void Download100MB_ChecksumMatches()
    {
        Lab.AddService("rr", 1, 1);
        string target = Path.Combine(Lab.TempDirectory, "download-variant.bin");
        var clock = Stopwatch.StartNew();
        var curl = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(100),
            "curl", "-sS", "--fail", "--max-time", "90", "-o", target, $"http://{NatLab.Vip}/big");
        double seconds = clock.Elapsed.TotalSeconds;
        Output.WriteLine($"100 MB through lvsd {Variant} in {seconds:0.0} s ({LabFixture<NatLab>.BigFileBytes / seconds / 1e6:0.0} MB/s)");

        Assert.True(curl.Succeeded, curl.Describe());
        Assert.Equal(LabFixture<NatLab>.BigFileBytes, new FileInfo(target).Length);
        Assert.Equal(Fixture.BigFileSha256, LabFixture<NatLab>.Sha256Of(target));
        File.Delete(target);
    }

    [RootFact]
    public void Wrk_20ConnectionsWithConnectionClose_NoSocketErrors()
    {
        Lab.AddService("rr", 1, 1);

        var result = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(40),
            "wrk", "-t2", "-c20", "-d5s", "--timeout", "5s", "-H", "Connection: close", $"http://{NatLab.Vip}/");
        Output.WriteLine(result.Stdout);

        Assert.True(result.Succeeded, result.Describe());
        var wrk = WrkOutput.Parse(result.Stdout);
        Assert.True(wrk.SocketErrors == 0, $"socket errors: {wrk}");
        Assert.True(wrk.Requests > 0, "wrk completed no request");
    }

    public void Dispose()
    {
        if (Fixture.Lab is { } lab)
        {
            lab.Lvsadm("-C");
        }

        GC.SuppressFinalize(this);
    }

    private protected IReadOnlyList<ProbeResult> Sequential32() =>
        HttpProbe.Sequential(Lab, 32, PerRequestTimeout, r => Output.WriteLine(r.ToString()));

    /// <summary>Restarts lvsd with each argument set in turn and prints what <paramref name="measure"/> returns; restores <paramref name="final"/>.</summary>
    private protected void Alternate(int rounds, IReadOnlyList<string[]> variants, string[] final, Func<string[], int, string> measure)
    {
        var lines = new List<string>();
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                foreach (string[] args in variants)
                {
                    Lab.RestartLvsd(args);
                    Lab.AddService("rr", 1, 1);
                    lines.Add(measure(args, round));
                }
            }
        }
        finally
        {
            Lab.RestartLvsd(final);
            lines.Add($"load average: {File.ReadAllText("/proc/loadavg").Trim()} on {Environment.ProcessorCount} CPUs");
            foreach (string line in lines)
            {
                Output.WriteLine(line);
                Console.WriteLine(line);
            }
        }
    }
}
