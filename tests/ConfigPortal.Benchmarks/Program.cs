using BenchmarkDotNet.Running;
using ConfigPortal.Benchmarks;

// On demand, never part of the test command:
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- diff [rounds]      (side by side with GNU diff and git)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- pipeline [runs]    (backup overhead without device I/O)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- fleet [devices] [cap] [vendor]  (SSH fleet; root + sshd)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- audit [entries] [tenants] [rounds]  (audit log at volume vs the sqlite3 shell)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- scheduling [devices] [slots] [idleSeconds]  (scheduler CPU/memory at fleet scale)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- --filter '*'       (BenchmarkDotNet suites)
if (args.Length > 0 && args[0] == "diff") return DiffComparison.Run(args);
if (args.Length > 0 && args[0] == "pipeline") return await PipelineOverhead.RunAsync(args);
if (args.Length > 0 && args[0] == "fleet") return await FleetBenchmark.RunAsync(args);
if (args.Length > 0 && args[0] == "scheduling") return await SchedulingBenchmark.RunAsync(args);
if (args.Length > 0 && args[0] == "audit") return await AuditBenchmark.RunAsync(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
