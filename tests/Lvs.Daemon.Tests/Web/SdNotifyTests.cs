using System.Net.Sockets;
using System.Text;
using Lvs.Daemon.Systemd;

namespace Lvs.Daemon.Tests.Web;

public class SdNotifyTests
{
    [Fact]
    public void Send_PathSocket_DatagramsArriveInOrder()
    {
        string dir = Directory.CreateTempSubdirectory("sdnotify").FullName;
        string path = Path.Combine(dir, "notify");
        try
        {
            using Socket fake = Listen(new UnixDomainSocketEndPoint(path));
            using SdNotify notify = SdNotify.Create(path)!;
            Assert.True(notify.Ready("serving 2 services"));
            Assert.True(notify.Reloading());
            Assert.True(notify.Stopping());
            Assert.Equal("READY=1\nSTATUS=serving 2 services", Receive(fake));
            Assert.Matches("^RELOADING=1\nMONOTONIC_USEC=[0-9]+$", Receive(fake));
            Assert.Equal("STOPPING=1", Receive(fake));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Send_AbstractName_Arrives()
    {
        string name = "lvsd-test-" + Guid.NewGuid().ToString("N");
        using Socket fake = Listen(new UnixDomainSocketEndPoint("\0" + name));
        using SdNotify notify = SdNotify.Create("@" + name)!;
        Assert.True(notify.Ready("up"));
        Assert.Equal("READY=1\nSTATUS=up", Receive(fake));
    }

    [Fact]
    public void Send_NobodyListening_FalseNoThrow()
    {
        using SdNotify notify = SdNotify.Create("@lvsd-test-absent-" + Guid.NewGuid().ToString("N"))!;
        Assert.False(notify.Stopping());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("vsock:2:1234")]
    public void Create_UnsetOrUnsupported_Null(string? value) => Assert.Null(SdNotify.Create(value));

    private static Socket Listen(UnixDomainSocketEndPoint at)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        s.Bind(at);
        s.ReceiveTimeout = 5000;
        return s;
    }

    private static string Receive(Socket s)
    {
        byte[] buffer = new byte[4096];
        int n = s.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
