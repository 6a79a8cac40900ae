using Lvs.Core.Connections;
using Lvs.Core.Services;

namespace Lvs.Core.Sync;

/// <summary>
/// The master side of connection sync on one worker: counts each connection's incoming packets
/// and, while <see cref="Enabled"/>, puts the connections that ip_vs would sync now (and their
/// persistence templates) on a bounded ring for the sync sender. Allocation-free; a full ring
/// drops the entry and counts it.
/// </summary>
/// <remarks>Called only by the worker that owns the table; <see cref="Enabled"/> is flipped by the sync daemon.</remarks>
public sealed class SyncSource(SyncRing ring, SyncCounters counters, SyncSettings? settings = null)
{
    private volatile bool _enabled;

    public SyncRing Ring { get; } = ring;

    public SyncCounters Counters { get; } = counters;

    public SyncSettings Settings { get; } = settings ?? SyncSettings.Default;

    /// <summary>True while this director is a sync master.</summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>ip_vs_in's tail: one packet from the client passed on connection <paramref name="c"/>.</summary>
    public void OnInput(ConnectionTable table, ref Connection c)
    {
        int threshold = Settings.Threshold;
        int pkts = (c.Flags & ConnectionFlags.OnePacket) != 0 ? threshold : ++c.InPackets;
        if (!_enabled)
        {
            if ((c.Flags & ConnectionFlags.OnePacket) != 0 && c.Control > 0)
            {
                table[c.Control - 1].InPackets++;
            }

            return;
        }

        // ip_vs_sync_conn: never a one-packet connection itself, but always its controller.
        if ((c.Flags & ConnectionFlags.OnePacket) == 0 && Needed(ref c, pkts))
        {
            Enqueue(ref c);
        }

        if (c.Control > 0)
        {
            ref Connection t = ref table[c.Control - 1];
            int tp = (t.Flags & ConnectionFlags.Template) != 0 ? ++t.InPackets : threshold;
            if (Needed(ref t, tp))
            {
                Enqueue(ref t);
            }
        }
    }

    /// <summary>ip_vs_sync_conn_needed with sync_refresh_period 0 (its default).</summary>
    internal bool Needed(ref Connection c, int pkts)
    {
        bool template = (c.Flags & ConnectionFlags.Template) != 0;
        if (!template && c.Protocol == IpProtocol.Tcp)
        {
            if (c.State is not (TcpState.Established or TcpState.FinWait or TcpState.Close or TcpState.CloseWait or TcpState.TimeWait))
            {
                return false;
            }

            if (c.State != c.OldState && c.State != TcpState.Established)
            {
                c.OldState = c.State;
                return true; // a closing state is sent at once
            }
        }

        int period = Settings.Period;
        if (period > 0)
        {
            if (!template && pkts % period != Settings.Threshold)
            {
                return false;
            }
        }
        else if (pkts != Settings.Threshold)
        {
            return false;
        }

        c.OldState = c.State;
        return true;
    }

    private void Enqueue(ref Connection c)
    {
        SyncMapping.ToEntry(ref c, out SyncEntry e);
        if (!Ring.TryWrite(e))
        {
            Counters.Drop(SyncDropReason.QueueOverflow);
        }
    }
}
