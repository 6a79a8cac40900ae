using System.Net;
using System.Net.Sockets;
using Lvs.Core.Packets;
using Lvs.Linux;
using Lvs.Vrrp.Packets;

namespace Lvs.Vrrp;

public sealed partial class VrrpService
{
    private static readonly TimeSpan IpTimeout = TimeSpan.FromSeconds(5);
    private readonly byte[] _txBuffer = new byte[VrrpCodec.Ipv4HeaderLength + VrrpCodec.MaxMessageLength];
    private readonly byte[] _frame = new byte[128];

    private void SendAdvert(VrrpInstance instance, byte priority)
    {
        VrrpInstanceConfig c = instance.Config;
        Link link = _links[(c.Interface, c.IsIpv6)];
        byte[] source = LocalAddress(instance);
        byte authType = instance.AuthPass.Length > 0 ? VrrpValidation.AuthPass : VrrpValidation.AuthNone;
        IEnumerable<byte[]> targets = c.UnicastPeers.Count > 0
            ? c.UnicastPeers.Select(p => p.GetAddressBytes())
            : [c.IsIpv6 ? VrrpCodec.Ipv6Group.ToArray() : VrrpCodec.Ipv4Group.ToArray()];
        foreach (byte[] target in targets)
        {
            try
            {
                if (c.IsIpv6)
                {
                    int n = VrrpCodec.Write(_txBuffer, c.Version, c.Vrid, priority, c.IntervalCentiseconds, instance.AddressBytes, authType, instance.AuthPass, source, target);
                    link.Socket.SendIpv6(_txBuffer.AsSpan(0, n), source, target);
                }
                else
                {
                    int n = VrrpCodec.WriteIpv4(_txBuffer, c.Version, c.Vrid, priority, c.IntervalCentiseconds, instance.AddressBytes, authType, instance.AuthPass, source, target);
                    link.Socket.SendIpv4(_txBuffer.AsSpan(0, n), target);
                }

                instance.Counters.Sent();
            }
            catch (Lvs.Linux.Interop.LinuxException e)
            {
                // A down link refuses sends; tracking puts the instance in FAULT, the advert is simply lost.
                Log.Warn("vrrp advert not sent", ("instance", c.Name), ("error", e.Message));
            }
        }
    }

    /// <summary>garp_master_repeat gratuitous ARPs / unsolicited NAs at once, the same again garp_master_delay later.</summary>
    private void SendGarpIfDue(VrrpInstance instance, TimeSpan now)
    {
        if (instance.GarpBurstDue is not { } due || now < due || instance.Machine.Role != VrrpRole.Master)
        {
            return;
        }

        instance.GarpBurstsLeft--;
        instance.GarpBurstDue = instance.GarpBurstsLeft > 0 && instance.Config.GarpMasterDelay > TimeSpan.Zero
            ? now + instance.Config.GarpMasterDelay
            : null;
        foreach (VirtualAddress vip in instance.Config.VirtualAddresses)
        {
            string device = vip.Device ?? instance.Config.Interface;
            if (!_macs.TryGetValue(device, out byte[]? mac))
            {
                continue;
            }

            int length;
            if (vip.Address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                length = Ndp.WriteUnsolicitedAdvertisement(_frame, mac, Ipv6Address.ReadFrom(vip.Address.GetAddressBytes()));
            }
            else
            {
                uint a = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(vip.Address.GetAddressBytes());
                length = ArpPacket.WriteRequest(_frame, mac, a, a);
            }

            for (int i = 0; i < Math.Max(1, instance.Config.GarpMasterRepeat); i++)
            {
                try
                {
                    FrameSocketFor(device).Send(_frame.AsSpan(0, length));
                }
                catch (Lvs.Linux.Interop.LinuxException e)
                {
                    Log.Warn("gratuitous ARP/NA not sent", ("vip", vip.Address), ("error", e.Message));
                    break;
                }
            }
        }
    }

    private void AddAddresses(VrrpInstance instance)
    {
        foreach (VirtualAddress vip in instance.Config.VirtualAddresses)
        {
            var args = new List<string> { "addr", "add", $"{vip.Address}/{vip.PrefixLength}", "dev", vip.Device ?? instance.Config.Interface };
            if (vip.Label is { } label)
            {
                args.AddRange(["label", label]);
            }

            if (vip.Address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // DAD would keep the address tentative (unusable) for a second after takeover.
                args.Add("nodad");
            }

            ProcessResult r = Ip(args);
            if (!r.Succeeded && !r.Stderr.Contains("File exists", StringComparison.Ordinal))
            {
                Log.Error("vrrp: cannot add virtual address", ("instance", instance.Name), ("vip", vip), ("error", r.Stderr.Trim()));
            }
        }
    }

    private void RemoveAddresses(VrrpInstance instance, bool quiet)
    {
        foreach (VirtualAddress vip in instance.Config.VirtualAddresses)
        {
            ProcessResult r = Ip(["addr", "del", $"{vip.Address}/{vip.PrefixLength}", "dev", vip.Device ?? instance.Config.Interface]);
            if (!r.Succeeded && !quiet)
            {
                Log.Warn("vrrp: cannot remove virtual address", ("instance", instance.Name), ("vip", vip), ("error", r.Stderr.Trim()));
            }
        }
    }

    private static ProcessResult Ip(IEnumerable<string> args)
    {
        try
        {
            return ProcessRunner.Run("ip", args, null, IpTimeout);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ProcessResult(-1, "", $"cannot run ip: {e.Message}", false);
        }
    }
}
