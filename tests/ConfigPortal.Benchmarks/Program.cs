using BenchmarkDotNet.Running;
using ConfigPortal.Benchmarks;

// On demand, never part of the test command:
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- diff [rounds]   (side by side with GNU diff and git)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- --filter '*'    (BenchmarkDotNet suites)
if (args.Length > 0 && args[0] == "diff") return DiffComparison.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
