using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Lvs.Bench -- --filter '*'
// dotnet run -c Release --project bench/Lvs.Bench -- bytes-per-connection
if (args is ["bytes-per-connection"])
{
    Lvs.Bench.BytesPerConnection.Run(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Lvs.Bench.NatEstablishedBenchmark).Assembly).Run(args);
