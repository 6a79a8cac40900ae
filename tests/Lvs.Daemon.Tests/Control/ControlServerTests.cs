using Lvs.Contracts;
using Lvs.Daemon.Control;

namespace Lvs.Daemon.Tests.Control;

public sealed class ControlServerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lvsd-ctl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Send_RequestReachesHandler_ResponseReturned()
    {
        string path = Path.Combine(_dir, "sub", "lvsd.sock");
        string? seen = null;
        using var server = new ControlServer(path, r =>
        {
            seen = r.Command;
            return ControlResponse.Fail(ControlError.NoSuchService, "no service");
        });
        server.Start();

        ControlResponse response = ControlSocket.Send(path, new ControlRequest { Command = Commands.List });

        Assert.Equal(Commands.List, seen);
        Assert.Equal(ControlError.NoSuchService, response.Error);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Send_GarbageLine_InvalidResponseAndServerKeepsServing()
    {
        string path = Path.Combine(_dir, "lvsd.sock");
        using var server = new ControlServer(path, _ => ControlResponse.Success());
        server.Start();

        using (var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            s.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            s.Send("{not json\n"u8);
            string? line = ControlSocket.ReadLine(s);
            Assert.Contains("\"ok\":false", line);
        }

        Assert.True(ControlSocket.Send(path, new ControlRequest { Command = Commands.List }).Ok);
    }

    [Fact]
    public void Constructor_StaleSocketFile_Replaced_LiveOneRefused()
    {
        string path = Path.Combine(_dir, "lvsd.sock");
        File.WriteAllText(path, "");
        using (var first = new ControlServer(path, _ => ControlResponse.Success()))
        {
            first.Start();
            Assert.Throws<InvalidOperationException>(() => new ControlServer(path, _ => ControlResponse.Success()));
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Send_NoDaemon_ControlUnavailable()
    {
        Assert.Throws<ControlUnavailableException>(() =>
            ControlSocket.Send(Path.Combine(_dir, "missing.sock"), new ControlRequest { Command = Commands.List }));
    }
}
