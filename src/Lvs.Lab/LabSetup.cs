namespace Lvs.Lab;

/// <summary>Builds a lab of a given forwarding method with everything running: lvsd, the agents, an rr service.</summary>
public static class LabSetup
{
    /// <summary>The lvsadm method names the command line takes (<c>--method nat|dr|tun</c>).</summary>
    public static readonly IReadOnlyDictionary<string, ForwardingMethod> Names = new Dictionary<string, ForwardingMethod>
    {
        ["nat"] = ForwardingMethod.Nat,
        ["dr"] = ForwardingMethod.Dr,
        ["tun"] = ForwardingMethod.Tun,
    };

    /// <summary>
    /// Builds the lab for <paramref name="method"/> (TUN with <paramref name="tunnel"/>), starts
    /// lvsd and, for DR and TUN, lvs-agent on every real server, and adds the service VIP:80 with
    /// rr over every real server at weight 1 (and [VIP6]:80 likewise when
    /// <see cref="LabOptions.Ipv6Service"/>). Disposes the lab if any step fails.
    /// </summary>
    /// <exception cref="LabException">A step failed; the message says which and why.</exception>
    public static LabTopology CreateAndStart(ForwardingMethod method, LabOptions options, TunnelType tunnel = TunnelType.Ipip)
    {
        LabTopology lab = method switch
        {
            ForwardingMethod.Nat => NatLab.Create(options),
            ForwardingMethod.Dr => DrLab.Create(options),
            ForwardingMethod.Tun => TunLab.Create(options, tunnel),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
        };
        try
        {
            lab.StartLvsd(options.Web ? lab.WebArgs : []);
            if (lab is DirectReturnLab direct)
            {
                direct.StartAgents();
            }

            lab.AddService("rr", [.. lab.RealServers.Select(_ => 1)]);
            if (options.Ipv6Service)
            {
                lab.AddService6("rr", [.. lab.RealServers.Select(_ => 1)]);
            }

            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>The method's short name: NAT, DR, TUN.</summary>
    public static string Describe(ForwardingMethod method) => method.ToString().ToUpperInvariant();

    /// <summary>One phrase on what the method does, for the demo's headings.</summary>
    public static string Explain(ForwardingMethod method) => method switch
    {
        ForwardingMethod.Nat => "the director rewrites addresses both ways; replies return through it",
        ForwardingMethod.Dr => "the director changes only the destination MAC; real servers reply directly",
        ForwardingMethod.Tun => "the director wraps packets in IPIP to real servers on another network; they reply directly",
        _ => method.ToString(),
    };
}
