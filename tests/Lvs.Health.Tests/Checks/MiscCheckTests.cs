using System.Diagnostics;
using System.Globalization;
using Lvs.Health.Tests.TestSupport;

namespace Lvs.Health.Tests.Checks;

public class MiscCheckTests
{
    private static IHealthCheck Create(string script, bool dynamic = false, double timeout = 5)
    {
        var block = Blocks.Parse($"MISC_CHECK {{\nmisc_path \"{script}\"\nmisc_timeout {timeout}\n{(dynamic ? "misc_dynamic" : "")}\n}}");
        Assert.True(CheckerFactory.TryCreate(block, new CheckTarget(System.Net.IPAddress.Loopback, 80), TimeSpan.FromSeconds(1), out var check, out var error), error);
        return check!;
    }

    [Fact]
    public async Task RunAsync_Exit0_Up()
    {
        var result = await Create("exit 0").RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        Assert.Null(result.Weight);
    }

    [Fact]
    public async Task RunAsync_Exit1_Down()
    {
        var result = await Create("echo chatty; exit 1", dynamic: true).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal("script exited 1", result.Reason);
    }

    [Fact]
    public async Task RunAsync_Exit7Dynamic_UpWithWeight5()
    {
        var result = await Create("exit 7", dynamic: true).RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        Assert.Equal(5, result.Weight);
    }

    [Fact]
    public async Task RunAsync_Exit7NotDynamic_Down()
    {
        var result = await Create("exit 7").RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Null(result.Weight);
    }

    [Fact]
    public async Task RunAsync_Exit2Dynamic_UpWithWeight0()
    {
        var result = await Create("exit 2", dynamic: true).RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        Assert.Equal(0, result.Weight);
    }

    [Fact]
    public async Task RunAsync_ScriptOverrunsTimeout_DownOnTimeAndProcessesKilled()
    {
        var pidFile = Path.Combine(Path.GetTempPath(), $"lvs-health-misc-{Guid.NewGuid():N}");
        try
        {
            // A child in the background and the shell waiting for it: both must go.
            var clock = Stopwatch.StartNew();
            var result = await Create($"sleep 30 & echo $! > {pidFile}; wait", timeout: 0.5).RunAsync(CancellationToken.None);
            Assert.False(result.Up);
            Assert.Contains("killed", result.Reason);
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.4, 3);
            var pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
            var gone = SpinWait.SpinUntil(() => !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), 2000);
            Assert.True(gone, $"sleep {pid} still running");
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    [Fact]
    public async Task RunAsync_LargeOutput_DoesNotBlock()
    {
        var result = await Create("head -c 1000000 /dev/zero; exit 0", timeout: 5).RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
    }
}
