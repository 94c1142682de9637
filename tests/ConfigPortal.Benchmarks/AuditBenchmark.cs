using System.Diagnostics;
using System.Globalization;
using System.Text;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Benchmarks;

/// <summary>
/// The audit log at volume: query, keyset paging, full-text search, CSV export and chain verification through the
/// application's own services, interleaved with the equivalent hand-written SQL run by the `sqlite3` shell on the same file.
/// `dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- audit [entries=1000000] [tenants=20] [rounds=9]`
/// The database is built by the real migrations (no demo data); the entries are bulk-inserted with raw SQL in one
/// transaction, every tenant's chain hashed with the application's AuditHasher (so every chain verifies).
/// Tenant 1 holds 100,000 entries (queries, paging, search, verification), tenant 2 holds 50,000 (export), the rest
/// share the remainder; entries of all tenants are interleaved in time over 90 days, as they arrive in production.
/// sqlite3 is timed as a process running the statement K times minus the same process running it 0 times, divided by K.
/// </summary>
public static class AuditBenchmark
{
    private const int QueryTenantSize = 100_000;
    private const int ExportTenantSize = 50_000;
    private const string RareWord = "zanzibar";
    private const string Columns = "\"Sequence\", \"TimestampUtc\", \"ActorKind\", \"ActorId\", \"ActorName\", \"Action\", \"ResourceType\", \"ResourceId\", \"DeviceId\", \"DeviceName\", \"ClientIp\", \"UserAgent\", \"CorrelationId\", \"Outcome\", \"DetailsJson\", \"PreviousHash\", \"Hash\"";

    public static async Task<int> RunAsync(string[] args)
    {
        var entries = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var tenants = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 9;
        if (tenants < 3 || entries < QueryTenantSize + ExportTenantSize + tenants)
        {
            Console.Error.WriteLine($"Need at least 3 tenants and {QueryTenantSize + ExportTenantSize + tenants} entries.");
            return 2;
        }

        var dir = Directory.CreateTempSubdirectory("cp-auditbench-").FullName;
        var dbFile = Path.Combine(dir, "data", "configportal.db");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development", ContentRootPath = dir, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:DataDirectory"] = Path.Combine(dir, "data"),
            ["Audit:KeyFile"] = Path.Combine(dir, "keys", "audit-chain.key"),
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddInfrastructure();
        using var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(seedDemo: false);

        var sw = Stopwatch.StartNew();
        var tenantIds = BulkLoad(dbFile, entries, tenants, host.Services.GetRequiredService<AuditHasher>());
        var loadSeconds = sw.Elapsed.TotalSeconds;
        var qt = tenantIds[0];
        var et = tenantIds[1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Audit benchmark: {entries:N0} entries, {tenants} tenants, built in {loadSeconds:0.0} s ({new FileInfo(dbFile).Length / 1048576.0:0} MB); {rounds} interleaved rounds, medians. {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}"));

        // Filter values picked from the data, as a user would.
        string action, actor;
        int device;
        DateTime weekFrom;
        using (var c = new SqliteConnection($"Data Source={dbFile}"))
        {
            c.Open();
            action = Scalar<string>(c, $"SELECT \"Action\" FROM \"AuditEntries\" WHERE \"TenantId\" = {qt} AND \"Action\" = 'device_updated' LIMIT 1");
            actor = Scalar<string>(c, $"SELECT \"ActorName\" FROM \"AuditEntries\" WHERE \"TenantId\" = {qt} AND \"ActorKind\" = 1 ORDER BY \"Sequence\" DESC LIMIT 1");
            device = (int)Scalar<long>(c, $"SELECT \"DeviceId\" FROM \"AuditEntries\" WHERE \"TenantId\" = {qt} AND \"DeviceId\" IS NOT NULL ORDER BY \"Sequence\" DESC LIMIT 1");
            weekFrom = DateTime.SpecifyKind(DateTime.Parse(Scalar<string>(c, $"SELECT \"TimestampUtc\" FROM \"AuditEntries\" WHERE \"TenantId\" = {qt} AND \"Sequence\" = {QueryTenantSize / 2}"), CultureInfo.InvariantCulture), DateTimeKind.Utc);
        }
        var weekTo = weekFrom.AddDays(7);
        static string Ts(DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        var tenantWhere = $"\"TenantId\" = {qt}";
        var cases = new List<Case>
        {
            new("first page, action", new AuditFilter { Actions = [action] }, $"SELECT {Columns} FROM \"AuditEntries\" WHERE {tenantWhere} AND \"Action\" = '{action}' ORDER BY \"Sequence\" DESC LIMIT 50;"),
            new("first page, device", new AuditFilter { DeviceId = device }, $"SELECT {Columns} FROM \"AuditEntries\" WHERE {tenantWhere} AND \"DeviceId\" = {device} ORDER BY \"Sequence\" DESC LIMIT 50;"),
            new("first page, actor", new AuditFilter { Actor = actor }, $"SELECT {Columns} FROM \"AuditEntries\" WHERE {tenantWhere} AND \"ActorName\" = '{actor}' ORDER BY \"Sequence\" DESC LIMIT 50;"),
            // The application's shape (AuditQueryService.Apply): the window's sequence range from two index seeks, then the
            // page along the sequence index, the time conditions kept.
            new("first page, one week", new AuditFilter { FromUtc = weekFrom, ToUtc = weekTo }, $"SELECT {Columns} FROM \"AuditEntries\" WHERE {tenantWhere} AND \"TimestampUtc\" >= '{Ts(weekFrom)}' AND \"TimestampUtc\" < '{Ts(weekTo)}'"
                + $" AND \"Sequence\" >= (SELECT \"Sequence\" FROM \"AuditEntries\" WHERE {tenantWhere} AND \"TimestampUtc\" >= '{Ts(weekFrom)}' ORDER BY \"TimestampUtc\", \"Sequence\" LIMIT 1)"
                + $" AND \"Sequence\" <= (SELECT \"Sequence\" FROM \"AuditEntries\" WHERE {tenantWhere} AND \"TimestampUtc\" < '{Ts(weekTo)}' ORDER BY \"TimestampUtc\" DESC, \"Sequence\" DESC LIMIT 1)"
                + " ORDER BY \"Sequence\" DESC LIMIT 50;"),
        };
        // The plain shape (time range, then sort by sequence): how the window was read before, as a reference.
        var weekSortSql = $"SELECT {Columns} FROM \"AuditEntries\" WHERE {tenantWhere} AND \"TimestampUtc\" >= '{Ts(weekFrom)}' AND \"TimestampUtc\" < '{Ts(weekTo)}' ORDER BY \"Sequence\" DESC LIMIT 50;";
        var before = QueryTenantSize - 999 * 50 + 1; // page 1,000 of 50, newest first
        var keysetSql = $"SELECT {Columns} FROM \"AuditEntries\" WHERE {tenantWhere} AND \"Sequence\" < {before} ORDER BY \"Sequence\" DESC LIMIT 50;";
        var offsetSql = $"SELECT {Columns} FROM \"AuditEntries\" WHERE {tenantWhere} ORDER BY \"Sequence\" DESC LIMIT 50 OFFSET 49950;";
        var ftsSql = $"SELECT {Columns} FROM \"AuditEntries\" WHERE {tenantWhere} AND \"Id\" IN (SELECT rowid FROM \"AuditEntriesFts\" WHERE \"AuditEntriesFts\" MATCH '\"{RareWord}\"') ORDER BY \"Sequence\" DESC LIMIT 50;";
        var likeSql = $"SELECT {Columns} FROM \"AuditEntries\" WHERE {tenantWhere} AND (\"DetailsJson\" LIKE '%{RareWord}%' OR \"ActorName\" LIKE '%{RareWord}%' OR \"DeviceName\" LIKE '%{RareWord}%' OR \"ResourceId\" LIKE '%{RareWord}%' OR \"Action\" LIKE '%{RareWord}%') ORDER BY \"Sequence\" DESC LIMIT 50;";
        var exportSql = $"SELECT {string.Join(", ", AuditExportService.CsvColumns.Select(CsvColumn))} FROM \"AuditEntries\" WHERE \"TenantId\" = {et} ORDER BY \"Sequence\";";

        var svc = host.Services;
        AsyncServiceScope Scope(int tenantId)
        {
            var scope = svc.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
            return scope;
        }
        async Task<double> App(int tenantId, int repeat, Func<IServiceProvider, Task> work)
        {
            await using var scope = Scope(tenantId);
            var s = Stopwatch.StartNew();
            for (var i = 0; i < repeat; i++) await work(scope.ServiceProvider);
            return s.Elapsed.TotalMilliseconds / repeat;
        }
        Task<double> Keyset(AuditFilter f, long? beforeSeq) => App(qt, 10, sp => sp.GetRequiredService<AuditQueryService>().QueryKeysetAsync(f, beforeSeq, 50));
        Task<double> Offset(AuditFilter f, int skip) => App(qt, 10, sp => sp.GetRequiredService<AuditQueryService>().QueryAsync(f, skip, 50));

        // Sanity: results of the application agree with the hand-written SQL, and the rare word is found.
        await using (var scope = Scope(qt))
        {
            var q = scope.ServiceProvider.GetRequiredService<AuditQueryService>();
            var k = await q.QueryKeysetAsync(new AuditFilter(), before, 50);
            var o = await q.QueryAsync(new AuditFilter(), 49_950, 50);
            var t = await q.QueryKeysetAsync(new AuditFilter { Text = RareWord }, null, 50);
            if (k.Items[0].Sequence != o.Items[0].Sequence || k.Items.Count != 50 || t.Items.Count == 0)
                throw new InvalidOperationException($"Unexpected results: keyset {k.Items[0].Sequence}, offset {o.Items[0].Sequence}, text hits {t.Items.Count}.");
            var week = await q.QueryAsync(new AuditFilter { FromUtc = weekFrom, ToUtc = weekTo }, 0, 50);
            var weekShell = ShellSequences(dbFile, weekSortSql);
            if (!week.Items.Select(i => i.Sequence).SequenceEqual(weekShell))
                throw new InvalidOperationException("The one-week page differs from the plain time-range query.");
            Console.WriteLine($"Rare word \"{RareWord}\": {t.Items.Count} hits in tenant {qt}; page 1,000 starts at sequence {k.Items[0].Sequence}; one-week window: {week.TotalCount:N0} entries, first page equal to the plain query.");
        }

        // Warm-up (tiered JIT, EF query cache, page cache), as in a long-running server.
        for (var w = 0; w < 3; w++)
        {
            foreach (var c in cases) await Keyset(c.Filter, null);
            await Keyset(new AuditFilter(), before);
            await Offset(new AuditFilter(), 49_950);
            await Keyset(new AuditFilter { Text = RareWord }, null);
        }
        var results = new Dictionary<string, (List<double> App, List<double> AppCount, List<double> Sql)>();
        void Add(string name, double app, double appCount, double sql)
        {
            if (!results.TryGetValue(name, out var r)) results[name] = r = ([], [], []);
            r.App.Add(app);
            r.AppCount.Add(appCount);
            r.Sql.Add(sql);
        }
        for (var r = 0; r < rounds; r++)
        {
            foreach (var c in cases)
                Add(c.Name, await Keyset(c.Filter, null), await Offset(c.Filter, 0), SqliteShellTimer.PerStatementMs(dir, dbFile, c.Sql, 50));
            Add("page 1,000 keyset", await Keyset(new AuditFilter(), before), double.NaN, SqliteShellTimer.PerStatementMs(dir, dbFile, keysetSql, 50));
            Add("page 1,000 offset", await Offset(new AuditFilter(), 49_950), double.NaN, SqliteShellTimer.PerStatementMs(dir, dbFile, offsetSql, 20));
            Add("text, FTS", await Keyset(new AuditFilter { Text = RareWord }, null), await Offset(new AuditFilter { Text = RareWord }, 0), SqliteShellTimer.PerStatementMs(dir, dbFile, ftsSql, 50));
            Add("text, LIKE scan", double.NaN, double.NaN, SqliteShellTimer.PerStatementMs(dir, dbFile, likeSql, 5));
            Add("one week, time range + sort (previous shape, sqlite3 only)", double.NaN, double.NaN, SqliteShellTimer.PerStatementMs(dir, dbFile, weekSortSql, 10));
        }

        // CSV export (50,000 entries) and, to show memory stays flat, the 100,000-entry tenant.
        var exportRows = new List<(string Name, double App, double Sql, long PeakBytes)>();
        foreach (var (tenantId, size) in new[] { (et, ExportTenantSize), (qt, QueryTenantSize) })
        {
            var sql = exportSql.Replace($"= {et} ", $"= {tenantId} ", StringComparison.Ordinal);
            var app = new List<double>();
            var shell = new List<double>();
            long peak = 0;
            for (var r = 0; r < Math.Max(3, rounds / 2) + 1; r++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var baseline = GC.GetTotalMemory(true);
                using var cts = new CancellationTokenSource();
                long max = baseline;
                var sampler = Task.Run(async () =>
                {
                    while (!cts.IsCancellationRequested)
                    {
                        max = Math.Max(max, GC.GetTotalMemory(false));
                        await Task.Delay(1);
                    }
                });
                var ms = await App(tenantId, 1, async sp =>
                {
                    var export = await sp.GetRequiredService<AuditExportService>().PrepareAsync(new AuditFilter { OldestFirst = true }, AuditExportFormat.Csv);
                    await export.WriteAsync(Stream.Null);
                });
                await cts.CancelAsync();
                await sampler;
                var t = SqliteShellTimer.TimeProcess("sh", $"-c \"sqlite3 -csv -header {dbFile} < {SqliteShellTimer.WriteScript(dir, sql, 1)} > /dev/null\"") - SqliteShellTimer.TimeProcess("sh", $"-c \"sqlite3 -csv -header {dbFile} < {SqliteShellTimer.WriteScript(dir, sql, 0)} > /dev/null\"");
                if (r == 0) continue; // warm-up
                app.Add(ms);
                shell.Add(t);
                peak = Math.Max(peak, max - baseline);
            }
            exportRows.Add(($"CSV export, {size:N0} entries", Median(app), Median(shell), peak));
        }

        // Chain verification of the 100,000-entry tenant.
        var verify = new List<double>();
        ChainVerification? v = null;
        for (var r = 0; r < Math.Max(3, rounds / 2) + 1; r++)
        {
            await using var scope = Scope(qt);
            var s = Stopwatch.StartNew();
            v = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyTenantAsync(qt);
            s.Stop();
            if (r > 0) verify.Add(s.Elapsed.TotalMilliseconds);
        }
        if (v is not { Intact: true })
            throw new InvalidOperationException($"Chain not intact: {v?.Problem}");
        // Where verification time goes: reading the chain through EF (no tracking), and hashing it in memory.
        var readMs = new List<double>();
        var hashMs = new List<double>();
        for (var r = 0; r < Math.Max(3, rounds / 2) + 1; r++)
        {
            await using var scope = Scope(qt);
            var factory = scope.ServiceProvider.GetRequiredService<ConfigPortal.Domain.Data.IPortalDbFactory>();
            var s = Stopwatch.StartNew();
            var chain = new List<AuditEntry>(QueryTenantSize + 100);
            await using (var db = await factory.CreateAsync())
            {
                await foreach (var e in Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AsAsyncEnumerable(
                    Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AsNoTracking(db.AuditEntries).Where(e => e.TenantId == qt).OrderBy(e => e.Sequence)))
                    chain.Add(e);
            }
            var read = s.Elapsed.TotalMilliseconds;
            s.Restart();
            using (var session = scope.ServiceProvider.GetRequiredService<AuditHasher>().CreateSession())
            {
                foreach (var e in chain)
                    if (!session.Matches(e)) throw new InvalidOperationException($"Entry {e.Sequence} does not match.");
            }
            if (r == 0) continue;
            readMs.Add(read);
            hashMs.Add(s.Elapsed.TotalMilliseconds);
        }

        static string F(double x) => double.IsNaN(x) ? "—" : x.ToString(x < 10 ? "0.00" : "0", CultureInfo.InvariantCulture);
        var firstPage = Median(results["first page, action"].App);
        Console.WriteLine();
        Console.WriteLine("| case | ConfigPortal (ms) | ConfigPortal with total count (ms) | sqlite3 shell (ms) | ratio ours / sqlite3 | target | met |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|---|");
        foreach (var (name, (appL, countL, sqlL)) in results)
        {
            var a = Median(appL);
            var cnt = Median(countL);
            var s = Median(sqlL);
            var shown = double.IsNaN(a) ? cnt : a;
            var (target, met) = name switch
            {
                _ when name.StartsWith("first page", StringComparison.Ordinal) => ("≤ 5 ms", a <= 5 ? "yes" : "no"),
                "page 1,000 keyset" => (string.Create(CultureInfo.InvariantCulture, $"≤ 2× first page ({2 * firstPage:0.00} ms)"), a <= 2 * firstPage ? "yes" : "no"),
                "text, FTS" => (string.Create(CultureInfo.InvariantCulture, $"≤ 0.1× LIKE scan ({0.1 * Median(results["text, LIKE scan"].Sql):0.00} ms)"), a <= 0.1 * Median(results["text, LIKE scan"].Sql) ? "yes" : "no"),
                _ => ("—", "—"),
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {F(a)} | {F(cnt)} | {F(s)} | {(double.IsNaN(shown) ? "—" : (shown / s).ToString("0.0", CultureInfo.InvariantCulture) + "×")} | {target} | {met} |"));
        }
        foreach (var (name, a, s, peakBytes) in exportRows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} (peak managed +{peakBytes / 1048576.0:0.0} MB) | {F(a)} | — | {F(s)} | {a / s:0.0}× | ≤ 2×, memory flat | {(a <= 2 * s ? "yes" : "no")} |"));
        var vm = Median(verify);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| verify chain, {v.EntriesChecked:N0} entries | {F(vm)} | — | — | — | ≤ 1000 ms | {(vm <= 1000 ? "yes" : "no")} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| verify chain: read through EF only (no tracking, full entities) | {F(Median(readMs))} | — | — | — | — | — |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| verify chain: hashing only (in memory, one session) | {F(Median(hashMs))} | — | — | — | — | — |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Filters: action `{action}`, device {device}, actor `{actor}`, week {weekFrom:yyyy-MM-dd HH:mm}–{weekTo:yyyy-MM-dd HH:mm}. \"ConfigPortal\" is QueryKeysetAsync (first page, page 1,000 keyset, text), QueryAsync for the offset page; \"with total count\" is QueryAsync(skip 0), which also counts the matches."));

        host.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        return 0;
    }

    private sealed record Case(string Name, AuditFilter Filter, string Sql);

    /// <summary>The sequences a statement returns in the sqlite3 shell (first column), to compare results.</summary>
    private static List<long> ShellSequences(string dbFile, string sql)
    {
        var psi = new ProcessStartInfo("sqlite3", [dbFile, sql.Replace("SELECT " + Columns, "SELECT \"Sequence\"", StringComparison.Ordinal)]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var lines = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        p.WaitForExit();
        return lines.Select(l => long.Parse(l, CultureInfo.InvariantCulture)).ToList();
    }

    private static string CsvColumn(string camel) => "\"" + char.ToUpperInvariant(camel[0]) + camel[1..] + "\"";

    private static T Scalar<T>(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (T)cmd.ExecuteScalar()!;
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0 || values.Any(double.IsNaN)) return double.NaN;
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static readonly string[] Words =
    [
        "backup", "scheduled", "interface", "vlan", "changed", "snapshot", "running-config", "startup", "commit", "rollback",
        "policy", "acl", "bgp", "ospf", "ntp", "snmp", "syslog", "banner", "route", "neighbor", "timeout", "retry", "ok", "hash",
    ];
    private static readonly string[] RareWords = [RareWord, "quixotic", "xylophone"];
    private static readonly string[] BackupActions =
        [AuditActions.ConfigSnapshotCreated, AuditActions.ConfigSnapshotSkippedDuplicate, AuditActions.ConfigDiffGenerated, AuditActions.ConfigBackupFailed];

    /// <summary>Tenants and their entries by raw SQL in one transaction; the FTS insert trigger is dropped for the load and the index rebuilt.</summary>
    private static int[] BulkLoad(string dbFile, int entries, int tenantCount, AuditHasher hasher)
    {
        using var c = new SqliteConnection($"Data Source={dbFile}");
        c.Open();
        void Exec(string sql)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }
        var sw = Stopwatch.StartNew();
        var rng = new Random(42);
        var tenantIds = new int[tenantCount];
        var sizes = new int[tenantCount];
        sizes[0] = QueryTenantSize;
        sizes[1] = ExportTenantSize;
        for (var t = 2; t < tenantCount; t++) sizes[t] = (entries - QueryTenantSize - ExportTenantSize) / (tenantCount - 2);
        sizes[^1] += entries - sizes.Sum();

        Exec("DROP TRIGGER \"AuditEntriesFts_ai\";");
        using (var tx = c.BeginTransaction())
        {
            for (var t = 0; t < tenantCount; t++)
            {
                using var cmd = c.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO \"Tenants\" (\"Name\", \"Slug\", \"IsSuspended\", \"SecretMaskingEnabled\", \"CreatedAt\") VALUES ($n, $s, 0, 1, '2026-01-01 00:00:00'); SELECT last_insert_rowid();";
                cmd.Parameters.AddWithValue("$n", $"Audit Bench {t + 1}");
                cmd.Parameters.AddWithValue("$s", $"audit-bench-{t + 1}");
                tenantIds[t] = (int)(long)cmd.ExecuteScalar()!;
            }

            // Which tenant each entry (in time order) belongs to: exact counts, shuffled.
            var owner = new int[entries];
            for (int t = 0, i = 0; t < tenantCount; t++)
                for (var j = 0; j < sizes[t]; j++) owner[i++] = t;
            rng.Shuffle(owner);

            using var ins = c.CreateCommand();
            ins.Transaction = tx;
            ins.CommandText = "INSERT INTO \"AuditEntries\" (\"TenantId\", " + Columns + ") VALUES ($tenant, $seq, $ts, $kind, $actorId, $actor, $action, $rtype, $rid, $dev, $devName, $ip, $ua, $corr, $outcome, $details, $prev, $hash);";
            var p = new Dictionary<string, SqliteParameter>();
            foreach (var name in new[] { "tenant", "seq", "ts", "kind", "actorId", "actor", "action", "rtype", "rid", "dev", "devName", "ip", "ua", "corr", "outcome", "details", "prev", "hash" })
                p[name] = ins.Parameters.Add("$" + name, SqliteType.Text);
            ins.Prepare();

            var seq = new long[tenantCount];
            var prev = Enumerable.Repeat(AuditHasher.GenesisHash, tenantCount).ToArray();
            var start = new DateTime(2026, 8, 30, 0, 0, 0, DateTimeKind.Utc);
            var spanMs = TimeSpan.FromDays(90).TotalMilliseconds;
            var all = AuditActions.All;
            var details = new StringBuilder(256);
            for (var i = 0; i < entries; i++)
            {
                var t = owner[i];
                var ts = start.AddMilliseconds(Math.Floor(spanMs * i / entries));
                var backup = rng.NextDouble() < 0.6;
                var hasDevice = rng.NextDouble() < 0.05;
                var deviceId = hasDevice ? 1000 * (t + 1) + rng.Next(200) : (int?)null;
                var user = rng.Next(25);
                var e = new AuditEntry
                {
                    TenantId = tenantIds[t],
                    Sequence = ++seq[t],
                    TimestampUtc = ts,
                    ActorKind = backup ? ActorKind.System : ActorKind.User,
                    ActorId = backup ? null : $"u-{tenantIds[t]}-{user:00}",
                    ActorName = backup ? "system" : $"user{user:00}@tenant{tenantIds[t]}.example.net",
                    Action = backup ? BackupActions[rng.Next(BackupActions.Length)] : all[rng.Next(all.Count)],
                    ResourceType = hasDevice ? "device" : backup ? "snapshot" : "user",
                    ResourceId = hasDevice ? deviceId!.Value.ToString(CultureInfo.InvariantCulture) : rng.Next(1, 100_000).ToString(CultureInfo.InvariantCulture),
                    DeviceId = deviceId,
                    DeviceName = hasDevice ? $"core-sw{deviceId % 1000:000}" : null,
                    ClientIp = backup ? null : $"10.{t}.{user}.{rng.Next(1, 255)}",
                    UserAgent = backup ? null : "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
                    CorrelationId = Guid.NewGuid().ToString("N"),
                    Outcome = rng.NextDouble() < 0.03 ? AuditOutcome.Failure : AuditOutcome.Success,
                    DetailsJson = "",
                    PreviousHash = prev[t],
                    Hash = "",
                };
                details.Clear();
                details.Append(CultureInfo.InvariantCulture, $"{{\"snapshotId\":{rng.Next(1, 1_000_000)},\"hostname\":\"core-sw{rng.Next(1000):000}\",\"note\":\"");
                while (details.Length < 140)
                {
                    details.Append(rng.Next(25_000) == 0 ? RareWords[rng.Next(RareWords.Length)] : Words[rng.Next(Words.Length)]).Append(' ');
                }
                details.Length--;
                details.Append("\"}");
                e.DetailsJson = details.ToString();
                e.Hash = hasher.ComputeHash(e);
                prev[t] = e.Hash;

                p["tenant"].Value = e.TenantId;
                p["seq"].Value = e.Sequence;
                p["ts"].Value = e.TimestampUtc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
                p["kind"].Value = (int)e.ActorKind;
                p["actorId"].Value = (object?)e.ActorId ?? DBNull.Value;
                p["actor"].Value = e.ActorName;
                p["action"].Value = e.Action;
                p["rtype"].Value = (object?)e.ResourceType ?? DBNull.Value;
                p["rid"].Value = (object?)e.ResourceId ?? DBNull.Value;
                p["dev"].Value = (object?)e.DeviceId ?? DBNull.Value;
                p["devName"].Value = (object?)e.DeviceName ?? DBNull.Value;
                p["ip"].Value = (object?)e.ClientIp ?? DBNull.Value;
                p["ua"].Value = (object?)e.UserAgent ?? DBNull.Value;
                p["corr"].Value = (object?)e.CorrelationId ?? DBNull.Value;
                p["outcome"].Value = (int)e.Outcome;
                p["details"].Value = e.DetailsJson;
                p["prev"].Value = e.PreviousHash;
                p["hash"].Value = e.Hash;
                ins.ExecuteNonQuery();
            }
            for (var t = 0; t < tenantCount; t++)
            {
                using var head = c.CreateCommand();
                head.Transaction = tx;
                head.CommandText = "INSERT INTO \"AuditChainHeads\" (\"TenantId\", \"LastSequence\", \"LastHash\", \"UpdatedAtUtc\") VALUES ($t, $s, $h, $u);";
                head.Parameters.AddWithValue("$t", tenantIds[t]);
                head.Parameters.AddWithValue("$s", seq[t]);
                head.Parameters.AddWithValue("$h", prev[t]);
                head.Parameters.AddWithValue("$u", "2026-11-28 00:00:00");
                head.ExecuteNonQuery();
            }
            tx.Commit();
        }
        var inserted = sw.Elapsed.TotalSeconds;
        Exec("INSERT INTO \"AuditEntriesFts\"(\"AuditEntriesFts\") VALUES ('rebuild');");
        Exec("""
            CREATE TRIGGER "AuditEntriesFts_ai" AFTER INSERT ON "AuditEntries" BEGIN
                INSERT INTO "AuditEntriesFts"(rowid, "DetailsJson", "ActorName", "DeviceName", "ResourceId", "Action")
                VALUES (new."Id", new."DetailsJson", new."ActorName", new."DeviceName", new."ResourceId", new."Action");
            END;
            """);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Bulk load: {entries:N0} rows inserted in {inserted:0.0} s, FTS rebuilt in {sw.Elapsed.TotalSeconds - inserted:0.0} s."));
        return tenantIds;
    }
}
