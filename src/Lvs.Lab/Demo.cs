namespace Lvs.Lab;

/// <summary>
/// <c>lvs-lab demo</c>: the NAT lab, lvsd with an rr service over every real server, 32
/// sequential requests through the VIP, the spread, the counters, then everything removed.
/// </summary>
internal static class Demo
{
    private const int Requests = 32;
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs the demo; returns the process exit code (0 only if every request succeeded).</summary>
    public static int Run(NatLabOptions options, TextWriter output)
    {
        using var lab = NatLab.Create(options);
        output.WriteLine($"namespaces: {lab.Prefix}-{{client,director,lan,rs1..rs{lab.RealServers.Count}}}");
        lab.StartLvsd();
        lab.AddNatService("rr", [.. lab.RealServers.Select(_ => 1)]);
        output.WriteLine("$ lvsadm -L -n");
        output.Write(lab.Lvsadm("-L", "-n").EnsureSuccess().Stdout);
        output.WriteLine();

        output.WriteLine($"{Requests} requests from {lab.ClientNamespace} ({NatLab.ClientAddress}) to http://{NatLab.Vip}/, one connection each:");
        var results = HttpProbe.Sequential(lab, Requests, PerRequestTimeout, r => output.WriteLine(r.ToString()));
        output.WriteLine(HttpProbe.FormatTally(HttpProbe.Tally(lab, results)));
        output.WriteLine();

        if (lab.Lvsd is { HasExited: true } dead)
        {
            output.WriteLine($"lvsd died with exit code {dead.ExitCode}; its output:");
            output.Write(dead.Output);
        }
        else
        {
            output.WriteLine("$ lvsadm -L -n --stats");
            output.Write(lab.Lvsadm("-L", "-n", "--stats").EnsureSuccess().Stdout);
        }

        int failed = results.Count(r => r.Server is null);
        string prefix = lab.Prefix;
        lab.Dispose();
        output.WriteLine();
        output.WriteLine($"removed namespaces {prefix}-*, stopped lvsd and nginx");
        if (failed > 0)
        {
            output.WriteLine($"{failed} of {Requests} requests failed");
            return 1;
        }

        return 0;
    }
}
