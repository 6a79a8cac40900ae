using System.Runtime.CompilerServices;

namespace Lvs.Core.Services;

/// <summary>
/// A real server (ip_vs "destination") of one virtual service.
/// </summary>
/// <remarks>
/// Identity (address, port) never changes. Weight and method are written by the control plane
/// and read by schedulers; both are single aligned words, so readers see old or new, never torn.
/// Connections hold a reference to their real server, so a server removed from its service
/// keeps forwarding its existing connections until they expire (ip_vs's "trash" list).
/// </remarks>
public sealed class RealServer
{
    /// <summary>In <see cref="State"/>: the weight, beside worker 0's connection counts.</summary>
    internal const int WeightIndex = 2;

    /// <summary>In <see cref="State"/>: 1 while overloaded.</summary>
    internal const int OverloadedIndex = 3;

    private readonly int[] _state;

    public RealServer(InetAddress address, ushort port, ForwardMethod method, int weight, int workers)
    {
        Address = address;
        Port = port;
        Method = method;
        _state = new int[Math.Max(workers, 1) * CounterSet.ConnStride];
        _state[WeightIndex] = weight;
        Counters = new CounterSet(workers, _state);
    }

    /// <summary>
    /// Everything the least-connection schedulers read, in one array: worker w's ActiveConn and
    /// InActConn at <c>w * CounterSet.ConnStride</c> and <c>+ 1</c>, the weight at
    /// <see cref="WeightIndex"/> and the overload flag at <see cref="OverloadedIndex"/> (both in
    /// worker 0's otherwise unused ints). One cache line per server per worker, no object to cross.
    /// </summary>
    internal int[] State => _state;

    public InetAddress Address { get; }

    public ushort Port { get; }

    public ForwardMethod Method { get; set; }

    /// <summary>For <see cref="ForwardMethod.Tunnel"/>: the encapsulation (replaced as a whole).</summary>
    public TunnelSpec Tunnel { get; set; }

    public int Weight
    {
        get => Volatile.Read(ref _state[WeightIndex]);
        set => Volatile.Write(ref _state[WeightIndex], value);
    }

    /// <summary>IP_VS_DEST_F_OVERLOAD: the scheduler skips the server (set and cleared by the thresholds).</summary>
    public bool Overloaded
    {
        get => Volatile.Read(ref _state[OverloadedIndex]) != 0;
        set => Volatile.Write(ref _state[OverloadedIndex], value ? 1 : 0);
    }

    /// <summary>ipvsadm -x: at this many connections the server is overloaded; 0 = no limit.</summary>
    public int UpperThreshold { get; set; }

    /// <summary>ipvsadm -y: below this many it takes connections again; 0 = at 3/4 of the upper threshold.</summary>
    public int LowerThreshold { get; set; }

    /// <summary>Persistence templates that point at this server (ipvsadm PersistConn).</summary>
    public int PersistConns => Counters.PersistConns;

    /// <summary>ip_vs_dest_totalconns: what the thresholds count.</summary>
    public int TotalConns => ActiveConns + InactiveConns;

    /// <summary>
    /// -e (or a reload) changes the settings in place; a raised or removed upper threshold lifts
    /// the overload at once (__ip_vs_update_dest).
    /// </summary>
    internal void Configure(ForwardMethod method, TunnelSpec tunnel, int weight, int upperThreshold, int lowerThreshold)
    {
        Method = method;
        Tunnel = tunnel;
        Weight = weight;
        UpperThreshold = upperThreshold;
        LowerThreshold = lowerThreshold;
        if (upperThreshold == 0 || TotalConns < upperThreshold)
        {
            Overloaded = false;
        }
    }

    /// <summary>
    /// After a connection was bound (ip_vs_bind_dest): reaching the upper threshold overloads the server.
    /// </summary>
    internal void CheckOverloadOnBind()
    {
        int upper = UpperThreshold;
        if (upper != 0 && TotalConns >= upper)
        {
            Overloaded = true;
        }
    }

    /// <summary>
    /// After a connection was unbound (ip_vs_unbind_dest): below the lower threshold, or below
    /// 3/4 of the upper one when no lower is set, the server takes connections again.
    /// </summary>
    internal void CheckOverloadOnUnbind()
    {
        int lower = LowerThreshold, upper = UpperThreshold;
        if (lower != 0)
        {
            if (TotalConns < lower)
            {
                Overloaded = false;
            }
        }
        else if (upper != 0)
        {
            if (TotalConns * 4 < upper * 3)
            {
                Overloaded = false;
            }
        }
        else if (Overloaded)
        {
            // Only written when it changes: every unbind would otherwise dirty the line the
            // schedulers read on every pick.
            Overloaded = false;
        }
    }

    /// <summary>False once the server was deleted from its service; its connections drain.</summary>
    public bool Available { get; set; } = true;

    public CounterSet Counters { get; }

    /// <summary>ActiveConn: connections in ESTABLISHED, over all workers.</summary>
    public int ActiveConns => Counters.ActiveConns;

    /// <summary>InActConn: every other connection, over all workers.</summary>
    public int InactiveConns => Counters.InactiveConns;

    /// <summary>
    /// ip_vs_dest_conn_overhead: the load the least-connection schedulers compare, active
    /// connections weighing 256 times an inactive one.
    /// </summary>
    public int Overhead
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => CounterSet.Overhead(_state);
    }

    public override string ToString() => Address.WithPort(Port);
}
