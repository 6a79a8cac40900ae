using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// lvsd under a fake systemd: $NOTIFY_SOCKET names a datagram socket the test binds, and lvsd
/// reports READY=1 when it serves, RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1
/// on SIGTERM (what packaging/lvsd.service's Type=notify relies on).
/// </summary>
public sealed class SdNotifyEndToEndTests
{
    [RootFact]
    public void Lvsd_StartReloadStop_NotifiesReadyReloadingStopping()
    {
        using NatLab lab = NatLab.Create(new LabOptions());
        string config = Path.Combine(lab.TempDirectory, "rules.ipvs");
        File.WriteAllText(config, $"-A -t {LabTopology.VipService} -s rr\n");
        string path = Path.Combine(lab.TempDirectory, "notify");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        systemd.ReceiveTimeout = 15_000;

        LabProcess lvsd = lab.StartInNamespace("lvsd-notify", lab.DirectorNamespace,
            "env", "NOTIFY_SOCKET=" + path, LvsBin.Program("lvsd"), "--control", lab.ControlPath, "--config", config);
        try
        {
            Assert.StartsWith("READY=1\nSTATUS=serving 1 virtual service on ", Receive(systemd, lvsd));
            Assert.True(lab.Lvsadm("-L", "-n").Succeeded, "READY=1 came before the control socket answered");

            ProcessRunner.Run("kill", ["-HUP", lvsd.Pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5)).EnsureSuccess();
            Assert.Matches("^RELOADING=1\nMONOTONIC_USEC=[0-9]+$", Receive(systemd, lvsd));
            Assert.Equal("READY=1\nSTATUS=configuration reloaded", Receive(systemd, lvsd));

            Assert.True(lvsd.Stop(TimeSpan.FromSeconds(10)));
            Assert.Equal("STOPPING=1", Receive(systemd, lvsd));
            Assert.Equal(0, lvsd.ExitCode);
        }
        finally
        {
            lvsd.Stop(TimeSpan.FromSeconds(5));
        }
    }

    private static string Receive(Socket s, LabProcess lvsd)
    {
        byte[] buffer = new byte[4096];
        try
        {
            return Encoding.UTF8.GetString(buffer, 0, s.Receive(buffer));
        }
        catch (SocketException e)
        {
            throw new Xunit.Sdk.XunitException($"no notification ({e.SocketErrorCode}); lvsd output:\n{lvsd.Output}");
        }
    }
}
