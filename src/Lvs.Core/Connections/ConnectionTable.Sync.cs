using Lvs.Core.Services;

namespace Lvs.Core.Connections;

/// <summary>Entries made and refreshed by connection sync on a backup (ip_vs_proc_conn).</summary>
public sealed partial class ConnectionTable
{
    /// <summary>
    /// Creates a connection or template received from a master: bound to <paramref name="dest"/>
    /// (which gives the forwarding method and, for DR/TUN, NOOUTPUT, as ip_vs_bind_dest), counted
    /// active or inactive as the master says, expiring <paramref name="timeoutMs"/> from now.
    /// Returns -1 when the table is full.
    /// </summary>
    public int CreateSynced(VirtualService service, RealServer dest, IpProtocol protocol, InetAddress client, ushort clientPort,
        InetAddress vip, ushort vport, ushort destPort, ConnectionFlags flags, TcpState state, int timeoutMs, long now)
    {
        int i = Allocate();
        if (i < 0)
        {
            return -1;
        }

        bool template = (flags & ConnectionFlags.Template) != 0;
        ref Connection c = ref _entries[i];
        c.ClientAddress = client;
        c.ClientPort = clientPort;
        c.VirtualAddress = vip;
        c.VirtualPort = vport;
        c.DestAddress = dest.Address;
        c.DestPort = destPort;
        c.Protocol = protocol;
        c.State = template ? TcpState.None : state;
        c.OldState = c.State;
        c.Method = dest.Method;
        c.Flags = ConnectionFlags.InUse
                  | (flags & (ConnectionFlags.Inactive | ConnectionFlags.Template | ConnectionFlags.OnePacket))
                  | (dest.Method == ForwardMethod.Masquerade || template ? ConnectionFlags.None : ConnectionFlags.NoOutput);
        c.Timeout = timeoutMs;
        c.ExpiresAt = now + timeoutMs;
        c.Dest = dest;
        c.Service = service;
        c.Control = 0;
        c.ControlCount = 0;
        Insert(i, now);

        CounterSlot ds = dest.Counters[_worker];
        if (template)
        {
            ds.PersistConns++;
        }
        else
        {
            if ((c.Flags & ConnectionFlags.Inactive) != 0)
            {
                ds.InactiveConns++;
            }
            else
            {
                ds.ActiveConns++;
            }

            dest.CheckOverloadOnBind();
        }

        return i;
    }

    /// <summary>
    /// Refreshes an entry from a newer sync message: the active/inactive flag (moving the server's
    /// counts), the state and the timeout, which restarts now.
    /// </summary>
    public void UpdateSynced(int index, bool inactive, TcpState state, int timeoutMs, long now)
    {
        ref Connection c = ref _entries[index];
        bool template = (c.Flags & ConnectionFlags.Template) != 0;
        if (!template)
        {
            bool was = (c.Flags & ConnectionFlags.Inactive) != 0;
            if (was != inactive && c.Dest is { } dest)
            {
                CounterSlot slot = dest.Counters[_worker];
                slot.ActiveConns += inactive ? -1 : 1;
                slot.InactiveConns += inactive ? 1 : -1;
            }

            c.Flags = inactive ? c.Flags | ConnectionFlags.Inactive : c.Flags & ~ConnectionFlags.Inactive;
            c.State = state;
            c.OldState = state;
        }

        c.Timeout = timeoutMs;
        c.ExpiresAt = now + timeoutMs;
        WheelRemove(index);
        WheelInsert(index, c.ExpiresAt);
    }

    /// <summary>Puts connection <paramref name="index"/> under persistence template <paramref name="template"/> (cp->control).</summary>
    public void LinkControl(int index, int template)
    {
        ref Connection c = ref _entries[index];
        if (c.Control > 0 || (c.Flags & ConnectionFlags.Template) != 0)
        {
            return;
        }

        c.Control = template + 1;
        _entries[template].ControlCount++;
    }

    /// <summary>The persistence template a connection is controlled by, or -1.</summary>
    public int ControlOf(int index) => _entries[index].Control - 1;

    /// <summary>Sets the entry's packet count (cp->in_pkts), as a backup does with the sync threshold.</summary>
    public void SetInPackets(int index, int packets) => _entries[index].InPackets = packets;
}
