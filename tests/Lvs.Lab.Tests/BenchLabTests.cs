using System.Text.RegularExpressions;
using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// <c>lvs-lab bench --quick</c> on a reduced matrix (nftables DNAT and lvsd NAT): the table has a
/// number in every cell it claims, "n/a" only where the row cannot have one, a chart, and no
/// namespace of the bench is left. Not a performance assertion.
/// </summary>
public sealed partial class BenchLabTests
{
    [BenchFact]
    public void Bench_QuickNftAndLvsdNat_TableHasNumbersAndCleansUp()
    {
        string outDir = Directory.CreateTempSubdirectory("lvs-bench-test-").FullName;
        try
        {
            var run = ProcessRunner.Run(LvsBin.Program("lvs-lab"),
                ["bench", "--quick", "--rows", "nft,lvs-nat", "--hold", "1000", "--out", outDir], TimeSpan.FromSeconds(150));
            Assert.True(run.Succeeded, run.Describe());

            string table = File.ReadAllText(Path.Combine(outDir, "bench.md"));
            var rows = table.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains("(`", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, rows.Count);
            var nft = Cells(rows.Single(r => r.Contains("(`nft`)", StringComparison.Ordinal)));
            var lvs = Cells(rows.Single(r => r.Contains("(`lvs-nat`)", StringComparison.Ordinal)));

            // Columns: conn/s, download, upload, UDP kpps, held, RSS, CPU. The kernel has no process to measure.
            Assert.Equal(7, nft.Count);
            Assert.All(nft.Take(5), c => Assert.Matches(Number(), c));
            Assert.Equal(["n/a", "n/a"], nft.Skip(5));
            Assert.Equal(7, lvs.Count);
            Assert.All(lvs, c => Assert.Matches(Number(), c));
            // Ratios to the nftables row are printed for every metric both rows have.
            Assert.All(lvs.Take(5), c => Assert.Contains(" ×", c));
            Assert.StartsWith("1,000", lvs[4]);

            Assert.Contains("<svg", File.ReadAllText(Path.Combine(outDir, "bench.svg")));

            // Every namespace the bench announced is gone.
            var prefixes = LabPrefix().Matches(run.Stderr).Select(m => m.Value).Distinct().ToList();
            Assert.NotEmpty(prefixes);
            string namespaces = ProcessRunner.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).EnsureSuccess().Stdout;
            Assert.All(prefixes, p => Assert.DoesNotContain(p + "-", namespaces));
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    private static List<string> Cells(string row) =>
        row.Trim().Trim('|').Split('|').Skip(1).Select(c => c.Trim()).ToList();

    [GeneratedRegex(@"^[0-9][0-9,]*(\.[0-9]+)?( ×[0-9]+\.[0-9]{2})?$")]
    private static partial Regex Number();

    [GeneratedRegex(@"lvs-[0-9a-f]{6}")]
    private static partial Regex LabPrefix();
}

/// <summary>A <see cref="RootFactAttribute"/> that also needs iperf3 (the bench's throughput tool).</summary>
public sealed class BenchFactAttribute : FactAttribute
{
    public BenchFactAttribute()
    {
        string? why = Tools.WhyNotRunnable([.. Tools.ForTests, "iperf3", "ss"]);
        if (why is not null)
        {
            Skip = why;
        }
    }
}
