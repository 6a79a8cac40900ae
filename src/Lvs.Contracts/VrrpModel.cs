namespace Lvs.Contracts;

/// <summary>
/// One VRRP instance as <c>lvsadm --vrrp</c> shows it (the reply to <see cref="Commands.Vrrp"/>).
/// </summary>
/// <param name="State">INIT, BACKUP, MASTER, FAULT or STOP (keepalived's names).</param>
/// <param name="Priority">The priority in effect, after tracking weights.</param>
/// <param name="BasePriority">The configured priority.</param>
/// <param name="MasterAddress">The master's address (ours when MASTER), null when unknown.</param>
/// <param name="Drops">Received adverts dropped for this instance, by reason.</param>
public sealed record VrrpInstanceStatus(
    string Name,
    string State,
    int Priority,
    int BasePriority,
    int Vrid,
    int Version,
    string Interface,
    IReadOnlyList<string> VirtualAddresses,
    string? MasterAddress,
    long AdvertsSent,
    long AdvertsReceived,
    long BecameMaster,
    IReadOnlyList<DropCount> Drops);
