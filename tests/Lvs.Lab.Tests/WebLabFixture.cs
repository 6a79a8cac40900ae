using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// A NAT lab whose lvsd serves --web on 127.0.0.1:9180 of the director namespace: scrapes and
/// the browser run inside that namespace, so no HTTP leaves the lab.
/// </summary>
public sealed class WebLabFixture() : LabFixture<NatLab>(NatLab.Create, lab => lab.StartLvsd("--web", Listen))
{
    /// <summary>Where lvsd listens, on the director namespace's own loopback.</summary>
    public const string Listen = "127.0.0.1:9180";

    public const string BaseUrl = "http://" + Listen;
}

/// <summary>
/// The browser test's lab: lvsd --web as in <see cref="WebLabFixture"/>, its service from a
/// keepalived.conf with a TCP_CHECK per real server every second (delay_loop 1) and
/// inhibit_on_failure, so a failed server stays listed with weight 0. lvsd parses the checkers
/// today and acts on them once health checks (issue 6) are built.
/// </summary>
public sealed class DashboardLabFixture() : LabFixture<NatLab>(NatLab.Create, Start)
{
    /// <summary>The checkers' interval (delay_loop), connect timeout and retries.</summary>
    public const int DelayLoopSeconds = 1, ConnectTimeoutSeconds = 1, Retries = 1;

    private static void Start(NatLab lab)
    {
        string servers = string.Concat(lab.RealServers.Select(rs => $$"""
                real_server {{rs.Address}} 80 {
                    weight 1
                    inhibit_on_failure
                    TCP_CHECK {
                        connect_timeout {{ConnectTimeoutSeconds}}
                        retry {{Retries}}
                        delay_before_retry 1
                    }
                }

            """));
        string config = Path.Combine(lab.TempDirectory, "keepalived.conf");
        File.WriteAllText(config, $$"""
            virtual_server {{LabTopology.Vip}} 80 {
                delay_loop {{DelayLoopSeconds}}
                lb_algo rr
                lb_kind NAT
                protocol TCP
            {{servers}}}

            """);
        lab.StartLvsd("--web", WebLabFixture.Listen, "--config", config);
    }
}

/// <summary>Reads what the web E2E tests compare: metrics text and lvsadm's exact stats.</summary>
public static class WebLabReading
{
    /// <summary>GETs <paramref name="path"/> from lvsd's listener with curl inside the director namespace.</summary>
    public static ExecResult Get(NatLab lab, string path, params string[] curlArgs) =>
        lab.Exec(lab.DirectorNamespace, TimeSpan.FromSeconds(15),
            ["curl", "-sS", "--max-time", "10", .. curlArgs, WebLabFixture.BaseUrl + path]);

    /// <summary>Every sample of a Prometheus text body: "name{labels}" → value.</summary>
    public static Dictionary<string, ulong> ParseMetrics(string text)
    {
        var samples = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            samples[line[..space]] = ulong.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }

        return samples;
    }

    /// <summary>The node_exporter label set of real server <paramref name="rip"/>:80 of TCP VIP:80.</summary>
    public static string Backend(string name, string rip) =>
        $"{name}{{local_address=\"{LabTopology.Vip}\",local_port=\"80\",remote_address=\"{rip}\",remote_port=\"80\",proto=\"TCP\",local_mark=\"\"}}";

    /// <summary>
    /// The lines of <c>lvsadm -L -n --stats --exact</c> as (address:port → Conns, InPkts, OutPkts,
    /// InBytes, OutBytes), the service's line under "TCP VIP:80" and each server's under its address.
    /// </summary>
    public static Dictionary<string, ulong[]> ParseStats(string listing)
    {
        var rows = new Dictionary<string, ulong[]>(StringComparer.Ordinal);
        foreach (string line in listing.Split('\n'))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 7 && f[0] == "TCP")
            {
                rows["TCP " + f[1]] = [.. f[2..].Select(ulong.Parse)];
            }
            else if (f.Length == 7 && f[0] == "->" && char.IsDigit(f[2][0]))
            {
                rows[f[1]] = [.. f[2..].Select(ulong.Parse)];
            }
        }

        return rows;
    }
}
