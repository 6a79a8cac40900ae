using Lvs.Linux.Interop;
using Lvs.Linux.PacketIO;

namespace Lvs.Linux.Vrrp;

/// <summary>
/// A send-only AF_PACKET socket on one interface for the odd control frame (gratuitous ARP,
/// unsolicited neighbour advertisements): bound with protocol 0, so it never queues received frames.
/// </summary>
public sealed unsafe class FrameSocket : IDisposable
{
    private int _fd;

    private FrameSocket(int fd, int ifIndex)
    {
        _fd = fd;
        IfIndex = ifIndex;
    }

    public int IfIndex { get; }

    public static FrameSocket Open(string ifName)
    {
        int ifIndex = PacketSocket.IfIndexOf(ifName);
        int fd = PacketSocket.Open();
        try
        {
            PacketSocket.Bind(fd, ifIndex, 0);
        }
        catch
        {
            PacketSocket.CloseQuietly(fd);
            throw;
        }

        return new FrameSocket(fd, ifIndex);
    }

    /// <summary>Sends one whole Ethernet frame.</summary>
    public void Send(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            if (Libc.Send(_fd, p, (nuint)frame.Length, 0) < 0)
            {
                throw LinuxException.FromLast("send(AF_PACKET)");
            }
        }
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        PacketSocket.CloseQuietly(fd);
    }
}
