using System.Diagnostics;
using System.Net;
using Lvs.Linux;
using Lvs.Linux.Interop;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;
using Lvs.Linux.Vrrp;

namespace Lvs.Vrrp;

/// <summary>
/// Runs the configured VRRP instances on one thread: raw VRRP sockets per interface and family,
/// the state machines' timers, link and script tracking, sync groups, the virtual addresses and
/// gratuitous ARP / unsolicited NA on becoming master, notify scripts. <see cref="Dispose"/> is
/// the clean shutdown: masters advertise priority 0 (a backup takes over after Skew_Time) and
/// the addresses are removed.
/// </summary>
public sealed partial class VrrpService : IDisposable
{
    /// <summary>The longest the loop sleeps: bounds how late tracking and a stop request are seen.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMilliseconds(50);

    private readonly VrrpConfig _config;
    private readonly List<VrrpInstance> _instances = [];
    private readonly Dictionary<(string If, bool V6), Link> _links = [];
    private readonly Dictionary<string, ScriptTracker> _scripts = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly RtNetlinkSocket _netlink;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _disposed;

    private VrrpService(VrrpConfig config)
    {
        _config = config;
        _netlink = RtNetlinkSocket.Open(RtNetlinkGroups.None);
        _thread = new Thread(Loop) { IsBackground = true, Name = "vrrp" };
    }

    /// <summary>Drops that could not be tied to an instance (no VRID match, or unreadable before the VRID).</summary>
    public VrrpCounters Unmatched { get; } = new();

    public IReadOnlyList<VrrpInstance> Instances => _instances;

    /// <summary>Opens the sockets and starts the instances (Initialize → Backup or Master).</summary>
    /// <exception cref="LinuxException">A socket cannot be opened (no such interface, not root).</exception>
    public static VrrpService Start(VrrpConfig config)
    {
        var service = new VrrpService(config);
        try
        {
            service.Open();
            service._thread.Start();
            return service;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    public VrrpInstance? Find(string name) => _instances.FirstOrDefault(i => i.Name == name);

    /// <summary>Stops: priority 0 from every master, addresses removed, sockets closed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping = true;
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(10));
        }

        foreach (ScriptTracker s in _scripts.Values)
        {
            s.Dispose();
        }

        foreach (Link link in _links.Values)
        {
            link.Dispose();
        }

        _netlink.Dispose();
    }

    private TimeSpan Now => _clock.Elapsed;

    private void Open()
    {
        foreach (VrrpScriptConfig s in _config.Scripts)
        {
            _scripts[s.Name] = new ScriptTracker(s);
        }

        RefreshInterfaces();
        foreach (VrrpInstanceConfig c in _config.Instances)
        {
            var key = (c.Interface, c.IsIpv6);
            if (!_links.TryGetValue(key, out Link? link))
            {
                link = new Link(c.Interface, c.IsIpv6, VrrpSocket.Open(c.Interface, c.IsIpv6));
                _links[key] = link;
                RefreshInterfaces();
            }

            byte[] local = c.UnicastSource?.GetAddressBytes() ?? link.Primary ?? new byte[c.IsIpv6 ? 16 : 4];
            var instance = new VrrpInstance(c, local)
            {
                Group = _config.SyncGroups.FirstOrDefault(g => g.Members.Contains(c.Name)),
            };
            link.Instances.Add(instance);
            _instances.Add(instance);
        }

        foreach (ScriptTracker s in _scripts.Values)
        {
            s.Start();
        }

        TimeSpan now = Now;
        foreach (VrrpInstance instance in _instances)
        {
            // keepalived removes its addresses at start: a crashed master's VIPs must not linger on a backup.
            RemoveAddresses(instance, quiet: true);
            Track(instance, now, initial: true);
            Apply(instance, instance.Machine.Start(now), now, fromGroup: false);
        }
    }

    private void Loop()
    {
        Link[] links = [.. _links.Values];
        using var poll = new PollSet(Math.Max(1, links.Length));
        foreach (Link link in links)
        {
            poll.Add(link.Socket.Fd);
        }

        byte[] buffer = new byte[65536];
        TimeSpan nextTrack = TimeSpan.Zero;
        try
        {
            while (!_stopping)
            {
                TimeSpan now = Now;
                if (now >= nextTrack)
                {
                    nextTrack = now + TimeSpan.FromMilliseconds(200);
                    RefreshInterfaces();
                    foreach (VrrpInstance instance in _instances)
                    {
                        Track(instance, now, initial: false);
                    }
                }

                TimeSpan sleep = MaxSleep;
                foreach (VrrpInstance instance in _instances)
                {
                    Apply(instance, instance.Machine.OnTimer(now), now, fromGroup: false);
                    SendGarpIfDue(instance, now);
                    if (instance.Machine.NextDeadline is { } d && d - now < sleep)
                    {
                        sleep = d - now;
                    }
                }

                int timeoutMs = Math.Max(0, (int)Math.Ceiling(sleep.TotalMilliseconds));
                int ready = poll.Wait(timeoutMs);
                for (int i = 0; ready > 0 && i < links.Length; i++)
                {
                    if (poll.IsReadable(i))
                    {
                        Drain(links[i], buffer);
                    }
                }
            }
        }
        catch (Exception e) when (e is LinuxException or IOException or InvalidOperationException)
        {
            Log.Error("vrrp loop failed", ("error", e.Message));
        }

        TimeSpan end = Now;
        foreach (VrrpInstance instance in _instances)
        {
            Apply(instance, instance.Machine.Shutdown(end), end, fromGroup: true);
        }
    }

    /// <summary>A state machine's step: send, then move addresses, publish, notify and carry the sync group along.</summary>
    private void Apply(VrrpInstance instance, VrrpStep step, TimeSpan now, bool fromGroup)
    {
        if (step.SendAdvert)
        {
            SendAdvert(instance, step.AdvertPriority);
        }

        instance.SyncPriority();
        if (step.Transition is not { } t)
        {
            return;
        }

        if (t.New == VrrpRole.Master)
        {
            instance.Counters.Master();
            instance.SetMaster(new IPAddress(LocalAddress(instance)));
            AddAddresses(instance);
            instance.GarpBurstsLeft = 2;
            instance.GarpBurstDue = now;
            SendGarpIfDue(instance, now);
        }
        else
        {
            instance.GarpBurstDue = null;
            if (t.Old == VrrpRole.Master)
            {
                RemoveAddresses(instance, quiet: false);
            }

            instance.SetMaster(null);
        }

        Log.Info("vrrp state", ("instance", instance.Name), ("from", t.Old), ("to", t.New), ("priority", instance.Machine.Priority), ("reason", t.Reason));
        instance.Publish(instance, t);
        Notifier.Run(instance.Config.Notify, "INSTANCE", instance.Name, t.New, instance.Machine.Priority);

        if (!fromGroup && instance.Group is { } group && t.New is VrrpRole.Master or VrrpRole.Backup or VrrpRole.Fault)
        {
            Notifier.Run(group.Notify, "GROUP", group.Name, t.New, instance.Machine.Priority);
            foreach (VrrpInstance other in _instances)
            {
                if (other != instance && other.Group == group)
                {
                    Apply(other, other.Machine.Force(now, t.New, $"sync group {group.Name}: {instance.Name} is {t.New}"), now, fromGroup: true);
                }
            }
        }
    }

    private byte[] LocalAddress(VrrpInstance instance) =>
        instance.Config.UnicastSource?.GetAddressBytes()
        ?? _links[(instance.Config.Interface, instance.Config.IsIpv6)].Primary
        ?? new byte[instance.Config.IsIpv6 ? 16 : 4];
}
