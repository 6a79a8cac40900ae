using System.Diagnostics;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// <c>lvsadm -L -n --rate</c> against the real lvsd: its estimator ticks every 2 s as ip_vs_est
/// does, so a service under load shows non-zero rates within a few ticks.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class RateEndToEndTests(ControlPlaneLabFixture fixture, ITestOutputHelper output) : IDisposable
{
    private NatLab Lab => fixture.Lab ?? throw new InvalidOperationException("lab not built");

    [RootFact]
    public void Rate_ServiceUnderWrk_CpsAndInPpsNonZeroWithin6Seconds()
    {
        Lab.RestartLvsd();
        Lab.AddService("rr", 1, 1);
        string service = LabTopology.VipService;
        Assert.Equal(new ServiceRates(0, 0, 0, 0, 0), ReadRates(service));

        // Connection: close makes every request a new connection, so CPS has something to count.
        var wrk = Task.Run(() => Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(30),
            "wrk", "-t1", "-c4", "-d7s", "--timeout", "5s", "-H", "Connection: close", $"http://{LabTopology.Vip}/"));
        try
        {
            var clock = Stopwatch.StartNew();
            ServiceRates rates;
            do
            {
                Thread.Sleep(500);
                rates = ReadRates(service);
                output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {rates}");
            }
            while ((rates.ConnectionsPerSecond == 0 || rates.InPacketsPerSecond == 0) && clock.Elapsed < TimeSpan.FromSeconds(6));

            Assert.True(rates.ConnectionsPerSecond > 0, $"CPS still 0 after {clock.Elapsed.TotalSeconds:0.0} s: {rates}");
            Assert.True(rates.InPacketsPerSecond > 0, $"InPPS still 0 after {clock.Elapsed.TotalSeconds:0.0} s: {rates}");
            // NAT: the replies pass the director too, and carry the bodies.
            Assert.True(rates.OutPacketsPerSecond > 0 && rates.OutBytesPerSecond > 0, $"no reply rate: {rates}");

            ExecResult load = wrk.Wait(TimeSpan.FromSeconds(35)) ? wrk.Result : throw new TimeoutException("wrk still running after 35 s");
            output.WriteLine(load.Stdout);
            Assert.True(load.Succeeded, load.Describe());
            Assert.True(WrkOutput.Parse(load.Stdout).Requests > 0, "wrk completed no request");
        }
        finally
        {
            // wrk ends by itself after 7 s (30 s at most, then killed): never leave it to the next test.
            wrk.Wait(TimeSpan.FromSeconds(35));
        }
    }

    public void Dispose()
    {
        if (fixture.Lab is { } lab)
        {
            LabDiagnostics.Write(lab, output);
        }
    }

    private ServiceRates ReadRates(string service) =>
        ServiceRates.Parse(Lab.Lvsadm("-L", "-n", "--rate", "--exact").EnsureSuccess().Stdout, "TCP", service);
}
