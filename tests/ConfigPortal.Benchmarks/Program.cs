using BenchmarkDotNet.Running;

// Run on demand: dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
