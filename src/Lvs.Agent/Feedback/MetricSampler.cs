using System.Diagnostics;
using System.Text;

namespace Lvs.Agent.Feedback;

/// <summary>
/// Turns the chosen metric into the agent-check line to answer. Stateful only for cpu (the idle share
/// is a difference between two readings). Files are read through a delegate so tests can feed captured
/// /proc text; commands run under /bin/sh -c with a time limit.
/// </summary>
public sealed class MetricSampler(FeedbackOptions options, Func<string, string>? readFile = null)
{
    /// <summary>Bytes of a command's output kept; the rest is read and thrown away so the command never blocks on a full pipe.</summary>
    private const int MaxOutput = 4096;

    private readonly Func<string, string> _read = readFile ?? File.ReadAllText;
    private CpuTimes? _lastCpu;

    /// <summary>How long a command may run: the sampling interval, between 1 and 5 seconds.</summary>
    public TimeSpan CommandTimeout => TimeSpan.FromTicks(Math.Clamp(options.Interval.Ticks, TimeSpan.TicksPerSecond, 5 * TimeSpan.TicksPerSecond));

    /// <summary>One sample: the line to answer until the next.</summary>
    public async Task<string> SampleAsync(CancellationToken ct)
    {
        try
        {
            return options.Metric switch
            {
                FeedbackMetric.Cpu => Cpu(),
                FeedbackMetric.LoadAverage => LoadAverage(),
                FeedbackMetric.Connections => Connections(),
                _ => await CommandAsync(ct).ConfigureAwait(false),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return AgentAnswer.Fail($"cannot read the metric: {e.Message}");
        }
    }

    private string Cpu()
    {
        if (!LoadReadings.TryParseCpu(_read("/proc/stat"), out CpuTimes now))
        {
            return AgentAnswer.Fail("/proc/stat has no cpu line");
        }

        CpuTimes? before = _lastCpu;
        _lastCpu = now;
        // The first reading has nothing to compare with; report full weight until the second.
        double? idle = before is { } b ? LoadReadings.IdlePercent(b, now) : 100;
        return idle is { } i ? AgentAnswer.Percent(LoadReadings.PercentForIdle(i)) : AgentAnswer.Fail("cpu counters did not advance");
    }

    private string LoadAverage()
    {
        if (!LoadReadings.TryParseLoadAverage(_read("/proc/loadavg"), out double load))
        {
            return AgentAnswer.Fail("/proc/loadavg unreadable");
        }

        double perCore = load / Math.Max(1, Environment.ProcessorCount);
        return AgentAnswer.Percent(LoadReadings.PercentFor(perCore, options.EffectiveMaxLoad));
    }

    private string Connections()
    {
        int count = LoadReadings.CountEstablished(_read("/proc/net/tcp"));
        try
        {
            count += LoadReadings.CountEstablished(_read("/proc/net/tcp6"));
        }
        catch (IOException)
        {
            // A kernel without IPv6 has no tcp6 file.
        }

        return AgentAnswer.Percent(LoadReadings.PercentFor(count, options.EffectiveMaxLoad));
    }

    private async Task<string> CommandAsync(CancellationToken ct)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(options.Command!);
        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return AgentAnswer.Fail($"cannot run the command: {e.Message}");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(CommandTimeout);
        try
        {
            string output = await ReadBoundedAsync(process.StandardOutput, limit.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                return AgentAnswer.Fail($"command exited with {process.ExitCode}");
            }

            return AgentAnswer.FromCommandOutput(output) ?? AgentAnswer.Fail("command output is not an agent-check answer");
        }
        catch (OperationCanceledException)
        {
            // Our own child, by its pid (and what it started), so a hung command cannot pile up.
            process.Kill(entireProcessTree: true);
            return AgentAnswer.Fail($"command did not finish within {CommandTimeout.TotalSeconds:0.#} s");
        }
    }

    private static async Task<string> ReadBoundedAsync(StreamReader reader, CancellationToken ct)
    {
        var kept = new StringBuilder();
        char[] buffer = new char[1024];
        while (true)
        {
            int n = await reader.ReadAsync(buffer.AsMemory(), ct).ConfigureAwait(false);
            if (n == 0)
            {
                return kept.ToString();
            }

            if (kept.Length < MaxOutput)
            {
                kept.Append(buffer, 0, Math.Min(n, MaxOutput - kept.Length));
            }
        }
    }
}
