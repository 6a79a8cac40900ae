using System.Diagnostics;
using System.Globalization;

namespace Lvs.Lab;

// UDP real servers: dnsmasq on every real server, each answering one TXT record with its own
// name, so a dig through the VIP says which server answered (as nginx's body does for HTTP).
public abstract partial class LabTopology
{
    /// <summary>The DNS port the real servers listen on and the UDP service uses.</summary>
    public const int DnsPort = 53;

    /// <summary>The TXT record every real server answers with its own name (rs1, rs2, ...).</summary>
    public const string DnsWhoName = "who.lab";

    private static readonly TimeSpan DnsReadyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The UDP service as lvsadm names it: <c>192.0.2.10:53</c>.</summary>
    public static string VipDnsService => $"{Vip}:{DnsPort}";

    /// <summary>
    /// Starts dnsmasq (binary only: no config file, no upstream, no hosts file, no pid file) on
    /// port 53 of every real server's address, answering <see cref="DnsWhoName"/> TXT with the
    /// server's name, and waits until each answers the director directly.
    /// </summary>
    /// <exception cref="LabException">dnsmasq is missing, exited, or did not answer within 10 s.</exception>
    public void StartDnsServers()
    {
        string dnsmasq = Tools.Find("dnsmasq")
            ?? throw new LabException("dnsmasq not found: apt-get install dnsmasq-base");
        foreach (var rs in RealServers)
        {
            // --bind-interfaces with one --listen-address: the socket is bound to that address
            // alone, so the answer's source is the address the director sent the query to.
            // In a dual-stack lab also its IPv6 address, bound the same way.
            string[] listen6 = rs.Address6 is { } a6 ? [$"--listen-address={a6}"] : [];
            StartInNamespace($"dnsmasq {rs.Name}", rs.Namespace,
                [dnsmasq, "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=",
                "--log-facility=-", $"--port={DnsPort}", $"--listen-address={rs.Address}", .. listen6, "--bind-interfaces",
                $"--txt-record={DnsWhoName},{rs.Name}"]);
        }

        var clock = Stopwatch.StartNew();
        var targets = RealServers.Select(rs => (rs, Address: rs.Address))
            .Concat(RealServers.Where(rs => rs.Address6 is not null).Select(rs => (rs, Address: rs.Address6!)));
        foreach (var (rs, address) in targets)
        {
            while (true)
            {
                var answer = Dig(DirectorNamespace, address, sourceAddress: null, sourcePort: null, TimeSpan.FromSeconds(1));
                if (answer.Succeeded && ParseTxt(answer.Stdout) == rs.Name)
                {
                    break;
                }

                var process = FindProcess($"dnsmasq {rs.Name}");
                if (process is { HasExited: true } || clock.Elapsed > DnsReadyTimeout)
                {
                    throw new LabException($"dnsmasq on {rs.Name} ({address}) does not answer the director: {answer.Describe()}\n"
                        + $"dnsmasq output: {process?.Output}");
                }

                Thread.Sleep(200);
            }
        }
    }

    /// <summary>
    /// One query for <see cref="DnsWhoName"/> TXT from the client namespace to
    /// <paramref name="server"/>:53, one try, from <paramref name="sourceAddress"/> (the client's
    /// address when null) and <paramref name="sourcePort"/> (an ephemeral port when null). dig
    /// accepts only an answer whose source is the address and port it asked, so a success
    /// through the VIP means the reply came back from VIP:53. For an IPv6
    /// <paramref name="server"/> give an IPv6 <paramref name="sourceAddress"/> (<see cref="ClientAddress6"/>).
    /// </summary>
    public ExecResult DigFromClient(string server, string? sourceAddress, int? sourcePort, TimeSpan timeout) =>
        Dig(ClientNamespace, server, sourceAddress ?? ClientAddress, sourcePort, timeout);

    /// <summary>The first TXT string of dig +short output (<c>"rs1"</c> gives rs1), or null.</summary>
    public static string? ParseTxt(string digShortOutput)
    {
        string line = digShortOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(l => !l.StartsWith(';'), "");
        return line.Length >= 2 && line[0] == '"' && line[^1] == '"' ? line[1..^1] : null;
    }

    private ExecResult Dig(string ns, string server, string? sourceAddress, int? sourcePort, TimeSpan timeout)
    {
        string seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var args = new List<string> { "dig", "+short", "+tries=1", $"+time={seconds}", "-p", DnsPort.ToString(CultureInfo.InvariantCulture) };
        if (sourceAddress is not null)
        {
            args.Add("-b");
            args.Add(sourcePort is { } port ? string.Create(CultureInfo.InvariantCulture, $"{sourceAddress}#{port}") : sourceAddress);
        }

        args.AddRange(["@" + server, DnsWhoName, "TXT"]);
        // The outer timeout only guards against dig itself hanging.
        return Exec(ns, timeout + TimeSpan.FromSeconds(5), [.. args]);
    }
}
