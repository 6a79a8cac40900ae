using System.Globalization;
using System.Text.RegularExpressions;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// A UDP service (<c>-u 192.0.2.10:53</c>) in NAT mode in front of two dnsmasq real servers,
/// each answering a TXT record with its own name, queried with dig from the client namespace.
/// dig takes an answer only from the address and port it asked, so every answer proves the
/// reply came back through the VIP.
/// </summary>
[Collection(SchedulingCollection.Name)]
public sealed class UdpEndToEndTests : IDisposable
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    private readonly SchedulingLabFixture _fixture;
    private readonly ITestOutputHelper _output;

    public UdpEndToEndTests(SchedulingLabFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        fixture.Lab?.Lvsadm("-C").EnsureSuccess();
    }

    private NatLab Lab => _fixture.Lab ?? throw new InvalidOperationException("lab not built");

    [DnsFact]
    public void UdpService_QueriesFromFreshPorts_AnsweredThroughVipByBothServers()
    {
        AddDnsService();

        // Each dig binds a new ephemeral port: a new UDP connection each, so rr alternates over
        // the list rs2 rs1 (newest first, as ip_vs keeps it).
        var results = Query(4, sourcePort: null);

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(["rs2", "rs1", "rs2", "rs1"], results.Select(r => r.Server?.Name));
    }

    [DnsFact]
    public void UdpService_OnePacketScheduling_QueriesFromOnePortSpreadOverBothServers()
    {
        AddDnsService("-o");

        var results = Query(6, sourcePort: 5301);

        Assert.All(results, r => Assert.Null(r.Error));
        // --ops schedules every datagram on its own, so rr alternates even on one client tuple.
        Assert.Equal(["rs2", "rs1", "rs2", "rs1", "rs2", "rs1"], results.Select(r => r.Server?.Name));
    }

    [DnsFact]
    public void UdpService_WithoutOnePacket_QueriesFromOnePortStayOnOneServer()
    {
        AddDnsService();

        var results = Query(6, sourcePort: 5302);

        Assert.All(results, r => Assert.Null(r.Error));
        // The first datagram made the entry (rr's first pick, rs2); the rest follow it.
        RealServer server = Lab.RealServers[1];
        Assert.All(results, r => Assert.Equal(server, r.Server));
        // The one UDP entry of that tuple, as ipvsadm -L -n -c shows it (state UDP, udp timeout 300 s).
        string listing = Lab.Lvsadm("-L", "-n", "-c").EnsureSuccess().Stdout;
        var entry = new Regex(
            $@"^UDP\s+(\d\d):(\d\d)\s+UDP\s+{Regex.Escape(LabTopology.ClientAddress)}:5302\s+{Regex.Escape(LabTopology.VipDnsService)}\s+{Regex.Escape(server.Address)}:53$",
            RegexOptions.Multiline).Match(listing);
        Assert.True(entry.Success, $"no UDP entry {LabTopology.ClientAddress}:5302 -> {server.Address}:53 in\n{listing}");
        int seconds = int.Parse(entry.Groups[1].Value, CultureInfo.InvariantCulture) * 60
            + int.Parse(entry.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1, 300);
    }

    public void Dispose()
    {
        if (_fixture.Lab is { } lab)
        {
            LabDiagnostics.Write(lab, _output);
        }
    }

    /// <summary>Adds <c>-u VIP:53 -s rr</c> with <paramref name="serviceOptions"/> and rs1, rs2 (masq, weight 1).</summary>
    private void AddDnsService(params string[] serviceOptions)
    {
        Lab.Lvsadm(["-A", "-u", LabTopology.VipDnsService, "-s", "rr", .. serviceOptions]).EnsureSuccess();
        foreach (var rs in Lab.RealServers.Take(2))
        {
            Lab.Lvsadm("-a", "-u", LabTopology.VipDnsService, "-r", $"{rs.Address}:{LabTopology.DnsPort}", "-m", "-w", "1")
                .EnsureSuccess();
        }
    }

    /// <summary><paramref name="count"/> sequential queries to the VIP from the client's address and <paramref name="sourcePort"/>.</summary>
    private List<ProbeResult> Query(int count, int? sourcePort)
    {
        var results = new List<ProbeResult>(count);
        for (int i = 1; i <= count; i++)
        {
            var dig = Lab.DigFromClient(LabTopology.Vip, LabTopology.ClientAddress, sourcePort, QueryTimeout);
            string? name = dig.Succeeded ? LabTopology.ParseTxt(dig.Stdout) : null;
            var server = Lab.RealServers.FirstOrDefault(rs => rs.Name == name);
            string? error = server is not null ? null : dig.Succeeded ? $"unexpected answer '{dig.Stdout.Trim()}'" : dig.Describe();
            results.Add(new ProbeResult(i, server, error));
            _output.WriteLine($"query from port {sourcePort?.ToString(CultureInfo.InvariantCulture) ?? "(ephemeral)"}: {results[^1]}");
        }

        return results;
    }
}
