using System.Net;
using Lvs.Vrrp.Packets;

namespace Lvs.Vrrp;

/// <summary>The VRRP part of keepalived.conf, interpreted: instances, their scripts and sync groups.</summary>
public sealed record VrrpConfig(
    IReadOnlyList<VrrpInstanceConfig> Instances,
    IReadOnlyList<VrrpScriptConfig> Scripts,
    IReadOnlyList<VrrpSyncGroupConfig> SyncGroups)
{
    public static VrrpConfig Empty { get; } = new([], [], []);

    public bool IsEmpty => Instances.Count == 0;
}

/// <summary>
/// One vrrp_instance. Defaults are keepalived's: priority 100, advert_int 1 s, preempt on,
/// garp_master_delay 5 s, garp_master_repeat 5, version 2 unless IPv6 or a fractional interval.
/// </summary>
/// <param name="Name">The instance's name (vrrp_instance NAME).</param>
/// <param name="Interface">The interface adverts are sent and received on.</param>
/// <param name="Vrid">virtual_router_id, 1..255.</param>
/// <param name="Priority">priority, 1..255 (255: the address owner).</param>
/// <param name="IntervalCentiseconds">advert_int in centiseconds (v2: whole seconds only).</param>
/// <param name="VirtualAddresses">virtual_ipaddress, all of one family.</param>
/// <param name="StartAsMaster">state MASTER: become master at once instead of waiting Master_Down_Interval.</param>
/// <param name="Preempt">False with nopreempt: a lower-priority master is left in place.</param>
/// <param name="PreemptDelay">preempt_delay: how long after start a lower-priority master is still accepted.</param>
/// <param name="AuthPass">authentication { auth_type PASS; auth_pass X } (v2), else null.</param>
/// <param name="UnicastSource">unicast_src_ip, else the interface's primary address.</param>
/// <param name="UnicastPeers">unicast_peer: adverts go to these instead of the multicast group.</param>
public sealed record VrrpInstanceConfig(
    string Name,
    string Interface,
    byte Vrid,
    byte Priority,
    VrrpVersion Version,
    int IntervalCentiseconds,
    IReadOnlyList<VirtualAddress> VirtualAddresses)
{
    public bool StartAsMaster { get; init; }

    public bool Preempt { get; init; } = true;

    public TimeSpan PreemptDelay { get; init; }

    /// <summary>
    /// Start with preemption held (lvsd: until the connection table has been pulled from the
    /// master, see <see cref="VrrpInstance.ReleasePreemption"/>). Taking over a master that went
    /// silent is never held.
    /// </summary>
    public bool HoldPreemption { get; init; }

    public string? AuthPass { get; init; }

    public IPAddress? UnicastSource { get; init; }

    public IReadOnlyList<IPAddress> UnicastPeers { get; init; } = [];

    public IReadOnlyList<TrackedInterface> TrackInterfaces { get; init; } = [];

    public IReadOnlyList<TrackedScript> TrackScripts { get; init; } = [];

    public TimeSpan GarpMasterDelay { get; init; } = TimeSpan.FromSeconds(5);

    public int GarpMasterRepeat { get; init; } = 5;

    public VrrpNotify Notify { get; init; } = VrrpNotify.None;

    /// <summary>True when IPv6 (from the virtual addresses).</summary>
    public bool IsIpv6 => VirtualAddresses.Count > 0 && VirtualAddresses[0].Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    /// <summary>The virtual addresses back to back, as adverts carry them.</summary>
    public byte[] AddressBytes() => [.. VirtualAddresses.SelectMany(v => v.Address.GetAddressBytes())];
}

/// <summary>A virtual_ipaddress line: ADDRESS[/PREFIX] [dev IF] [label L].</summary>
/// <param name="PrefixLength">32 / 128 unless given, as keepalived.</param>
/// <param name="Device">dev: the interface to put it on (default: the instance's).</param>
public sealed record VirtualAddress(IPAddress Address, int PrefixLength, string? Device, string? Label)
{
    public override string ToString() => $"{Address}/{PrefixLength}{(Device is null ? "" : " dev " + Device)}";
}

/// <summary>track_interface: the link going down means FAULT (weight 0) or a priority change.</summary>
public sealed record TrackedInterface(string Name, int Weight);

/// <summary>track_script: a vrrp_script by name, with its weight or an override.</summary>
public sealed record TrackedScript(string Name, int? Weight);

/// <summary>
/// vrrp_script: a command run every Interval; Fall failures in a row make it failed, Rise
/// successes make it good. Weight &gt; 0 is added while good, weight &lt; 0 added while failed,
/// weight 0 means FAULT while failed (keepalived's semantics).
/// </summary>
public sealed record VrrpScriptConfig(string Name, string Script, TimeSpan Interval, TimeSpan Timeout, int Weight, int Rise, int Fall);

/// <summary>vrrp_sync_group: its members change state together.</summary>
public sealed record VrrpSyncGroupConfig(string Name, IReadOnlyList<string> Members, VrrpNotify Notify);

/// <summary>notify_master / notify_backup / notify_fault / notify_stop / notify: commands run on transitions.</summary>
public sealed record VrrpNotify(string? Master, string? Backup, string? Fault, string? Stop, string? Any)
{
    public static VrrpNotify None { get; } = new(null, null, null, null, null);
}
