using Lvs.Core.Connections;
using Lvs.Core.Packets;
using Lvs.Core.Services;

namespace Lvs.Core.Sync;

/// <summary>
/// Between sync entries and the connection table: what a master sends for a connection, and
/// what a backup makes of a received entry (ip_vs_proc_conn). The one place that knows the
/// table's address representation (host-order IPv4 today), so widening it touches this file.
/// </summary>
public static class SyncMapping
{
    /// <summary>Template timeout when an entry carries none (ip_vs_proc_conn: 3 minutes).</summary>
    public const int DefaultTemplateTimeoutMs = 180_000;

    /// <summary>The entry ip_vs_sync_conn would send for <paramref name="c"/>.</summary>
    public static void ToEntry(ref Connection c, out SyncEntry e)
    {
        e = default;
        bool template = (c.Flags & ConnectionFlags.Template) != 0;
        uint flags = c.Method switch
        {
            ForwardMethod.DirectRoute => IpvsConnFlags.DirectRoute,
            ForwardMethod.Tunnel => IpvsConnFlags.Tunnel,
            _ => IpvsConnFlags.Masq,
        };
        if ((c.Flags & ConnectionFlags.NoOutput) != 0)
        {
            flags |= IpvsConnFlags.NoOutput;
        }

        if ((c.Flags & ConnectionFlags.Inactive) != 0 && !template)
        {
            flags |= IpvsConnFlags.Inactive;
        }

        if (template)
        {
            flags |= IpvsConnFlags.Template;
        }

        if ((c.Flags & ConnectionFlags.OnePacket) != 0)
        {
            flags |= IpvsConnFlags.OnePacket;
        }

        e.Protocol = (byte)c.Protocol;
        e.Flags = flags;
        e.State = template ? (ushort)0 : (ushort)c.State;
        e.ClientPort = c.ClientPort;
        e.VirtualPort = c.VirtualPort;
        e.DestPort = c.DestPort;
        e.Fwmark = c.Service is { Key.IsFwmark: true } s ? s.Key.Mark : 0;
        e.TimeoutSeconds = (uint)(c.Timeout / 1000);
        e.ClientAddress = c.ClientAddress.V6; // IPv4 is held v4-mapped, as on the wire
        e.VirtualAddress = c.VirtualAddress.V6; // a fwmark template's "address" is the mark, as ip_vs's
        e.DestAddress = c.DestAddress.V6;
        e.IsIPv6 = c.ClientAddress.IsV6;
    }

    /// <summary>
    /// Creates or refreshes the connection an entry describes (ip_vs_proc_conn). Returns
    /// <see cref="SyncDropReason.None"/> when the table holds it afterwards (or the entry was the
    /// expected stale one), else why it was dropped. Never leaves the table inconsistent.
    /// </summary>
    /// <param name="threshold">sync_threshold: the packet count a received connection starts at.</param>
    public static SyncDropReason Install(in SyncEntry e, ConnectionTable table, ServiceTable services, long now, int threshold = 3)
    {
        // One family per entry, as the v1 layout has; mixed-family tunnel connections are not synced.
        bool v4 = !e.IsIPv6;
        if (e.ClientAddress.IsIPv4Mapped != v4 || e.VirtualAddress.IsIPv4Mapped != v4 || e.DestAddress.IsIPv4Mapped != v4)
        {
            return SyncDropReason.UnsupportedFamily;
        }

        InetAddress client = InetAddress.FromV6(e.ClientAddress);
        InetAddress vip = InetAddress.FromV6(e.VirtualAddress);
        InetAddress daddr = InetAddress.FromV6(e.DestAddress);
        var protocol = (IpProtocol)e.Protocol;
        bool template = e.IsTemplate;
        bool inactive = (e.Flags & IpvsConnFlags.Inactive) != 0;
        var state = (TcpState)e.State;

        int index = -1;
        if (!template)
        {
            if (table.TryFind(protocol, client, e.ClientPort, vip, e.VirtualPort, out int found, out PacketDirection dir)
                && dir != PacketDirection.Output)
            {
                ref Connection c = ref table[found];
                if (c.DestPort != e.DestPort || c.DestAddress != daddr)
                {
                    if (inactive)
                    {
                        return SyncDropReason.None; // the expiry message of a connection already replaced
                    }

                    table.Remove(found); // the master rescheduled this tuple
                }
                else
                {
                    index = found;
                }
            }
        }
        else if (table.TryFindTemplate(protocol, client, vip, e.VirtualPort, out int t))
        {
            index = t;
        }

        VirtualService? service;
        if (index >= 0)
        {
            service = table[index].Service;
            table.UpdateSynced(index, inactive, state, TimeoutMs(e, table.Timeouts), now);
        }
        else
        {
            service = FindService(services, protocol, vip, e.VirtualPort, e.Fwmark);
            if (service is null)
            {
                return SyncDropReason.NoService;
            }

            RealServer? dest = FindDest(service, daddr, e.DestPort, e.Flags);
            if (dest is null)
            {
                // ip_vs keeps such an entry unbound; ours need their server to forward, so it is dropped.
                return SyncDropReason.NoDest;
            }

            ConnectionFlags flags = (inactive ? ConnectionFlags.Inactive : ConnectionFlags.None)
                                    | (template ? ConnectionFlags.Template : ConnectionFlags.None)
                                    | ((e.Flags & IpvsConnFlags.OnePacket) != 0 ? ConnectionFlags.OnePacket : ConnectionFlags.None);
            index = table.CreateSynced(service, dest, protocol, client, e.ClientPort, vip, e.VirtualPort, e.DestPort, flags, state,
                TimeoutMs(e, table.Timeouts), now);
            if (index < 0)
            {
                return SyncDropReason.TableFull;
            }
        }

        table.SetInPackets(index, threshold);
        if (!template && service is { Settings.Persistent: true } && table.ControlOf(index) < 0)
        {
            LinkTemplate(table, index, service, client, vip);
        }

        return SyncDropReason.None;
    }

    /// <summary>Installs a batch: templates first, so connections sent before their template (as ip_vs does) find it.</summary>
    public static void InstallBatch(ReadOnlySpan<SyncEntry> entries, ConnectionTable table, ServiceTable services, long now,
        SyncCounters counters, int threshold = 3)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (ref readonly SyncEntry e in entries)
            {
                if (e.IsTemplate != (pass == 0))
                {
                    continue;
                }

                SyncDropReason r = Install(e, table, services, now, threshold);
                if (r == SyncDropReason.None)
                {
                    counters.Installed();
                }
                else
                {
                    counters.Drop(r);
                }
            }
        }
    }

    private static void LinkTemplate(ConnectionTable table, int index, VirtualService service, InetAddress client, InetAddress vip)
    {
        ref Connection c = ref table[index];
        ServiceKey key = service.Key;
        InetAddress network = client.Network(service.Settings.PersistenceMask);
        IpProtocol tp = key.IsFwmark ? IpProtocol.Ip : c.Protocol;
        InetAddress ta = key.IsFwmark ? key.Address : vip;
        if (table.TryFindTemplate(tp, network, ta, key.Port, out int t))
        {
            table.LinkControl(index, t);
        }
    }

    /// <summary>ip_vs_service_find: by firewall mark first, then protocol/address/port, then a port-0 service.</summary>
    private static VirtualService? FindService(ServiceTable services, IpProtocol protocol, InetAddress vip, ushort vport, uint fwmark)
    {
        if (protocol == IpProtocol.Ip)
        {
            // A fwmark template: <IP, client, 0, mark, 0>.
            return services.Lookup(fwmark != 0 ? ServiceKey.ForFwmark(fwmark, vip.IsV6) : new ServiceKey(IpProtocol.Ip, vip, 0));
        }

        return (fwmark != 0 ? services.Lookup(ServiceKey.ForFwmark(fwmark, vip.IsV6)) : null)
               ?? services.Lookup(new ServiceKey(protocol, vip, vport))
               ?? services.Lookup(new ServiceKey(protocol, vip, 0));
    }

    /// <summary>ip_vs_find_dest: the server by address and port, then by address with port 0.</summary>
    private static RealServer? FindDest(VirtualService service, InetAddress address, ushort port, uint flags)
    {
        RealServer? byAddress = null;
        RealServer? portZero = null;
        foreach (RealServer d in service.Destinations)
        {
            if (d.Address != address)
            {
                continue;
            }

            if (d.Port == port)
            {
                return d;
            }

            if (d.Port == 0)
            {
                portZero = d;
            }

            byAddress ??= d;
        }

        // DR and TUN cannot change the port, so their servers' configured port may differ from the packets'.
        return portZero ?? ((flags & IpvsConnFlags.FwdMask) != IpvsConnFlags.Masq && byAddress is { Method: not ForwardMethod.Masquerade } ? byAddress : null);
    }

    private static int TimeoutMs(in SyncEntry e, ConnectionTimeouts timeouts)
    {
        if (e.TimeoutSeconds != 0)
        {
            // ip_vs caps at MAX_SCHEDULE_TIMEOUT; our timer counts milliseconds in an int.
            return (int)Math.Min(e.TimeoutSeconds, int.MaxValue / 1000) * 1000;
        }

        // A version 0 style entry without a timeout: the state's own, or 3 minutes for a template.
        if (e.IsTemplate)
        {
            return DefaultTemplateTimeoutMs;
        }

        return e.Protocol == (byte)IpProtocol.Tcp ? timeouts.Tcp((TcpState)e.State) : timeouts.Udp;
    }
}
