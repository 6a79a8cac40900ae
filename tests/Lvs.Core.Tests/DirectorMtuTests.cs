using System.Buffers.Binary;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests;

/// <summary>ICMP fragmentation-needed for NAT and DR packets that turned out too big for the real server's link.</summary>
public class DirectorMtuTests
{
    private static readonly uint Vip = PacketBuilder.Ip("192.0.2.10");
    private static readonly uint Client = PacketBuilder.Ip("198.51.100.2");
    private static readonly uint Rs = PacketBuilder.Ip("10.0.0.11");

    private static (Director Director, byte[] Forwarded, byte[] Original) Forward(ForwardMethod method)
    {
        var services = new ServiceTable(1);
        var key = new ServiceKey(IpProtocol.Tcp, Vip, 80);
        services.AddService(key, "rr");
        services.AddServer(key, Rs, method == ForwardMethod.Masquerade ? (ushort)8080 : (ushort)80, method, 1);
        var director = new Director(services);
        Assert.Equal(VerdictKind.Forward, director.Process(PacketBuilder.Tcp(Client, 40000, Vip, 80, TcpSegment.Syn), default, 0).Kind);
        director.Process(PacketBuilder.Tcp(Client, 40000, Vip, 80, TcpSegment.Ack), default, 1);

        byte[] original = PacketBuilder.Tcp(Client, 40000, Vip, 80, TcpSegment.Ack | TcpSegment.Psh, payload: new byte[1400]);
        byte[] forwarded = (byte[])original.Clone();
        Assert.Equal(VerdictKind.Forward, director.Process(forwarded, default, 2).Kind);
        return (director, forwarded, original);
    }

    [Theory]
    [InlineData(ForwardMethod.Masquerade)]
    [InlineData(ForwardMethod.DirectRoute)]
    public void FragmentationNeeded_ForwardedClientPacket_QuotesItAsTheClientSentItFromTheVip(ForwardMethod method)
    {
        (Director director, byte[] forwarded, byte[] original) = Forward(method);
        byte[] output = new byte[IcmpBuilder.MaxErrorLength];

        int length = director.FragmentationNeeded(forwarded, 1400, output, out uint client);

        Assert.True(length > 28);
        Assert.Equal(Client, client);
        ReadOnlySpan<byte> ip = output.AsSpan(0, length);
        Assert.Equal(Vip, BinaryPrimitives.ReadUInt32BigEndian(ip[12..]));
        Assert.Equal(Client, BinaryPrimitives.ReadUInt32BigEndian(ip[16..]));
        Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(ip));
        ReadOnlySpan<byte> icmp = ip[20..];
        Assert.Equal((3, 4, 1400), (icmp[0], icmp[1], (int)BinaryPrimitives.ReadUInt16BigEndian(icmp[6..])));
        Assert.Equal(0xFFFF, PacketBuilder.FoldedSum(icmp));

        // The quote is the client's own header and first 8 bytes: to the VIP, port 80, its TTL.
        ReadOnlySpan<byte> quote = icmp[8..];
        Assert.Equal(original.AsSpan(14, 28).ToArray(), quote[..28].ToArray());
    }

    [Fact]
    public void FragmentationNeeded_NoDfOrNotOurs_Nothing()
    {
        (Director director, byte[] forwarded, _) = Forward(ForwardMethod.Masquerade);
        byte[] output = new byte[IcmpBuilder.MaxErrorLength];

        forwarded[14 + 6] = 0; // DF cleared
        Assert.Equal(0, director.FragmentationNeeded(forwarded, 1400, output, out _));
        byte[] stranger = PacketBuilder.Tcp(PacketBuilder.Ip("198.51.100.99"), 1, Rs, 8080, TcpSegment.Ack, payload: new byte[1400]);
        Assert.Equal(0, director.FragmentationNeeded(stranger, 1400, output, out _));
        Assert.Equal(0, director.FragmentationNeeded(new byte[10], 1400, output, out _));
    }
}
