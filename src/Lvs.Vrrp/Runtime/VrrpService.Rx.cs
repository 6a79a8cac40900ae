using System.Net;
using Lvs.Linux.Vrrp;
using Lvs.Vrrp.Packets;

namespace Lvs.Vrrp;

public sealed partial class VrrpService
{
    /// <summary>Reads every queued advert on one socket: parse, find the instance by VRID, check, act.</summary>
    private void Drain(Link link, byte[] buffer)
    {
        for (int budget = 0; budget < 256 && link.Socket.TryReceive(buffer, out VrrpReceiveInfo info); budget++)
        {
            ReadOnlySpan<byte> data = buffer.AsSpan(0, info.Length);
            VrrpDropReason reason = link.IsIpv6
                ? VrrpCodec.TryParse(data, info.Source, info.Destination, info.HopLimit, out VrrpAdvert advert)
                : VrrpCodec.TryParseIpv4(data, out advert);
            if (reason != VrrpDropReason.None)
            {
                CountDrop(link, VridOf(data, link.IsIpv6), reason);
                continue;
            }

            VrrpInstance? instance = FindByVrid(link, advert.Vrid);
            if (instance is null)
            {
                Unmatched.Drop(VrrpDropReason.UnknownVrid);
                continue;
            }

            reason = instance.Check(advert);
            if (reason == VrrpDropReason.None && instance.Config.UnicastPeers.Count > 0 && !FromPeer(instance, advert.Source))
            {
                reason = VrrpDropReason.UnknownPeer;
            }

            if (reason != VrrpDropReason.None)
            {
                instance.Counters.Drop(reason);
                continue;
            }

            instance.Counters.Received();
            TimeSpan now = Now;
            VrrpRole before = instance.Machine.Role;
            VrrpStep step = instance.Machine.OnAdvert(now, advert.Priority, advert.IntervalCentiseconds, advert.Source);
            if (instance.Machine.Role == VrrpRole.Backup && advert.Priority != 0)
            {
                instance.SetMaster(new IPAddress(advert.Source));
            }

            Apply(instance, step, now, fromGroup: false);
            if (before == VrrpRole.Master && instance.Machine.Role == VrrpRole.Backup)
            {
                instance.SetMaster(new IPAddress(advert.Source));
            }
        }
    }

    private static VrrpInstance? FindByVrid(Link link, int vrid)
    {
        foreach (VrrpInstance i in link.Instances)
        {
            if (i.Config.Vrid == vrid)
            {
                return i;
            }
        }

        return null;
    }

    private static bool FromPeer(VrrpInstance instance, ReadOnlySpan<byte> source)
    {
        foreach (IPAddress peer in instance.Config.UnicastPeers)
        {
            if (peer.GetAddressBytes().AsSpan().SequenceEqual(source))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The VRID byte of a packet that failed parsing, when it is there to read.</summary>
    private static int VridOf(ReadOnlySpan<byte> data, bool ipv6)
    {
        int offset = 1;
        if (!ipv6)
        {
            if (data.Length < 1)
            {
                return -1;
            }

            offset += (data[0] & 0x0F) * 4;
        }

        return offset < data.Length ? data[offset] : -1;
    }

    private void CountDrop(Link link, int vrid, VrrpDropReason reason)
    {
        VrrpInstance? instance = vrid < 0 ? null : FindByVrid(link, vrid);
        (instance?.Counters ?? Unmatched).Drop(reason);
    }
}
