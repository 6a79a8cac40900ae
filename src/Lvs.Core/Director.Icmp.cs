using System.Runtime.CompilerServices;
using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;

namespace Lvs.Core;

/// <summary>
/// ICMP errors about forwarded connections (ip_vs_in_icmp / ip_vs_out_icmp): the quoted packet
/// names the connection; the error is sent where that connection's packets go, translated to
/// that side's view in NAT, passed on unchanged in DR and TUN.
/// </summary>
public sealed partial class Director
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Verdict IcmpError(Ipv4Packet ip)
    {
        if (ip.IsFragment || !IcmpErrorView.TryCreate(ip.Payload, out IcmpErrorView icmp))
        {
            return Verdict.Pass;
        }

        // The quoted packet went the other way: a reply to the client (quoted VIP -> client)
        // finds the connection's "in" tuple, a packet to a NAT real server (quoted client ->
        // RIP) its "out" tuple.
        var protocol = (IpProtocol)icmp.InnerProtocol;
        if (!Connections.TryFind(protocol, icmp.InnerDestination, icmp.InnerDestinationPort, icmp.InnerSource, icmp.InnerSourcePort,
                out int index, out PacketDirection direction))
        {
            return Verdict.Pass;
        }

        if (!ip.HeaderChecksumValid)
        {
            return Verdict.Drop(DropReason.IpChecksum);
        }

        // The rewrite recomputes the ICMP checksum from scratch: check it first, or a corrupted
        // error would leave with a valid one (ip_vs_in_icmp drops these too).
        if (Checksum.Fold(Checksum.Add(ip.Payload)) != 0xFFFF)
        {
            return Verdict.Drop(DropReason.IcmpChecksum);
        }

        if (ip.TimeToLive <= 1)
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

            // From the real server's side (the server or a router there) to the client: the
            // client must see the VIP, never an inside address (ip_vs_nat_icmp).
            uint old = ip.Source;
            ip.Source = c.VirtualAddress.V4;
            ip.HeaderChecksum = Checksum.Update(ip.HeaderChecksum, old, c.VirtualAddress.V4);

            icmp.InnerDestination = c.VirtualAddress.V4;
            icmp.InnerDestinationPort = c.VirtualPort;
            icmp.UpdateChecksum();
            verdict = Verdict.Forward(ip.Destination);
            CountOut(ref c, length);
        }
        else
        {
            switch (c.Method)
            {
                case ForwardMethod.Masquerade:
                    // From the client's side about a reply: the real server must see itself.
                    uint old = ip.Destination;
                    ip.Destination = c.DestAddress.V4;
                    ip.HeaderChecksum = Checksum.Update(ip.HeaderChecksum, old, c.DestAddress.V4);
                    icmp.InnerSource = c.DestAddress.V4;
                    icmp.InnerSourcePort = c.DestPort;
                    icmp.UpdateChecksum();
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

        ip.DecrementTimeToLive();
        return verdict;
    }
}
