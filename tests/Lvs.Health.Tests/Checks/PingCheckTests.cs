using System.Net;
using Lvs.Health.Tests.TestSupport;

namespace Lvs.Health.Tests.Checks;

public class PingCheckTests
{
    [RootFact("ICMP echo needs a raw socket when net.ipv4.ping_group_range excludes us")]
    public async Task RunAsync_Loopback_Up()
    {
        var block = Blocks.Parse("PING_CHECK {\nconnect_timeout 1\n}");
        Assert.True(CheckerFactory.TryCreate(block, new CheckTarget(IPAddress.Loopback, 0), TimeSpan.FromSeconds(1), out var check, out var error), error);
        var result = await check!.RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        Assert.StartsWith("echo reply", result.Reason);
    }

    [Fact]
    public void TryCreate_BindTo_Refused()
    {
        var block = Blocks.Parse("PING_CHECK {\nbindto 127.0.0.1\n}");
        Assert.False(CheckerFactory.TryCreate(block, new CheckTarget(IPAddress.Loopback, 0), TimeSpan.FromSeconds(1), out _, out var error));
        Assert.Equal("test:2: PING_CHECK does not support bindto", error);
    }
}
