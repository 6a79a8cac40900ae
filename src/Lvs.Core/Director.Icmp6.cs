using System.Runtime.CompilerServices;
using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;

namespace Lvs.Core;

/// <summary>
/// ICMPv6 errors about forwarded connections (ip_vs_in_icmp_v6 / ip_vs_out_icmp_v6):
/// destination unreachable, packet too big and time exceeded that quote a connection's packet
/// go where that connection's packets go. NAT rewrites the outer and the quoted addresses and
/// ports to that side's view and recomputes the ICMPv6 checksum; DR and TUN pass them on.
/// Parameter problems and informational messages stay with the kernel, as in ip_vs.
/// </summary>
public sealed partial class Director
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Verdict Icmp6Error(Ipv6Packet ip, int icmpOffset)
    {
        Span<byte> message = ip.Bytes[icmpOffset..];
        if (message.Length < Icmpv6Message.HeaderLength
            || message[0] is not (Icmpv6Message.TypeDestinationUnreachable or Icmpv6Message.TypePacketTooBig or Icmpv6Message.TypeTimeExceeded)
            || !Icmpv6ErrorView.TryCreate(message, out Icmpv6ErrorView icmp))
        {
            return Verdict.Pass;
        }

        // The quoted packet went the other way; see Director.Icmp.cs.
        var protocol = (IpProtocol)icmp.InnerProtocol;
        if (!Connections.TryFind(protocol, InetAddress.FromV6(icmp.InnerDestination), icmp.InnerDestinationPort,
                InetAddress.FromV6(icmp.InnerSource), icmp.InnerSourcePort, out int index, out PacketDirection direction))
        {
            return Verdict.Pass;
        }

        // Recomputed from scratch below: verify first, or a corrupted error would leave with a valid sum.
        if (!Checksum6.Verify(ip.Source, ip.Destination, Ipv6Packet.NextHeaderIcmpv6, message))
        {
            return Verdict.Drop(DropReason.IcmpChecksum);
        }

        if (ip.HopLimit <= 1)
        {
            return Verdict.Drop(DropReason.TtlExceeded);
        }

        ref Connection c = ref Connections[index];
        Verdict verdict;
        int length = ip.TotalLength;
        if (direction == PacketDirection.Output)
        {
            if (c.Method != ForwardMethod.Masquerade)
            {
                return Verdict.Pass;
            }

            // From the real server's side to the client: the client must see only the VIP.
            ip.Source = c.VirtualAddress.V6;
            icmp.InnerDestination = c.VirtualAddress.V6;
            icmp.InnerDestinationPort = c.VirtualPort;
            icmp.UpdateChecksum(ip.Source, ip.Destination);
            verdict = Verdict.Forward(InetAddress.FromV6(ip.Destination));
            CountOut(ref c, length);
        }
        else
        {
            switch (c.Method)
            {
                case ForwardMethod.Masquerade:
                    // From the client's side about a reply: the real server must see itself.
                    ip.Destination = c.DestAddress.V6;
                    icmp.InnerSource = c.DestAddress.V6;
                    icmp.InnerSourcePort = c.DestPort;
                    icmp.UpdateChecksum(ip.Source, ip.Destination);
                    verdict = Verdict.Forward(c.DestAddress);
                    break;
                case ForwardMethod.DirectRoute:
                    verdict = Verdict.Forward(c.DestAddress);
                    break;
                default:
                    verdict = Verdict.Encapsulate(c.DestAddress, c.Dest!.Tunnel);
                    break;
            }

            CountIn(ref c, length);
        }

        ip.DecrementHopLimit();
        return verdict;
    }
}
