using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Benchmarks;

/// <summary>
/// `ingest` mode (issue 7): sustained completed backups per second, each round's runs queued for one slot as the
/// schedule planner queues them (chunked inserts), through the real queue → <c>BackupWorker</c> →
/// <see cref="BackupPipeline"/> path (production defaults: worker concurrency, SQLite settings) with zero-latency devices
/// whose ~50 KB IOS configs change in <c>changed%</c> of the devices per round (so dedupe, diff and audit all run), next
/// to the Oxidized/RANCID way of storing the same configs: one <c>git add &lt;file&gt;</c> + <c>git commit</c> per changed
/// device, in a real git repository, interleaved round by round (the order alternates).
/// `dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- ingest [devices] [rounds] [changed%]`
/// </summary>
public static class IngestBenchmark
{
    private static int _slot;

    /// <summary>Answers at once with the benchmark's current config of the device.</summary>
    private sealed class TableCollector : IDeviceCollector
    {
        public ConcurrentDictionary<int, string> Configs { get; } = new();
        public DeviceDriver Driver => DeviceDriver.Simulator;

        public Task<CollectedConfig> CollectAsync(CollectionRequest request, CancellationToken cancellationToken) =>
            Configs.TryGetValue(request.DeviceId, out var text)
                ? Task.FromResult(new CollectedConfig(text, "bench"))
                // The demo's own simulated devices are not part of the benchmark: they fail fast.
                : Task.FromException<CollectedConfig>(new BackupFailedException(FailureKind.Unreachable, "Not a benchmark device."));
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var devices = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8;
        var changedPercent = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 1.0;
        var changedPerRound = Math.Max(1, (int)Math.Round(devices * changedPercent / 100.0));
        var collector = new TableCollector();
        await using var bench = await BenchHost.CreateAsync(new Dictionary<string, string?>(), s => s.AddSingleton<IDeviceCollector>(collector));
        var gitDir = Path.Combine(bench.Directory, "git");
        Directory.CreateDirectory(gitDir);

        // Devices and their base configs (each its own ~50 KB IOS config).
        var ids = new List<int>(devices);
        var names = new List<string>(devices);
        var baseConfigs = new List<string[]>(devices);
        await using (var scope = bench.SystemScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<DeviceService>();
            for (var i = 0; i < devices; i++)
            {
                var name = $"ingest-{i:00000}";
                ids.Add(await service.CreateAsync(new DeviceInput
                {
                    Name = name, Address = "192.0.2.10", Vendor = "cisco_ios", Driver = DeviceDriver.Simulator,
                    SimulatorBehavior = SimulatorBehavior.Static,
                }));
                names.Add(name);
                baseConfigs.Add(PipelineOverhead.IosConfig(seed: 1000 + i));
            }
        }
        var revision = new int[devices]; // how often each device's config has changed so far

        var finished = await bench.StartWorkerAsync();

        // Round 0 (not measured): every device's first snapshot; the git repository gets every file in one commit.
        for (var i = 0; i < devices; i++) collector.Configs[ids[i]] = Render(baseConfigs[i], revision[i], 0);
        await BackupRoundAsync(bench, ids, finished);
        Git(gitDir, "init -q");
        Git(gitDir, "config user.name bench");
        Git(gitDir, "config user.email bench@example.invalid");
        Git(gitDir, "config commit.gpgsign false");
        for (var i = 0; i < devices; i++) File.WriteAllText(Path.Combine(gitDir, names[i] + ".cfg"), collector.Configs[ids[i]]);
        Git(gitDir, "add -A");
        Git(gitDir, "commit -q -m baseline");

        // Warm-up rounds (not measured, shaped like the measured ones: the same share of devices changes) until the
        // tiered JIT has settled: a portal that has run for a while executes tier-1 code on both the unchanged and the
        // changed path; the first thousand backups also pay for compiling it.
        var warmupRounds = 0;
        var warmupStart = Stopwatch.StartNew();
        var warmupRng = new Random(7);
        while (warmupRounds < 12 && warmupStart.Elapsed < TimeSpan.FromMinutes(4))
        {
            var jit0 = System.Runtime.JitInfo.GetCompiledMethodCount();
            warmupRounds++;
            foreach (var i in Enumerable.Range(0, devices).OrderBy(_ => warmupRng.Next()).Take(changedPerRound)) revision[i]++;
            for (var i = 0; i < devices; i++) collector.Configs[ids[i]] = Render(baseConfigs[i], revision[i], -warmupRounds);
            await BackupRoundAsync(bench, ids, finished);
            if (System.Runtime.JitInfo.GetCompiledMethodCount() - jit0 <= Math.Max(20, devices / 50)) break;
        }
        var batcher = bench.Services.GetRequiredService<BackupCommitBatcher>();
        var (batchedRuns0, transactions0) = (batcher.CommittedRuns, batcher.Transactions);
        var jitStart = (Methods: System.Runtime.JitInfo.GetCompiledMethodCount(), Time: System.Runtime.JitInfo.GetCompilationTime());
        if (JitListener.Instance is { } jl) jl.Recording = true;

        Console.WriteLine($"Ingest: {devices} zero-latency devices, ~50 KB Cisco IOS configs, {changedPerRound} changed per round ({changedPercent.ToString(CultureInfo.InvariantCulture)}%), " +
            $"{rounds} rounds; worker concurrency {bench.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BackupOptions>>().Value.MaxConcurrentSessions} (production default); " +
            $"{Environment.ProcessorCount} cores; load average at start {File.ReadAllText("/proc/loadavg").Trim()}; {DateTime.UtcNow:u}");
        Console.WriteLine($"SQLite: {await bench.SqliteSettingsAsync()}");
        Console.WriteLine();
        Console.WriteLine("| round | order | backups | created / unchanged / failed | portal wall | portal backups/s | portal CPU | git add+commit | git wall | git commits/s | git CPU | ratio |");
        Console.WriteLine("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var ours = new List<double>();
        var theirs = new List<double>();
        var ratios = new List<double>();
        var cpuPerBackup = new List<double>();
        var cpuPerCommit = new List<double>();
        var ok = true;
        var rng = new Random(42);
        for (var round = 1; round <= rounds; round++)
        {
            // The devices that change this round; every other device only moves its volatile clock line.
            var changed = Enumerable.Range(0, devices).OrderBy(_ => rng.Next()).Take(changedPerRound).ToHashSet();
            foreach (var i in changed) revision[i]++;
            for (var i = 0; i < devices; i++) collector.Configs[ids[i]] = Render(baseConfigs[i], revision[i], round);

            double oursRate = 0, gitRate = 0, oursWall = 0, gitWall = 0, cpu = 0, gitCpu = 0;
            (int Created, int Unchanged, int Failed) counts = default;
            var gitFirst = round % 2 == 0;
            for (var side = 0; side < 2; side++)
            {
                if ((side == 0) == gitFirst)
                {
                    var children0 = ChildrenCpuSeconds();
                    var sw = Stopwatch.StartNew();
                    foreach (var i in changed.Order())
                    {
                        var file = names[i] + ".cfg";
                        await File.WriteAllTextAsync(Path.Combine(gitDir, file), collector.Configs[ids[i]]);
                        Git(gitDir, "add " + file);
                        Git(gitDir, $"commit -q -m \"{names[i]} round {round}\"");
                    }
                    gitWall = sw.Elapsed.TotalSeconds;
                    gitRate = changed.Count / gitWall;
                    gitCpu = ChildrenCpuSeconds() - children0;
                }
                else
                {
                    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                    var sw = Stopwatch.StartNew();
                    counts = await BackupRoundAsync(bench, ids, finished);
                    oursWall = sw.Elapsed.TotalSeconds;
                    cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                    oursRate = devices / oursWall;
                }
            }
            ok &= counts.Failed == 0 && counts.Created == changed.Count && counts.Unchanged == devices - changed.Count;
            ours.Add(oursRate);
            theirs.Add(gitRate);
            ratios.Add(oursRate / gitRate);
            cpuPerBackup.Add(cpu / devices);
            cpuPerCommit.Add(gitCpu / changed.Count);
            Console.WriteLine(FormattableString.Invariant(
                $"| {round} | {(gitFirst ? "git first" : "portal first")} | {devices} | {counts.Created} / {counts.Unchanged} / {counts.Failed} | {oursWall:0.000} s | {oursRate:0} | {cpu:0.00} s | {changed.Count} | {gitWall:0.000} s | {gitRate:0.0} | {gitCpu:0.00} s | {oursRate / gitRate:0.0}× |"));
        }

        var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitStart.Methods;
        var jitMs = (System.Runtime.JitInfo.GetCompilationTime() - jitStart.Time).TotalMilliseconds;
        if (JitListener.Instance is { } jit) { jit.Recording = false; jit.Print(rounds * devices); }

        // The chain the runs wrote must verify end to end (gapless, every hash).
        ChainVerification verification;
        await using (var scope = bench.SystemScope())
            verification = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyTenantAsync(bench.TenantId);
        await bench.Host.StopAsync();

        var medianOurs = Median(ours);
        var medianGit = Median(theirs);
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant(
            $"median: portal {medianOurs:0} backups/s, git {medianGit:0.0} commits/s; ratio of medians {medianOurs / medianGit:0.0}×, median of per-round ratios {Median(ratios):0.0}×"));
        Console.WriteLine(FormattableString.Invariant(
            $"CPU (less sensitive to other load than wall time): portal {Median(cpuPerBackup) * 1000:0.00} ms per backup (whole process, all threads), git {Median(cpuPerCommit) * 1000:0.0} ms per add+commit (child processes); ratio {Median(cpuPerCommit) / Median(cpuPerBackup):0.0}×"));
        Console.WriteLine(FormattableString.Invariant(
            $"warm-up: {warmupRounds} unmeasured round(s) of {devices} backups until the JIT settled; JIT during the measured rounds: {jitMethods / (double)(rounds * devices):0.00} methods and {jitMs / (rounds * devices):0.00} ms per backup"));
        Console.WriteLine(FormattableString.Invariant(
            $"group commit (ADR-015): {batcher.CommittedRuns - batchedRuns0} runs committed in {batcher.Transactions - transactions0} transactions during the measured rounds, {(batcher.CommittedRuns - batchedRuns0) / (double)Math.Max(1, batcher.Transactions - transactions0):0.0} runs per transaction"));
        Console.WriteLine($"audit chain: {(verification.Intact ? "intact" : "BROKEN: " + verification.Problem)}, {verification.EntriesChecked} entries checked; every round's outcomes as expected: {ok}");
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        var ratio = medianOurs / medianGit;
        Console.WriteLine(ratio >= 20 ? "target (>= 10x git, aim 20x): met, aim met" : ratio >= 10 ? "target (>= 10x git): met (aim 20x: not met)" : "target (>= 10x git): NOT met");
        return ok && verification.Intact ? 0 : 1;
    }

    /// <summary>Queues every device's run for one slot, as the schedule planner does (chunked inserts), and waits until all finished.</summary>
    private static async Task<(int Created, int Unchanged, int Failed)> BackupRoundAsync(BenchHost bench, List<int> ids, ConcurrentDictionary<long, BackupRunView> finished)
    {
        // A distinct slot per round (the (device, slot) index keeps a slot exactly-once).
        var slot = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(Interlocked.Increment(ref _slot));
        var runIds = await bench.QueueSlotAsync(ids, slot);
        var deadline = Stopwatch.StartNew();
        while (runIds.Any(r => !finished.ContainsKey(r)) && deadline.Elapsed < TimeSpan.FromSeconds(300))
            await Task.Delay(2);
        var results = runIds.Select(r => finished.TryGetValue(r, out var v) ? v : null).ToList();
        foreach (var f in results.Where(r => r is null || r.Outcome == RunOutcome.Failed).Take(3))
            Console.WriteLine(f is null ? "  a run did not finish in time" : $"  run {f.Id} failed: {f.FailureKind}: {f.Message}");
        return (results.Count(r => r?.Outcome == RunOutcome.Created), results.Count(r => r?.Outcome == RunOutcome.Unchanged),
            results.Count(r => r is null || r.Outcome == RunOutcome.Failed));
    }

    /// <summary>A device's config at a revision, with the volatile header every fetch has (the clock line moves each round).</summary>
    private static string Render(string[] lines, int revision, int round)
    {
        var sb = new StringBuilder(52_000);
        sb.Append("Building configuration...\n\nCurrent configuration : 51234 bytes\n! Last configuration change at 10:")
            .Append((round % 60).ToString("00", CultureInfo.InvariantCulture)).Append(":00 UTC Mon Nov 2 2026\n");
        // From one revision to the next, the same 1% of the lines (every 13th description, 20 of 2,007) change.
        var changed = (int)Math.Round(lines.Length * 0.01);
        var descriptions = 0;
        foreach (var line in lines)
        {
            sb.Append(line);
            if (line.StartsWith(" description ", StringComparison.Ordinal) && descriptions++ % 13 == 0 && descriptions / 13 < changed && revision > 0)
                sb.Append(" rev").Append(revision.ToString(CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static void Git(string dir, string arguments)
    {
        var psi = new ProcessStartInfo("git", arguments)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"git {arguments} failed: {err}");
    }

    /// <summary>CPU seconds of this process's exited, waited-for children (the git processes), from /proc/self/stat.</summary>
    private static double ChildrenCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command name start at field 3 (state); cutime and cstime are fields 16 and 17.
        return (long.Parse(fields[16 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[17 - 3], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
