using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Lvs.Bench -- --filter '*'
// dotnet run -c Release --project bench/Lvs.Bench -- health-load [--servers 1000] [--seconds 10]
if (args is ["health-load", ..])
{
    return await Lvs.Bench.HealthCheckLoad.RunAsync(args[1..]);
}
BenchmarkSwitcher.FromAssembly(typeof(Lvs.Bench.NatEstablishedBenchmark).Assembly).Run(args);
return 0;
