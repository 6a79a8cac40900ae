using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Lvs.Bench -- --filter '*'
// dotnet run -c Release --project bench/Lvs.Bench -- health-load [--servers 1000] [--seconds 10]
if (args is ["health-load", ..])
{
    return await Lvs.Bench.HealthCheckLoad.RunAsync(args[1..]);
}

// dotnet run -c Release --project bench/Lvs.Bench -- bytes-per-connection
if (args is ["bytes-per-connection"])
{
    Lvs.Bench.BytesPerConnection.Run(Console.Out);
    return 0;
}

if (args is ["loop", var what, var seconds])
{
    return Lvs.Bench.ProfileLoop.Run(what, seconds, Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(Lvs.Bench.NatEstablishedBenchmark).Assembly).Run(args);
return 0;
