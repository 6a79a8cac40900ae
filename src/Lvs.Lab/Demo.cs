namespace Lvs.Lab;

/// <summary>
/// <c>lvs-lab demo</c>: for each forwarding method in turn (NAT, DR, TUN), its lab, lvsd with
/// an rr service over every real server (and lvs-agent on them for DR and TUN), 32 sequential
/// requests through the VIP, the spread, the counters, a measured line saying where the replies
/// went, then everything removed before the next method.
/// </summary>
internal static class Demo
{
    private const int Requests = 32;
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Runs the demo for <paramref name="methods"/>; returns 0 only if every method worked.</summary>
    public static int Run(LabOptions options, IReadOnlyList<ForwardingMethod> methods, TextWriter output)
    {
        var failed = new List<ForwardingMethod>();
        using var dashboard = WebProxy.Start();
        output.WriteLine($"dashboard while the demo runs: {dashboard.Url}");
        output.WriteLine();
        foreach (var method in methods)
        {
            bool ok;
            try
            {
                ok = RunOne(method, options, output, dashboard);
            }
            catch (LabException ex)
            {
                // One method's failure (e.g. a program not built yet) does not hide the others.
                output.WriteLine($"{LabSetup.Describe(method)} failed: {ex.Message}");
                ok = false;
            }

            if (!ok)
            {
                failed.Add(method);
            }

            output.WriteLine();
        }

        if (failed.Count > 0)
        {
            output.WriteLine($"failed: {string.Join(", ", failed.Select(LabSetup.Describe))}");
            return 1;
        }

        return 0;
    }

    private static bool RunOne(ForwardingMethod method, LabOptions options, TextWriter output, WebProxy dashboard)
    {
        output.WriteLine($"=== {LabSetup.Describe(method)}: {LabSetup.Explain(method)} ===");
        using var lab = LabSetup.CreateAndStart(method, options);
        dashboard.Target = options.Web ? lab.WebSocketPath : null;
        output.WriteLine($"namespaces: {lab.NamespaceSummary}");
        output.WriteLine("$ lvsadm -L -n");
        output.Write(lab.Lvsadm("-L", "-n").EnsureSuccess().Stdout);
        output.WriteLine();

        output.WriteLine($"{Requests} requests from {lab.ClientNamespace} ({LabTopology.ClientAddress}) to http://{LabTopology.Vip}/, one connection each:");
        var results = HttpProbe.Sequential(lab, Requests, PerRequestTimeout, r => output.WriteLine(r.ToString()));
        output.WriteLine(HttpProbe.FormatTally(HttpProbe.Tally(lab, results)));
        output.WriteLine();
        IReadOnlyList<ProbeResult> results6 = [];
        if (options.Ipv6Service)
        {
            output.WriteLine($"{Requests} requests from {lab.ClientNamespace} ({LabTopology.ClientAddress6}) to {LabTopology.Vip6Url()}, one connection each:");
            results6 = HttpProbe.SequentialTo(lab, LabTopology.Vip6Url(), Requests, PerRequestTimeout, r => output.WriteLine(r.ToString()));
            output.WriteLine(HttpProbe.FormatTally(HttpProbe.Tally(lab, results6)));
            output.WriteLine();
        }

        bool repliesAsExpected = false;
        if (lab.Lvsd is { HasExited: true } dead)
        {
            output.WriteLine($"lvsd died with exit code {dead.ExitCode}; its output:");
            output.Write(dead.Output);
        }
        else
        {
            output.WriteLine("$ lvsadm -L -n --stats");
            output.Write(lab.Lvsadm("-L", "-n", "--stats").EnsureSuccess().Stdout);
            var (line, ok) = ReplyPath(lab, ipv6: false);
            output.WriteLine(line);
            repliesAsExpected = ok;
            if (options.Ipv6Service)
            {
                var (line6, ok6) = ReplyPath(lab, ipv6: true);
                output.WriteLine("IPv6: " + line6);
                repliesAsExpected &= ok6;
            }
        }

        int failures = results.Count(r => r.Server is null) + results6.Count(r => r.Server is null);
        string summary = lab.NamespaceSummary;
        dashboard.Target = null;
        lab.Dispose();
        output.WriteLine($"removed namespaces {summary}; stopped {(method == ForwardingMethod.Nat ? "lvsd and nginx" : "lvsd, nginx and lvs-agent")}");
        if (failures > 0)
        {
            output.WriteLine($"{failures} of {results.Count + results6.Count} requests failed");
        }

        return failures == 0 && repliesAsExpected;
    }

    // Says where the replies went from what was counted: the service's OutPkts (reply packets
    // the director forwarded) and, for DR and TUN, the router's count of replies that came
    // from the real servers' network.
    private static (string Line, bool AsExpected) ReplyPath(LabTopology lab, bool ipv6)
    {
        long outPackets = (ipv6 ? lab.ReadServiceStats6() : lab.ReadServiceStats()).OutPackets;
        if (lab is not DirectReturnLab direct)
        {
            return outPackets > 0
                ? ($"replies went through the director: OutPkts {outPackets}", true)
                : ("replies did not go through the director (OutPkts 0), yet NAT needs them to", false);
        }

        long routed = ipv6 ? direct.Ipv6RepliesForwardedByRouter() : direct.RepliesForwardedByRouter();
        string network = ipv6 ? "2001:db8:b::/64" : "203.0.113.0/24";
        return outPackets == 0 && routed > 0
            ? ($"replies went straight from the real servers to the client (director OutPkts 0, router forwarded {routed} packets from {network})", true)
            : ($"replies did not bypass the director as they should: director OutPkts {outPackets}, router forwarded {routed} packets from {network}", false);
    }
}
