using System.Globalization;
using System.Text.RegularExpressions;

namespace Lvs.Lab;

/// <summary>The small commands around the demo: option parsing, <c>up</c> and <c>down</c>.</summary>
internal static partial class LabCommands
{
    /// <summary>
    /// Parses <c>[--method nat|dr|tun] [--servers N] [--no-offload] [--ipv6]</c>; progress goes to
    /// <paramref name="log"/>. Without --method, <paramref name="methods"/> is NAT, DR, TUN.
    /// </summary>
    public static bool TryParseOptions(
        ReadOnlySpan<string> args, TextWriter log, out LabOptions options, out IReadOnlyList<ForwardingMethod> methods, out string error)
    {
        // IPv4 only unless --ipv6: the demo shows exactly what it showed before IPv6 existed.
        options = new LabOptions { Log = line => log.WriteLine(line), Web = true, Ipv6 = false };
        methods = [ForwardingMethod.Nat, ForwardingMethod.Dr, ForwardingMethod.Tun];
        error = "";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--servers" when i + 1 < args.Length
                    && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 200:
                    options = options with { RealServerCount = n };
                    i++;
                    break;
                case "--method" when i + 1 < args.Length && LabSetup.Names.TryGetValue(args[i + 1], out var method):
                    methods = [method];
                    i++;
                    break;
                case "--no-offload":
                    options = options with { DisableOffloads = true };
                    break;
                case "--ipv6":
                    options = options with { Ipv6 = true, Ipv6Service = true };
                    break;
                default:
                    error = $"bad option '{args[i]}' (--servers takes 1..200, --method nat|dr|tun, --ipv6)";
                    return false;
            }
        }

        return true;
    }

    /// <summary>Builds the lab of <paramref name="method"/> with lvsd (and agents) and an rr service, prints how to reach it, waits for Ctrl-C.</summary>
    public static int Up(LabOptions options, ForwardingMethod method, TextWriter output, ManualResetEventSlim interrupted)
    {
        using var lab = LabSetup.CreateAndStart(method, options);
        using var dashboard = WebProxy.Start();
        dashboard.Target = lab.WebSocketPath;
        output.WriteLine($"""
            {LabSetup.Describe(method)} lab {lab.Prefix} is up; Ctrl-C removes it (or, if this process is killed: lvs-lab down {lab.Prefix})
              namespaces: {lab.NamespaceSummary}
              client:   ip netns exec {lab.ClientNamespace} curl http://{LabTopology.Vip}/
            """);
        if (options.Ipv6Service)
        {
            output.WriteLine($"  client:   ip netns exec {lab.ClientNamespace} curl -g '{LabTopology.Vip6Url()}'");
        }

        output.WriteLine($"""
              lvsadm:   {LvsBin.Program("lvsadm")} --control {lab.ControlPath} -L -n
              director: ip netns exec {lab.DirectorNamespace} bash
              dashboard: {dashboard.Url} (metrics: {dashboard.Url}metrics; lvsd listens on {lab.WebSocketPath})
            """);
        while (!interrupted.Wait(TimeSpan.FromSeconds(1)))
        {
            if (lab.Lvsd is { HasExited: true } dead)
            {
                output.WriteLine($"lvsd died with exit code {dead.ExitCode}; its output:\n{dead.Output}");
                return 1;
            }
        }

        output.WriteLine($"removing {lab.Prefix}");
        return 0;
    }

    /// <summary>
    /// Removes namespaces <paramref name="prefix"/>-* that a killed run left, first killing
    /// the processes inside them (they can only be the lab's lvsd, lvs-agent and nginx).
    /// </summary>
    public static int Down(string prefix, TextWriter output)
    {
        if (!PrefixPattern().IsMatch(prefix))
        {
            output.WriteLine($"lvs-lab: '{prefix}' is not a lab prefix (lvs- and 6 hex digits)");
            return 2;
        }

        var list = ProcessRunner.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).EnsureSuccess();
        var mine = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0])
            .Where(ns => ns.StartsWith(prefix + "-", StringComparison.Ordinal))
            .ToList();
        foreach (string ns in mine)
        {
            var pids = ProcessRunner.Run("ip", ["netns", "pids", ns], TimeSpan.FromSeconds(10)).Stdout
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (pids.Length > 0)
            {
                ProcessRunner.Run("kill", ["-TERM", .. pids], TimeSpan.FromSeconds(10));
                Thread.Sleep(TimeSpan.FromSeconds(1));
                ProcessRunner.Run("kill", ["-KILL", .. pids], TimeSpan.FromSeconds(10));
            }

            ProcessRunner.Run("ip", ["netns", "delete", ns], TimeSpan.FromSeconds(10)).EnsureSuccess();
            output.WriteLine($"deleted {ns}");
        }

        output.WriteLine(mine.Count == 0 ? $"no namespaces {prefix}-*" : $"removed {mine.Count} namespaces");
        foreach (var dir in new DirectoryInfo(Path.GetTempPath()).EnumerateDirectories(prefix + "-*"))
        {
            dir.Delete(recursive: true);
            output.WriteLine($"deleted {dir.FullName}");
        }

        return 0;
    }

    [GeneratedRegex("^lvs-[0-9a-f]{6}$")]
    private static partial Regex PrefixPattern();
}
