namespace Lvs.Core.Scheduling;

/// <summary>The schedulers this build has, by ipvsadm name. Adding one is one line here.</summary>
public static class SchedulerRegistry
{
    private static readonly Dictionary<string, Func<SchedulerFlags, IScheduler>> Factories = new(StringComparer.Ordinal)
    {
        ["rr"] = _ => new RoundRobinScheduler(),
        ["wrr"] = _ => new WeightedRoundRobinScheduler(),
        ["lc"] = _ => new LeastConnectionScheduler(),
        ["wlc"] = _ => new WeightedLeastConnectionScheduler(),
        ["lblc"] = _ => new LocalityBasedLeastConnectionScheduler(),
        ["lblcr"] = _ => new LocalityBasedLeastConnectionReplicationScheduler(),
        ["dh"] = _ => new DestinationHashingScheduler(),
        ["sh"] = flags => new SourceHashingScheduler(flags),
        ["sed"] = _ => new ShortestExpectedDelayScheduler(),
        ["nq"] = _ => new NeverQueueScheduler(),
        ["fo"] = _ => new WeightedFailoverScheduler(),
        ["ovf"] = _ => new OverflowConnectionScheduler(),
        ["mh"] = flags => new MaglevHashingScheduler(flags),
        ["twos"] = _ => new TwoRandomChoicesScheduler(),
    };

    /// <summary>Every scheduler name ipvsadm knows, in ipvsadm's order.</summary>
    public static IReadOnlyList<string> IpvsNames { get; } =
        ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"];

    public static IEnumerable<string> Names => Factories.Keys;

    public static bool IsKnown(string name) => Factories.ContainsKey(name);

    public static IScheduler Create(string name, SchedulerFlags flags = SchedulerFlags.None) =>
        Factories.TryGetValue(name, out Func<SchedulerFlags, IScheduler>? f)
            ? f(flags)
            : throw new ArgumentException($"unknown scheduler '{name}'", nameof(name));
}
