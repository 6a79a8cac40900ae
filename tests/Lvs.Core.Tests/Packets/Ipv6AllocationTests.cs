using System.Buffers.Binary;
using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;
using B = Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests.Packets;

public class Ipv6AllocationTests
{
    [Fact]
    public void PacketPathOperations_NatRewriteErrorsAndNdp_AllocateNothing()
    {
        byte[] template = B.Tcp("2001:db8:c::2", 40000, "2001:db8:a::1", 80, TcpSegment.Ack, new byte[64],
            extensions: [.. B.Extension(60), .. B.Fragment(6, 0, false, 1)], firstNextHeader: 0);
        byte[] packet = new byte[template.Length];
        byte[] error = B.Icmpv6(B.Address("2001:db8:c::fe"), B.Address("2001:db8:a::1"), 1, 4, 0, template);
        byte[] output = new byte[1280];
        byte[] frame = new byte[Ndp.FrameLength];
        Ipv6Address real = Ipv6Address.Parse("fd00::10");

        Run(template, packet, error, output, frame, real, 20_000); // warm up tiering and statics

        long before = GC.GetAllocatedBytesForCurrentThread();
        int ok = Run(template, packet, error, output, frame, real, 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(10_000, ok);
        Assert.Equal(0, allocated);
    }

    private static int Run(byte[] template, byte[] packet, byte[] error, byte[] output, byte[] frame, Ipv6Address real, int count)
    {
        int ok = 0;
        for (int i = 0; i < count; i++)
        {
            template.CopyTo(packet, 0);
            if (Ipv6Packet.TryCreate(packet, out Ipv6Packet ip) != Ipv6ParseResult.Ok
                || ip.FindUpperLayer(out Ipv6UpperLayer upper) != Ipv6WalkResult.Ok || upper.IsFragment)
            {
                continue;
            }

            // A NAT destination rewrite with the incremental checksum, then a hop.
            Span<byte> tcp = ip.Bytes[upper.Offset..];
            ushort sum = BinaryPrimitives.ReadUInt16BigEndian(tcp[16..]);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum6.Update(sum, ip.Destination, real));
            ip.Destination = real;
            ip.DecrementHopLimit();

            Icmpv6ErrorView.TryCreate(error.AsSpan(40), out Icmpv6ErrorView view);
            view.InnerSource = real;
            Icmpv6Builder.PacketTooBig(output, packet, 1280, real);
            Ndp.WriteSolicitation(frame, PacketBuilder.DirectorMac, real, ip.Source);
            if (Checksum6.Verify(ip.Source, real, 6, tcp) && view.InnerSourcePort == 40000 && real.GetHashCode() != 0)
            {
                ok++;
            }
        }

        return ok;
    }
}
