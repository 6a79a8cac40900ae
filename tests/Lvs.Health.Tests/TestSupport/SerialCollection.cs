namespace Lvs.Health.Tests.TestSupport;

/// <summary>Tests that measure the whole process (allocated bytes) run alone, not beside other classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial: measures the whole process";
}
