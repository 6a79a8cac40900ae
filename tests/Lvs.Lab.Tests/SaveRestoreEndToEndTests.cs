using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// <c>lvsadm -S</c> and <c>-R</c> against the real lvsd: a varied table survives save, clear and
/// restore unchanged, and a restore with a bad line is refused whole, naming the line.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class SaveRestoreEndToEndTests(ControlPlaneLabFixture fixture, ITestOutputHelper output) : IDisposable
{
    private NatLab Lab => fixture.Lab ?? throw new InvalidOperationException("lab not built");

    [RootFact]
    public void SaveClearRestore_VariedTable_SecondSaveIdentical()
    {
        Lab.RestartLvsd();
        string[][] commands = VariedTable();
        foreach (string[] command in commands)
        {
            Lab.Lvsadm(command).EnsureSuccess();
        }

        string saved = Save();
        output.WriteLine("$ lvsadm -S -n\n" + saved);
        // One line per command, and every option that must survive the trip is in the file.
        Assert.Equal(commands.Length, saved.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        foreach (string expected in new[]
        {
            "-s rr", "-s wrr -p 600 -M 255.255.255.0", "-s wlc", "-s sh -b sh-fallback,sh-port", "-u 192.0.2.10:53 -s rr -o",
            "-f 7 -s lc -p 120", "-r 10.0.0.11:443 -g -w 3", "-r 10.0.0.12:443 -g -w 0", "-r 10.0.0.13:8080 -i -w 5",
            "-r 10.0.0.12:5353 -m -w 2", "-x 100 -y 50", "--tun-type gue --tun-port 6080 --tun-csum",
        })
        {
            Assert.Contains(expected, saved);
        }

        Lab.Lvsadm("-C").EnsureSuccess();
        Assert.Equal("", Save());
        var restore = Lab.LvsadmWithInput(saved, "-R");
        Assert.True(restore.Succeeded, restore.Describe());

        Assert.Equal(saved, Save());
    }

    [RootFact]
    public void Restore_BadLine3_RefusedNamingLine3AndNothingChanges()
    {
        Lab.RestartLvsd();
        Lab.AddService("rr", 1, 1);
        string before = Save();
        string rs1 = Lab.RealServers[0].Address, rs2 = Lab.RealServers[1].Address;

        // Line 3 is refused by lvsd (a server for a service nobody defined; an unknown scheduler)
        // or by lvsadm's own parser (a weight that is no number); lines 1, 2 and 4 are fine.
        foreach (var (third, why) in new[]
        {
            ($"-a -t 192.0.2.21:80 -r {rs2}:80 -m", "Service not defined"),
            ("-A -t 192.0.2.22:80 -s nosuch", "Scheduler or persistence engine not found"),
            ($"-a -t 192.0.2.20:80 -r {rs2}:80 -m -w many", "illegal weight specified"),
        })
        {
            string input = $"-A -t 192.0.2.20:80 -s rr\n-a -t 192.0.2.20:80 -r {rs1}:80 -m -w 2\n{third}\n-E -t {LabTopology.VipService} -s wlc\n";
            var restore = Lab.LvsadmWithInput(input, "-R");
            output.WriteLine(restore.Describe());

            Assert.False(restore.TimedOut);
            Assert.NotEqual(0, restore.ExitCode);
            Assert.StartsWith($"lvsadm: line 3: {why}", restore.Stderr);
            Assert.Equal(before, Save());
        }
    }

    public void Dispose()
    {
        if (fixture.Lab is { } lab)
        {
            LabDiagnostics.Write(lab, output);
        }
    }

    /// <summary>
    /// Five schedulers (rr, wrr, wlc, sh with flags, lc), persistence with and without a netmask,
    /// one-packet UDP, a fwmark service, thresholds, weight 0, all three methods and a GUE
    /// tunnel with its options. DR and TUN servers sit on the
    /// director's inside network (10.0.0.0/24), so lvsd's route check lets them in.
    /// </summary>
    private static string[][] VariedTable() =>
    [
        ["-A", "-t", "192.0.2.10:80", "-s", "rr"],
        ["-a", "-t", "192.0.2.10:80", "-r", "10.0.0.11:80", "-m", "-w", "1"],
        ["-a", "-t", "192.0.2.10:80", "-r", "10.0.0.12:80", "-m", "-w", "2"],
        ["-A", "-t", "192.0.2.11:443", "-s", "wrr", "-p", "600", "-M", "255.255.255.0"],
        ["-a", "-t", "192.0.2.11:443", "-r", "10.0.0.11", "-g", "-w", "3"],
        ["-a", "-t", "192.0.2.11:443", "-r", "10.0.0.12", "-g", "-w", "0"],
        ["-A", "-t", "192.0.2.12:8080", "-s", "wlc"],
        ["-a", "-t", "192.0.2.12:8080", "-r", "10.0.0.13:8080", "-i", "-w", "5", "-x", "100", "-y", "50"],
        ["-a", "-t", "192.0.2.12:8080", "-r", "10.0.0.14:8080", "-m", "-w", "1"],
        ["-a", "-t", "192.0.2.12:8080", "-r", "10.0.0.15:8080", "-i", "--tun-type", "gue", "--tun-port", "6080", "--tun-csum"],
        ["-A", "-t", "192.0.2.13:80", "-s", "sh", "-b", "sh-fallback,sh-port"],
        ["-a", "-t", "192.0.2.13:80", "-r", "10.0.0.11:80", "-m"],
        ["-a", "-t", "192.0.2.13:80", "-r", "10.0.0.12:8080", "-m", "-w", "4"],
        ["-A", "-u", "192.0.2.10:53", "-s", "rr", "-o"],
        ["-a", "-u", "192.0.2.10:53", "-r", "10.0.0.11:53", "-m"],
        ["-a", "-u", "192.0.2.10:53", "-r", "10.0.0.12:5353", "-m", "-w", "2"],
        ["-A", "-f", "7", "-s", "lc", "-p", "120"],
        ["-a", "-f", "7", "-r", "10.0.0.11", "-m"],
    ];

    private string Save() => Lab.Lvsadm("-S", "-n").EnsureSuccess().Stdout;
}
