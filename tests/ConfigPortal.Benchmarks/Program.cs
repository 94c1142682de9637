using BenchmarkDotNet.Running;
using ConfigPortal.Benchmarks;

// On demand, never part of the test command:
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- diff [rounds]      (side by side with GNU diff and git)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- pipeline [runs]    (backup overhead without device I/O)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- ingest [devices] [rounds] [changed%]  (queue → worker → pipeline vs git add+commit)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- fleet [devices] [cap] [vendor]  (SSH fleet; root + sshd)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- audit [entries] [tenants] [rounds]  (audit log at volume vs the sqlite3 shell)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- storage [days] [rounds]  (a year of snapshots vs deflate, gzip, git packs)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- history [snapshots] [rounds]  (device history pages vs the sqlite3 shell)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- search [devices] [kb] [rounds]  (config search vs grep / sqlite3)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- scheduling [devices] [slots] [idleSeconds]  (scheduler CPU/memory at fleet scale)
//   dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- --filter '*'       (BenchmarkDotNet suites)
if (args.Length > 0 && args[0] == "diff") return DiffComparison.Run(args);
if (args.Length > 0 && args[0] == "pipeline") return await PipelineOverhead.RunAsync(args);
if (args.Length > 0 && args[0] == "ingest") return await IngestBenchmark.RunAsync(args);
if (args.Length > 0 && args[0] == "fleet") return await FleetBenchmark.RunAsync(args);
if (args.Length > 0 && args[0] == "scheduling") return await SchedulingBenchmark.RunAsync(args);
if (args.Length > 0 && args[0] == "audit") return await AuditBenchmark.RunAsync(args);
if (args.Length > 0 && args[0] == "storage") return await StorageBenchmark.RunAsync(args);
if (args.Length > 0 && args[0] == "history") return await HistoryBenchmark.RunAsync(args);
if (args.Length > 0 && args[0] == "search") return await SearchBenchmark.RunAsync(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
