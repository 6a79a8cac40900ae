using System.Diagnostics;
using System.Security.Cryptography;

namespace Lvs.Agent.Tests.Root;

/// <summary>
/// A network namespace a test creates for itself and removes on <see cref="Dispose"/>, also when
/// the test fails. Names carry a per-run random prefix; namespaces are joined only to each other
/// by veth pairs created inside them, never to the root namespace.
/// </summary>
internal sealed class AgentNamespace : IDisposable
{
    private bool _disposed;

    private AgentNamespace(string name) => Name = name;

    public string Name { get; }

    public static string NewPrefix() => "lvsag" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    /// <summary>Creates "{prefix}-{suffix}" with lo up.</summary>
    public static AgentNamespace Create(string prefix, string suffix)
    {
        var ns = new AgentNamespace($"{prefix}-{suffix}");
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

    /// <summary>A veth pair between two of our namespaces, addressed and up.</summary>
    public static void LinkVeth(AgentNamespace a, string ifA, string cidrA, AgentNamespace b, string ifB, string cidrB)
    {
        a.Ip("link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", b.Name);
        a.Ip("addr", "add", cidrA, "dev", ifA);
        b.Ip("addr", "add", cidrB, "dev", ifB);
        a.Ip("link", "set", ifA, "up");
        b.Ip("link", "set", ifB, "up");
    }

    public string Ip(params string[] args) => Run("ip", ["-n", Name, .. args]);

    /// <summary>Reads a file under /proc/sys as this namespace sees it.</summary>
    public string Sysctl(string key) => Run("ip", "netns", "exec", Name, "cat", $"/proc/sys/{key}").Trim();

    /// <summary>Runs a program to completion (bounded, 20 s); throws with its stderr on a non-zero exit.</summary>
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{file} {string.Join(' ', args)}: timed out");
        }

        process.WaitForExit();
        return process.ExitCode == 0
            ? stdout.Result
            : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {process.ExitCode}: {stderr.Result.Trim()}");
    }

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
        catch (Exception e)
        {
            Console.Error.WriteLine($"warning: could not delete netns {Name}: {e.Message}");
        }
    }
}
