using System.Diagnostics;
using System.Globalization;
using ConfigPortal.Domain.Snapshots;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Benchmarks;

/// <summary>
/// A device's history with many snapshots: the first page the device page shows (SnapshotService.ListAsync, the call
/// DeviceDetail's timeline makes, 20 rows) and a deep page (the last one), through the application's query path on
/// SQLite as a signed-in tenant member (permission check included), interleaved with the equivalent hand-written SQL in the `sqlite3` shell on the same file.
/// `dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- history [snapshots=10000] [rounds=9]`
/// The device gets `snapshots` rows and the tenant's other devices 3× as many between them (interleaved ids, as a
/// fleet's backups arrive), inserted with raw SQL in one transaction on the schema the migrations built.
/// sqlite3 is timed as a process running the statements K times minus the same process running them 0 times, over K.
/// </summary>
public static class HistoryBenchmark
{
    private const int PageSize = 20;
    private const string Columns = "\"Id\", \"DeviceId\", \"FirstSeenAtUtc\", \"LastSeenAtUtc\", \"SeenCount\", \"SizeBytes\", \"LineCount\", \"AddedLines\", \"RemovedLines\", \"PreviousSnapshotId\", \"Trigger\", \"TriggeredBy\", \"CompareHash\"";

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 9;
        await using var bench = await BenchHost.CreateAsync(new Dictionary<string, string?>());
        var dbFile = Path.Combine(bench.Directory, "data", "configportal.db");
        var tenant = bench.TenantId;

        int deviceId;
        List<int> others;
        using (var c = new SqliteConnection($"Data Source={dbFile}"))
        {
            c.Open();
            var devices = new List<int>();
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = $"SELECT \"Id\" FROM \"Devices\" WHERE \"TenantId\" = {tenant} ORDER BY \"Id\"";
                using var r = cmd.ExecuteReader();
                while (r.Read()) devices.Add(r.GetInt32(0));
            }
            deviceId = devices[0];
            others = devices.Skip(1).ToList();
            if (others.Count == 0) others = [deviceId];
            var sw = Stopwatch.StartNew();
            using var tx = c.BeginTransaction();
            using var insert = c.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO \"Snapshots\" (\"TenantId\", \"DeviceId\", \"CreatedByRunId\", \"PreviousSnapshotId\", \"FirstSeenAtUtc\", \"LastSeenAtUtc\", \"SeenCount\", \"CompareHash\", \"SizeBytes\", \"LineCount\", \"AddedLines\", \"RemovedLines\", \"Trigger\", \"TriggeredBy\") " +
                "VALUES ($t, $d, 0, NULL, $f, $l, 1, $h, 51234, 1830, 3, 2, 'schedule', 'system')";
            var pt = insert.Parameters.Add("$t", SqliteType.Integer);
            var pd = insert.Parameters.Add("$d", SqliteType.Integer);
            var pf = insert.Parameters.Add("$f", SqliteType.Text);
            var pl = insert.Parameters.Add("$l", SqliteType.Text);
            var ph = insert.Parameters.Add("$h", SqliteType.Text);
            pt.Value = tenant;
            var t0 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            var n = 0;
            for (var i = 0; i < count; i++)
            {
                for (var k = 0; k < 4; k++)
                {
                    pd.Value = k == 0 ? deviceId : others[(i * 3 + k) % others.Count];
                    var at = t0.AddMinutes(n++ * 10);
                    pf.Value = at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                    pl.Value = at.AddHours(6).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                    ph.Value = n.ToString("x64", CultureInfo.InvariantCulture);
                    insert.ExecuteNonQuery();
                }
            }
            using (var upd = c.CreateCommand())
            {
                upd.Transaction = tx;
                upd.CommandText = $"UPDATE \"Devices\" SET \"SnapshotCount\" = (SELECT count(*) FROM \"Snapshots\" s WHERE s.\"DeviceId\" = \"Devices\".\"Id\"), \"LatestSnapshotId\" = (SELECT max(\"Id\") FROM \"Snapshots\" s WHERE s.\"DeviceId\" = \"Devices\".\"Id\") WHERE \"TenantId\" = {tenant}";
                upd.ExecuteNonQuery();
            }
            tx.Commit();
            using (var an = c.CreateCommand()) { an.CommandText = "ANALYZE"; an.ExecuteNonQuery(); }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"History benchmark: device {deviceId} with {count:N0} snapshots, {3 * count:N0} more on {others.Count} other devices, loaded in {sw.Elapsed.TotalSeconds:0.0} s; {rounds} interleaved rounds, medians. {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}"));
        }

        var deepSkip = (count - 1) / PageSize * PageSize;
        string Sql(int skip) =>
            $"SELECT \"SnapshotCount\" FROM \"Devices\" WHERE \"TenantId\" = {tenant} AND \"Id\" = {deviceId} LIMIT 1; " +
            $"SELECT {Columns} FROM \"Snapshots\" WHERE \"TenantId\" = {tenant} AND \"DeviceId\" = {deviceId} ORDER BY \"Id\" DESC LIMIT {PageSize} OFFSET {skip};";
        using (var c = new SqliteConnection($"Data Source={dbFile}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"EXPLAIN QUERY PLAN SELECT {Columns} FROM \"Snapshots\" WHERE \"TenantId\" = {tenant} AND \"DeviceId\" = {deviceId} ORDER BY \"Id\" DESC LIMIT {PageSize} OFFSET {deepSkip}";
            using var r = cmd.ExecuteReader();
            while (r.Read()) Console.WriteLine("Query plan: " + r.GetString(3));
        }

        // As the device page calls it: a signed-in member of the tenant (the permission check reads the membership).
        string userId;
        using (var c = new SqliteConnection($"Data Source={dbFile}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT \"UserId\" FROM \"TenantMemberships\" WHERE \"TenantId\" = {tenant} AND \"Role\" = (SELECT min(\"Role\") FROM \"TenantMemberships\" WHERE \"TenantId\" = {tenant}) LIMIT 1";
            userId = (string)cmd.ExecuteScalar()!;
        }
        async Task<(double Ms, PagedCheck Check)> App(int skip)
        {
            await using var scope = bench.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ConfigPortal.Domain.Tenancy.ITenantContext>().SetTenant(tenant);
            scope.ServiceProvider.GetRequiredService<ConfigPortal.Domain.Tenancy.CurrentActor>().SetUser(userId, "bench-user", null, null);
            var service = scope.ServiceProvider.GetRequiredService<SnapshotService>();
            var sw = Stopwatch.StartNew();
            var page = await service.ListAsync(deviceId, skip, PageSize);
            var ms = sw.Elapsed.TotalMilliseconds;
            return (ms, new PagedCheck(page.Items.Count, page.TotalCount, page.Items.Count > 0 ? page.Items[0].Id : 0));
        }

        var first = await App(0);
        var deep = await App(deepSkip);
        if (first.Check.Rows != PageSize || first.Check.Total != count || deep.Check.Rows == 0)
            throw new InvalidOperationException($"Unexpected pages: {first.Check} / {deep.Check}");
        Console.WriteLine($"First page starts at snapshot {first.Check.FirstId}; deep page (skip {deepSkip:N0}) has {deep.Check.Rows} rows from snapshot {deep.Check.FirstId}.");
        for (var w = 0; w < 5; w++) { await App(0); await App(deepSkip); } // warm-up: JIT, EF query cache, page cache

        var cases = new[] { ("first page (20 rows)", 0), ($"deep page (skip {deepSkip:N0})", deepSkip) };
        var results = cases.ToDictionary(c => c.Item1, _ => (App: new List<double>(), Sql: new List<double>()));
        for (var r = 0; r < rounds; r++)
        {
            foreach (var (name, skip) in cases)
            {
                results[name].App.Add((await App(skip)).Ms);
                results[name].Sql.Add(SqliteShellTimer.PerStatementMs(bench.Directory, dbFile, Sql(skip), 50));
            }
        }
        Console.WriteLine();
        Console.WriteLine("| case | ConfigPortal SnapshotService.ListAsync (ms) | sqlite3 shell, same statements (ms) | ratio | target ≤ 100 ms |");
        Console.WriteLine("|---|---:|---:|---:|---|");
        foreach (var (name, _) in cases)
        {
            var a = Median(results[name].App);
            var s = Median(results[name].Sql);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {a:0.00} | {s:0.000} | {a / s:0.0}× | {(a <= 100 ? "met" : "NOT met")} |"));
        }
        return 0;
    }

    private sealed record PagedCheck(int Rows, int Total, long FirstId);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
