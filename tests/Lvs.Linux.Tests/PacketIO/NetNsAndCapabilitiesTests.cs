using Lvs.Linux.PacketIO;

namespace Lvs.Linux.Tests.PacketIO;

public class NetNsAndCapabilitiesTests
{
    [RootFact]
    public void CanOpenPacketSocket_AsRoot_TrueWithoutReason()
    {
        bool ok = Capabilities.CanOpenPacketSocket(out string reason);

        Assert.True(ok, reason);
        Assert.Equal(string.Empty, reason);
    }

    [RootFact]
    public void Enter_NamedNamespace_SwitchesThreadAndDisposeRestores()
    {
        string prefix = TestNamespace.NewPrefix();
        using var ns = TestNamespace.Create(prefix, "x");
        string inside = NetNs.Run(ns.Name, CurrentNetNs);
        string original = string.Empty, entered = string.Empty, restored = string.Empty;

        var thread = new Thread(() =>
        {
            original = CurrentNetNs();
            using (NetNs.Enter(ns.Name))
            {
                entered = CurrentNetNs();
            }

            restored = CurrentNetNs();
        });
        thread.Start();
        thread.Join();

        Assert.NotEqual(original, inside);
        Assert.Equal(inside, entered);
        Assert.Equal(original, restored);
        Assert.Equal(original, CurrentNetNs());
    }

    [RootFact]
    public void Run_MissingNamespace_ThrowsLinuxException()
    {
        var ex = Assert.Throws<Interop.LinuxException>(() => NetNs.Run("lvs-no-such-namespace-" + TestNamespace.NewPrefix(), () => 0));

        Assert.Equal(Interop.Errno.ENOENT, ex.Errno);
    }

    private static string CurrentNetNs() => File.ResolveLinkTarget("/proc/thread-self/ns/net", false)!.Name;
}
