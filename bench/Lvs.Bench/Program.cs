using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Lvs.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Lvs.Bench.NatEstablishedBenchmark).Assembly).Run(args);
