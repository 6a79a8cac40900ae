using System.Globalization;
using System.Text.RegularExpressions;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// TUN end to end, once per tunnel type: what every direct-return method must do, plus an
/// upload whose full-size client segments no longer fit the tunnel, so the director must send
/// ICMP fragmentation-needed and the client's path MTU discovery must converge.
/// </summary>
public abstract partial class TunnelEndToEndTests(DirectReturnLabFixture fixture, ITestOutputHelper output)
    : DirectReturnEndToEndTests(fixture, output)
{
    private const int UploadBytes = 20 << 20;

    [RootFact]
    public void Upload20MBFullSizeSegments_FragNeededFromDirector_PathMtuConvergesAndBodyArrivesIntact()
    {
        string upload = Path.Combine(Lab.TempDirectory, "upload.bin");
        string sha = RandomFile.Write(upload, UploadBytes);
        try
        {
            // The client starts from its link MTU (1500): its segments are 1500 bytes, 1520 once
            // wrapped in IPIP, more in GUE or GRE, on 1500-byte links.
            Lab.Exec(Lab.ClientNamespace, "ip", "route", "flush", "cache").EnsureSuccess();
            var result = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(70),
                ["curl", "-sS", "--max-time", "60", .. UploadPorts, "-o", "/dev/null", "-w", "%{http_code}",
                "-T", upload, Url(NginxConfig.UploadPath("upload.bin"))]);
            string route = Lab.Exec(Lab.ClientNamespace, "ip", "route", "get", LabTopology.Vip).Stdout;
            Output.WriteLine($"curl: {result.Describe()}\nclient's route to the VIP: {route}");

            Assert.True(result.Succeeded, result.Describe());
            Assert.Matches("^2[0-9][0-9]$", result.Stdout.Trim());
            var stored = Lab.RealServers
                .Select(rs => NginxConfig.UploadedFile(Lab.ServerDirectory(rs), "upload.bin"))
                .Where(File.Exists)
                .ToList();
            string file = Assert.Single(stored);
            Assert.Equal(sha, RandomFile.Sha256Of(file));
            // The director's ICMP reached the client: its route now carries the tunnel's MTU.
            var mtu = RouteMtu().Match(route);
            Assert.True(mtu.Success, "the client learned no path MTU: " + route);
            Assert.InRange(int.Parse(mtu.Groups[1].Value, CultureInfo.InvariantCulture), 1400, 1499);
            Assert.Equal(0, Lab.ReadServiceStats().OutPackets);
        }
        finally
        {
            File.Delete(upload);
        }
    }

    [GeneratedRegex(@"\bmtu (\d+)")]
    private static partial Regex RouteMtu();
}

/// <summary>TUN with IPIP end to end.</summary>
[Collection(DirectReturnCollection.Name)]
public sealed class IpipEndToEndTests(IpipLabFixture fixture, ITestOutputHelper output)
    : TunnelEndToEndTests(fixture, output), IClassFixture<IpipLabFixture>;

/// <summary>TUN with GUE end to end.</summary>
[Collection(DirectReturnCollection.Name)]
public sealed class GueEndToEndTests(GueLabFixture fixture, ITestOutputHelper output)
    : TunnelEndToEndTests(fixture, output), IClassFixture<GueLabFixture>;

/// <summary>TUN with GRE end to end.</summary>
[Collection(DirectReturnCollection.Name)]
public sealed class GreEndToEndTests(GreLabFixture fixture, ITestOutputHelper output)
    : TunnelEndToEndTests(fixture, output), IClassFixture<GreLabFixture>;
