using System.Diagnostics;
using System.Security.Cryptography;

namespace Lvs.Linux.Tests;

/// <summary>
/// A network namespace a test creates for itself and removes on <see cref="Dispose"/>, also
/// when the test fails. Names carry a per-run random prefix so parallel runs never collide.
/// Namespaces are joined only to each other (<see cref="LinkVeth"/> creates the pair inside
/// them); nothing here touches the root namespace's links or routes.
/// </summary>
public sealed class TestNamespace : IDisposable
{
    private bool _disposed;

    private TestNamespace(string name) => Name = name;

    /// <summary>The namespace name, as `ip netns` knows it (under /var/run/netns).</summary>
    public string Name { get; }

    /// <summary>A fresh random prefix such as "lvs3fa9c1", unique per call.</summary>
    public static string NewPrefix() => "lvs" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    /// <summary>Creates the namespace "{prefix}-{suffix}" with its loopback up.</summary>
    public static TestNamespace Create(string prefix, string suffix)
    {
        var ns = new TestNamespace($"{prefix}-{suffix}");
        Run("ip", "netns", "add", ns.Name);
        try
        {
            ns.Ip("link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }

        return ns;
    }

    /// <summary>
    /// Creates a veth pair with <paramref name="ifA"/> in <paramref name="a"/> and
    /// <paramref name="ifB"/> in <paramref name="b"/>, assigns the given CIDR addresses (may be null)
    /// and brings both ends up.
    /// </summary>
    public static void LinkVeth(TestNamespace a, string ifA, string? cidrA, TestNamespace b, string ifB, string? cidrB)
    {
        a.Ip("link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", b.Name);
        if (cidrA is not null)
        {
            a.Ip("addr", "add", cidrA, "dev", ifA);
        }

        if (cidrB is not null)
        {
            b.Ip("addr", "add", cidrB, "dev", ifB);
        }

        a.Ip("link", "set", ifA, "up");
        b.Ip("link", "set", ifB, "up");
    }

    /// <summary>
    /// Waits (bounded) until <paramref name="ifName"/> is operationally up: only then has the kernel
    /// attached its qdisc, and frames sent earlier are silently dropped.
    /// </summary>
    public void WaitOperUp(string ifName, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var fields = Ip("-br", "link", "show", "dev", ifName).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 1 && fields[1] == "UP")
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name}/{ifName} not up: {string.Join(' ', fields)}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>The MAC address of <paramref name="ifName"/> in this namespace.</summary>
    public byte[] MacOf(string ifName)
    {
        var fields = Ip("-br", "link", "show", "dev", ifName).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return Convert.FromHexString(fields[2].Replace(":", string.Empty, StringComparison.Ordinal));
    }

    /// <summary>Runs `ip -n NAME args...` and returns its stdout; throws on a non-zero exit.</summary>
    public string Ip(params string[] args) => Run("ip", ["-n", Name, .. args]);

    /// <summary>Runs a program inside the namespace (`ip netns exec NAME file args...`).</summary>
    public string Exec(string file, params string[] args) => Run("ip", ["netns", "exec", Name, file, .. args]);

    /// <summary>
    /// Runs a program to completion (bounded by <paramref name="timeout"/>, default 20 s) and returns
    /// its stdout. Throws with its stderr on a non-zero exit; on timeout kills exactly that process (by pid).
    /// </summary>
    public static string Run(string file, string[] args, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(20)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{file} {string.Join(' ', args)}: timed out");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)}: exit {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return stdout.Result;
    }

    /// <summary>Convenience overload of <see cref="Run(string, string[], TimeSpan?)"/>.</summary>
    public static string Run(string file, params string[] args) => Run(file, args, null);

    /// <summary>Deletes the namespace (its veth ends go with it). Never throws.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Run("ip", "netns", "del", Name);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"warning: could not delete netns {Name}: {ex.Message}");
        }
    }
}
