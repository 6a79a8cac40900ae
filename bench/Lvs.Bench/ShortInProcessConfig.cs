using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Lvs.Bench;

/// <summary>
/// BenchmarkDotNet's short run (3 warm-up, 3 measured iterations), in process: a whole run takes a
/// few minutes on 2 cores, and no generated project has to build under the repository's central
/// package management and warnings-as-errors.
/// </summary>
public sealed class ShortInProcessConfig : ManualConfig
{
    public ShortInProcessConfig()
    {
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess"));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
