using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lvs.Linux.Interop;
using Lvs.Linux.PacketIO;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>The interop structs must match include/uapi/linux/if_packet.h and virtio_net.h byte for byte.</summary>
public class StructLayoutTests
{
    [Fact]
    public void Sizes_KernelStructs_MatchKernelHeaders()
    {
        Assert.Equal(28, Unsafe.SizeOf<Packet.TPacketReq3>());
        Assert.Equal(16, Unsafe.SizeOf<Packet.TPacketReq>());
        Assert.Equal(32, Unsafe.SizeOf<Packet.TPacket2Hdr>());
        Assert.Equal(40, Unsafe.SizeOf<Packet.TPacketHdrV1>());
        Assert.Equal(48, Unsafe.SizeOf<Packet.TPacketBlockDesc>());
        Assert.Equal(48, Unsafe.SizeOf<Packet.TPacket3Hdr>());
        Assert.Equal(20, Unsafe.SizeOf<Packet.SockAddrLl>());
        Assert.Equal(12, Unsafe.SizeOf<Packet.TPacketStatsV3>());
        Assert.Equal(10, Unsafe.SizeOf<VirtioNetHeader>());
        Assert.Equal(10, Marshal.SizeOf<VirtioNetHeader>());
        Assert.Equal(VirtioNetHeader.Size, Unsafe.SizeOf<VirtioNetHeader>());
    }

    [Fact]
    public void Offsets_KernelStructs_MatchKernelHeaders()
    {
        Assert.Equal(16, (int)Marshal.OffsetOf<Packet.TPacketHdrV1>(nameof(Packet.TPacketHdrV1.SequenceNumber)));
        Assert.Equal(8, (int)Marshal.OffsetOf<Packet.TPacketBlockDesc>(nameof(Packet.TPacketBlockDesc.Header)));
        Assert.Equal(24, (int)Marshal.OffsetOf<Packet.TPacket3Hdr>(nameof(Packet.TPacket3Hdr.Mac)));
        Assert.Equal(28, (int)Marshal.OffsetOf<Packet.TPacket3Hdr>(nameof(Packet.TPacket3Hdr.RxHash)));
        Assert.Equal(32, (int)Marshal.OffsetOf<Packet.TPacket3Hdr>(nameof(Packet.TPacket3Hdr.VlanTci)));
        Assert.Equal(4, (int)Marshal.OffsetOf<Packet.SockAddrLl>(nameof(Packet.SockAddrLl.IfIndex)));
        Assert.Equal(10, (int)Marshal.OffsetOf<Packet.SockAddrLl>(nameof(Packet.SockAddrLl.PacketType)));
        Assert.Equal(12, (int)Marshal.OffsetOf<Packet.SockAddrLl>(nameof(Packet.SockAddrLl.Address)));
        Assert.Equal(6, (int)Marshal.OffsetOf<VirtioNetHeader>(nameof(VirtioNetHeader.CsumStart)));
    }

    [Fact]
    public void Read_VirtioHeaderBytes_LittleEndianFields()
    {
        byte[] raw = [0x01, 0x01, 0x42, 0x00, 0xa8, 0x05, 0x22, 0x00, 0x10, 0x00];

        var hdr = MemoryMarshal.Read<VirtioNetHeader>(raw);

        Assert.Equal(VirtioNetFlags.NeedsChecksum, hdr.Flags);
        Assert.Equal(VirtioGsoType.TcpV4, hdr.GsoType);
        Assert.Equal(66, hdr.HdrLen);
        Assert.Equal(1448, hdr.GsoSize);
        Assert.Equal(34, hdr.CsumStart);
        Assert.Equal(16, hdr.CsumOffset);
        Assert.True(hdr.IsGso);
        Assert.True(hdr.NeedsChecksum);
    }
}
