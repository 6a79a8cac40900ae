using System.Collections.Concurrent;
using Lvs.Contracts;
using Lvs.Core.Connections;
using Lvs.Core.Services;

namespace Lvs.Daemon.DataPath;

/// <summary>
/// The connection listing (ipvsadm -L -c). The table belongs to the worker thread, so the control
/// plane asks and the worker copies the entries out between two batches.
/// </summary>
public sealed partial class Worker
{
    /// <summary>At most this many entries are listed, so one listing cannot stall forwarding for long.</summary>
    public const int MaxListedConnections = 50_000;

    private readonly ConcurrentQueue<TaskCompletionSource<IReadOnlyList<ConnectionEntry>>> _listRequests = new();

    /// <summary>Lists the connection table as it is between two batches; null when the worker does not answer in time.</summary>
    public IReadOnlyList<ConnectionEntry>? ListConnections(TimeSpan timeout)
    {
        var request = new TaskCompletionSource<IReadOnlyList<ConnectionEntry>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _listRequests.Enqueue(request);
        _wakeup.Signal();
        return request.Task.Wait(timeout) ? request.Task.Result : null;
    }

    private void AnswerListRequests(long now)
    {
        while (_listRequests.TryDequeue(out TaskCompletionSource<IReadOnlyList<ConnectionEntry>>? request))
        {
            request.TrySetResult(Snapshot(_director.Connections, now));
        }
    }

    private static List<ConnectionEntry> Snapshot(ConnectionTable table, long now)
    {
        var list = new List<ConnectionEntry>(Math.Min(table.Count, MaxListedConnections));
        for (int i = 0; i < table.HighWater && list.Count < MaxListedConnections; i++)
        {
            if (!table.IsLive(i))
            {
                continue;
            }

            ref Connection c = ref table[i];
            // A TCP template is in state NONE; every UDP entry, template or not, shows "UDP" (udp_state_name).
            string state = c.Protocol == IpProtocol.Udp ? "UDP" : TcpStateMachine.Name(c.State);
            int expires = (int)Math.Max(0, (c.ExpiresAt - now + 999) / 1000);
            // A fwmark template is <IP, client, 0, mark, 0>: its "virtual address" is the mark.
            bool fwmark = c.Protocol == IpProtocol.Ip;
            list.Add(new ConnectionEntry(
                fwmark ? "ip" : c.Protocol == IpProtocol.Tcp ? "tcp" : "udp", expires, fwmark ? "NONE" : state,
                c.ClientAddress.ToString(), c.ClientPort,
                fwmark ? ((uint)c.VirtualAddress.Low).ToString(System.Globalization.CultureInfo.InvariantCulture) : c.VirtualAddress.ToString(), c.VirtualPort,
                c.DestAddress.ToString(), c.DestPort)
            {
                Template = c.IsTemplate,
            });
        }

        return list;
    }
}
