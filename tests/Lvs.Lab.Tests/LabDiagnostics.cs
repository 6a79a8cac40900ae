using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>What explains most data-path failures, written to a test's output after it ran.</summary>
public static class LabDiagnostics
{
    /// <summary>Writes <c>lvsadm -L -n</c>, <c>-L -n -c</c>, <c>-L --drops</c> and the tail of lvsd's log.</summary>
    public static void Write(LabTopology lab, ITestOutputHelper output)
    {
        foreach (string[] args in new[] { new[] { "-L", "-n" }, ["-L", "-n", "-c"], ["-L", "--drops"] })
        {
            var result = lab.Lvsadm(args);
            output.WriteLine("$ lvsadm " + string.Join(' ', args));
            output.WriteLine(result.Succeeded ? result.Stdout : result.Describe());
        }

        if (lab.Lvsd is { } lvsd)
        {
            string state = lvsd.HasExited ? $"died with exit code {lvsd.ExitCode}" : "running";
            output.WriteLine($"lvsd {state}; last lines of its log:");
            output.WriteLine(string.Join('\n', lvsd.Output.Split('\n').TakeLast(30)));
        }
    }

    /// <summary>The count lvsd reports for drop <paramref name="reason"/> (as <c>lvsadm -L --drops</c> names it).</summary>
    public static long DropCount(LabTopology lab, string reason)
    {
        string text = lab.Lvsadm("-L", "--drops").EnsureSuccess().Stdout;
        foreach (string line in text.Split('\n'))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[0] == reason)
            {
                return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no '{reason}' line in lvsadm -L --drops:\n{text}");
    }
}
