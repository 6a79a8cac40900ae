using System.Diagnostics;
using System.Globalization;
using Lvs.Lab;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// The dashboard in a real headless browser: Debian's chromium, started inside the director
/// namespace by a wrapper script (so every HTTP request stays in the lab), driven by Playwright
/// over a pipe. Saves screenshots under TestResults/.
/// </summary>
public sealed class DashboardBrowserTests : IClassFixture<DashboardLabFixture>, IDisposable
{
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(30);
    private readonly DashboardLabFixture _fixture;
    private readonly ITestOutputHelper _output;

    public DashboardBrowserTests(DashboardLabFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private NatLab Lab => _fixture.Lab ?? throw new InvalidOperationException("lab not built");

    [BrowserFact]
    public async Task Dashboard_DuringTraffic_BothServersRisingCountersThenStoppedServerSeen()
    {
        // The service comes from the fixture's keepalived.conf (rr over both, TCP_CHECK each).
        RealServer rs1 = Lab.RealServers[0], rs2 = Lab.RealServers[1];
        string wrapper = Path.Combine(Lab.TempDirectory, "chromium-in-director.sh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec ip netns exec {Lab.DirectorNamespace} /usr/bin/chromium \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // Bounded load (2000 requests or the time limit, whichever first), a new connection per
        // request and a 1 s limit each: unlike wrk, whose connections stay stuck on a server that
        // stopped answering, this keeps reaching the other server after one is stopped.
        string loop = $"i=0; while [ $i -lt 2000 ]; do curl -s -m 1 -o /dev/null http://{LabTopology.Vip}/; i=$((i+1)); done";
        var load = Task.Run(() => Lab.Exec(Lab.ClientNamespace, Load + TimeSpan.FromSeconds(10),
            "timeout", ((int)Load.TotalSeconds).ToString(CultureInfo.InvariantCulture), "sh", "-c", loop));
        bool blocked = false;
        try
        {
            using IPlaywright playwright = await Playwright.CreateAsync();
            await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = wrapper,
                Headless = true,
                // Root cannot use chromium's sandbox; the browser only ever sees the lab's lvsd.
                Args = ["--no-sandbox"],
                Timeout = 60_000,
            });
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
            await page.GotoAsync(WebLabFixture.BaseUrl + "/");
            ILocator row1 = page.Locator($"tr.server[data-server=\"{rs1.Address}:80\"]");
            ILocator row2 = page.Locator($"tr.server[data-server=\"{rs2.Address}:80\"]");
            await row1.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            await row2.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            await Assertions.Expect(page.Locator("#link")).ToHaveTextAsync("live", new LocatorAssertionsToHaveTextOptions { Timeout = 10_000 });

            // Rising counters, updated by the live stream without reloading the page.
            (ulong c1, ulong c2) = (await Cell(row1, "conns"), await Cell(row2, "conns"));
            await Task.Delay(3000);
            (ulong d1, ulong d2) = (await Cell(row1, "conns"), await Cell(row2, "conns"));
            _output.WriteLine($"conns: {rs1.Name} {c1} -> {d1}, {rs2.Name} {c2} -> {d2}");
            Assert.True(d1 > c1 && d2 > c2, $"counters did not rise: {c1}->{d1}, {c2}->{d2}");
            await Screenshot(page, "dashboard-nat-traffic.png");

            // Stop rs2 (its nginx port dropped both ways in its own namespace, so not even a
            // retransmission of a connection it already had leaves it).
            StopAnswering(rs2);
            blocked = true;
            var clock = Stopwatch.StartNew();
            if (await HealthPanelShown(page))
            {
                // With health checks (issue 6), the checker's verdict reaches the page within its
                // interval: a failed connect after the connect timeout, the retries, the next
                // delay_loop, plus one dashboard tick; 10 s bounds all of that with room to spare.
                await Assertions.Expect(row2.Locator("td.health")).ToHaveTextAsync("down", new LocatorAssertionsToHaveTextOptions { Timeout = 10_000 });
                await Assertions.Expect(row1.Locator("td.health")).ToHaveTextAsync("up");
                _output.WriteLine($"{rs2.Name} shown down after {clock.Elapsed.TotalSeconds:0.0} s");
            }
            else
            {
                // Without health checks lvsd keeps scheduling rs2, so its Conns still rise; what
                // stops is its replies: OutPkts freezes while rs1's keeps rising.
                await Task.Delay(2500);
                (ulong o1, ulong o2) = (await Cell(row1, "outpkts"), await Cell(row2, "outpkts"));
                await Task.Delay(3000);
                (ulong p1, ulong p2) = (await Cell(row1, "outpkts"), await Cell(row2, "outpkts"));
                _output.WriteLine($"outpkts after stopping {rs2.Name}: {rs1.Name} {o1} -> {p1}, {rs2.Name} {o2} -> {p2}");
                Assert.Equal(o2, p2);
                Assert.True(p1 > o1, $"{rs1.Name} stopped too: {o1} -> {p1}");
            }

            await Screenshot(page, "dashboard-nat-rs2-stopped.png");

            // Features lvsd does not run have no panel (nothing made up): no VRRP, no sync here.
            Assert.False(await page.Locator("#vrrp-panel").IsVisibleAsync());
            Assert.False(await page.Locator("#sync-panel").IsVisibleAsync());
            Assert.True(await page.Locator("#events li").CountAsync() > 0, "no events shown");
        }
        finally
        {
            if (blocked)
            {
                Lab.Exec(rs2.Namespace, "nft", "delete", "table", "inet", "lvs_test_block").EnsureSuccess();
            }

            Assert.True(load.Wait(Load + TimeSpan.FromSeconds(15)), "the request loop still running");
        }
    }

    public void Dispose()
    {
        if (_fixture.Lab is { } lab)
        {
            LabDiagnostics.Write(lab, _output);
        }
    }

    private void StopAnswering(RealServer rs) =>
        Lab.Exec(rs.Namespace, "nft", "add table inet lvs_test_block; "
            + "add chain inet lvs_test_block in { type filter hook input priority 0; policy accept; }; "
            + "add rule inet lvs_test_block in tcp dport 80 drop; "
            + "add chain inet lvs_test_block out { type filter hook output priority 0; policy accept; }; "
            + "add rule inet lvs_test_block out tcp sport 80 drop").EnsureSuccess();

    private static async Task<bool> HealthPanelShown(IPage page) =>
        !await page.Locator("#services").EvaluateAsync<bool>("t => t.classList.contains('no-health')");

    private static async Task<ulong> Cell(ILocator row, string column) =>
        ulong.Parse(await row.Locator("td." + column).InnerTextAsync(), CultureInfo.InvariantCulture);

    private async Task Screenshot(IPage page, string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        _output.WriteLine($"screenshot: {path}");
    }
}
