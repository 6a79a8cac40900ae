using System.Globalization;
using Lvs.Admin.CommandLine;
using Lvs.Contracts;

namespace Lvs.Admin.Output;

/// <summary>
/// lvsadm --vrrp: one block per instance, keepalived's state names.
/// <code>
/// VRRP instance VI_1  state MASTER  priority 150/150  vrid 51  version 2  interface eth0
///   virtual addresses: 192.0.2.10/32
///   master: 198.51.100.2  adverts sent 12 received 0  became master 1
///   drops: WrongTtl=1
/// </code>
/// </summary>
internal static class VrrpFormatter
{
    public static int Print(AdminCommand command, ControlResponse response, TextWriter stdout, TextWriter stderr)
    {
        if (!response.Ok)
        {
            stderr.Write(Errors.DaemonRefusal(command, response) + "\n");
            return Errors.ListFailedExit;
        }

        stdout.Write(Format(response.Vrrp ?? []));
        return 0;
    }

    public static string Format(IReadOnlyList<VrrpInstanceStatus> instances)
    {
        if (instances.Count == 0)
        {
            return "No VRRP instances\n";
        }

        var sb = new System.Text.StringBuilder();
        foreach (VrrpInstanceStatus i in instances)
        {
            sb.Append(CultureInfo.InvariantCulture, $"VRRP instance {i.Name}  state {i.State}  priority {i.Priority}/{i.BasePriority}  vrid {i.Vrid}  version {i.Version}  interface {i.Interface}\n");
            sb.Append(CultureInfo.InvariantCulture, $"  virtual addresses: {string.Join(' ', i.VirtualAddresses)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"  master: {i.MasterAddress ?? "-"}  adverts sent {i.AdvertsSent} received {i.AdvertsReceived}  became master {i.BecameMaster}\n");
            if (i.Drops.Count > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  drops: {string.Join(' ', i.Drops.Select(d => $"{d.Reason}={d.Count}"))}\n");
            }
        }

        return sb.ToString();
    }
}
