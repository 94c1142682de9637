using System.Diagnostics;
using System.Globalization;
using System.Text;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Browsing;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Benchmarks;

/// <summary>
/// Config search over the latest configs of a fleet: ConfigSearchService (through DI, on the SQLite file, as a caller
/// of the tenant) next to GNU grep over the same configs written as one file per device, and the sqlite3 shell counting
/// matching rows of the plain-text table, interleaved, medians + ratio.
/// `dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- search [devices=5000] [kb=50] [rounds=7]`
/// Configs are IOS-style, generated per device (hostname, interfaces, addresses, ACLs, BGP neighbors); 1% of devices
/// carry the literal searched for, 2% an address the regex matches. Each device has one snapshot (content encoded by
/// ContentCodec, as the pipeline stores it) and its plain-text latest row.
/// </summary>
public static class SearchBenchmark
{
    private const string Literal = "cust-7731";
    private const string ServiceRegex = @"^\s*ip address 10\.4[0-9]\.\d+\.1 255\.255\.255\.252$";
    private const string GrepRegex = @"^\s*ip address 10\.4[0-9]\.[0-9]+\.1 255\.255\.255\.252$";

    public static async Task<int> RunAsync(string[] args)
    {
        var devices = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5000;
        var kb = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;
        var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 7;

        await using var bench = await BenchHost.CreateAsync(new Dictionary<string, string?> { ["ConfigSearch:Deadline"] = "00:01:00" });
        var files = Path.Combine(bench.Directory, "configs");
        Directory.CreateDirectory(files);
        var sw = Stopwatch.StartNew();
        var bytes = await LoadAsync(bench, devices, kb * 1024, files);
        Console.WriteLine($"Loaded {devices} devices, {bytes / 1048576.0:0.0} MB of config text, in {sw.Elapsed.TotalSeconds:0.0} s");
        var dbFile = Path.Combine(bench.Directory, "data", "configportal.db");
        Console.WriteLine($"Database file: {new FileInfo(dbFile).Length / 1048576.0:0} MB (+ WAL); CPU cores: {Environment.ProcessorCount}");

        // Warm-up (JIT, page cache) and a check that all three agree on the counts.
        var lit = await SearchAsync(bench, new ConfigSearchRequest(Literal));
        var rx = await SearchAsync(bench, new ConfigSearchRequest(ServiceRegex, IsRegex: true, MatchCase: true));
        var grepLit = Run("grep", "-r", "-i", "-F", "-c", Literal, files);
        var grepRx = Run("grep", "-r", "-E", "-c", GrepRegex, files);
        var sqlLit = Run("sqlite3", dbFile, $"SELECT count(*) FROM DeviceLatestConfigs WHERE instr(lower(Text), '{Literal}') > 0;");
        Console.WriteLine($"literal: service {lit.Results.Count} devices / {lit.MatchingLines} lines (searched {lit.Searched}/{lit.Total}, partial={lit.IsPartial}); "
            + $"grep {CountFiles(grepLit.Output)} files / {SumCounts(grepLit.Output)} lines; sqlite3 {sqlLit.Output.Trim()} rows");
        Console.WriteLine($"regex:   service {rx.Results.Count} devices / {rx.MatchingLines} lines (searched {rx.Searched}/{rx.Total}, partial={rx.IsPartial}); "
            + $"grep {CountFiles(grepRx.Output)} files / {SumCounts(grepRx.Output)} lines");

        var times = new Dictionary<string, List<double>>();
        void Add(string k, double ms) { if (!times.TryGetValue(k, out var l)) times[k] = l = []; l.Add(ms); }
        for (var r = 0; r < rounds; r++)
        {
            Add("service literal", (await TimeAsync(() => SearchAsync(bench, new ConfigSearchRequest(Literal)))));
            Add("grep -r -i -F -c literal", Run("grep", "-r", "-i", "-F", "-c", Literal, files).Ms);
            Add("sqlite3 instr(lower(Text)) literal", Run("sqlite3", dbFile, $"SELECT count(*) FROM DeviceLatestConfigs WHERE instr(lower(Text), '{Literal}') > 0;").Ms);
            Add("service regex", (await TimeAsync(() => SearchAsync(bench, new ConfigSearchRequest(ServiceRegex, IsRegex: true, MatchCase: true)))));
            Add("grep -r -E -c regex", Run("grep", "-r", "-E", "-c", GrepRegex, files).Ms);
        }

        Console.WriteLine();
        Console.WriteLine($"| Query ({devices} devices × {kb} KB, {rounds} rounds, interleaved) | median ms | min ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (k, l) in times)
            Console.WriteLine($"| {k} | {Median(l):0} | {l.Min():0} | {l.Max():0} |");
        Console.WriteLine();
        Console.WriteLine($"literal: service / grep = {Median(times["service literal"]) / Median(times["grep -r -i -F -c literal"]):0.00}×, "
            + $"service / sqlite3 = {Median(times["service literal"]) / Median(times["sqlite3 instr(lower(Text)) literal"]):0.00}×");
        Console.WriteLine($"regex:   service / grep = {Median(times["service regex"]) / Median(times["grep -r -E -c regex"]):0.00}×");
        Console.WriteLine($"target ≤ 2000 ms: literal {(Median(times["service literal"]) <= 2000 ? "met" : "NOT met")}, regex {(Median(times["service regex"]) <= 2000 ? "met" : "NOT met")}");
        return 0;
    }

    private static double Median(List<double> l)
    {
        var s = l.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static async Task<double> TimeAsync(Func<Task<ConfigSearchResult>> f)
    {
        var sw = Stopwatch.StartNew();
        var r = await f();
        if (r.IsPartial) Console.WriteLine($"  (partial result: limit={r.LimitReached} deadline={r.DeadlineReached} timeouts={r.TimedOut})");
        return sw.Elapsed.TotalMilliseconds;
    }

    private static async Task<ConfigSearchResult> SearchAsync(BenchHost bench, ConfigSearchRequest request)
    {
        await using var scope = bench.SystemScope();
        return await scope.ServiceProvider.GetRequiredService<ConfigSearchService>().SearchAsync(request);
    }

    private static (string Output, double Ms) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (output, sw.Elapsed.TotalMilliseconds);
    }

    private static int CountFiles(string grepC) => grepC.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => !l.EndsWith(":0", StringComparison.Ordinal));

    private static long SumCounts(string grepC) => grepC.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Sum(l => long.Parse(l[(l.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));

    private static async Task<long> LoadAsync(BenchHost bench, int devices, int size, string files)
    {
        long total = 0;
        const int batch = 250;
        for (var start = 0; start < devices; start += batch)
        {
            await using var scope = bench.SystemScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var now = DateTime.UtcNow;
            var list = Enumerable.Range(start, Math.Min(batch, devices - start)).Select(i => new Device
            {
                TenantId = bench.TenantId, Name = $"bench-sw{i:00000}", Address = $"10.{i / 250 % 250}.{i % 250}.1", Vendor = "cisco_ios",
                Driver = DeviceDriver.Simulator, SimulatorBehavior = SimulatorBehavior.Static, Group = $"site-{i % 50:00}", CreatedAtUtc = now, UpdatedAtUtc = now,
            }).ToList();
            db.Devices.AddRange(list);
            await db.SaveChangesAsync();
            var texts = list.Select((d, k) => Generate(start + k, size)).ToList();
            var snaps = list.Select((d, k) => new Snapshot
            {
                TenantId = bench.TenantId, DeviceId = d.Id, FirstSeenAtUtc = now, LastSeenAtUtc = now, CompareHash = new string('0', 64),
                SizeBytes = Encoding.UTF8.GetByteCount(texts[k]), LineCount = texts[k].Count(c => c == '\n'), Trigger = "schedule", TriggeredBy = "system",
            }).ToList();
            db.Snapshots.AddRange(snaps);
            await db.SaveChangesAsync();
            for (var k = 0; k < list.Count; k++)
            {
                var (encoding, data) = ContentCodec.Encode(texts[k]);
                db.SnapshotContents.Add(new SnapshotContent { SnapshotId = snaps[k].Id, TenantId = bench.TenantId, Encoding = encoding, Data = data });
                db.DeviceLatestConfigs.Add(new DeviceLatestConfig { DeviceId = list[k].Id, TenantId = bench.TenantId, SnapshotId = snaps[k].Id, Text = texts[k] });
                list[k].LatestSnapshotId = snaps[k].Id;
                list[k].SnapshotCount = 1;
                await File.WriteAllTextAsync(Path.Combine(files, list[k].Name + ".cfg"), texts[k]);
                total += texts[k].Length;
            }
            await db.SaveChangesAsync();
        }
        return total;
    }

    /// <summary>An IOS-style config of about <paramref name="size"/> characters, different per device.</summary>
    public static string Generate(int device, int size)
    {
        var sb = new StringBuilder(size + 512);
        var rnd = new Random(device);
        sb.Append("! Last configuration change at 10:00:00 UTC Mon Nov 2 2026\nversion 15.2\nservice timestamps debug datetime msec\n");
        sb.Append(CultureInfo.InvariantCulture, $"hostname bench-sw{device:00000}\n!\nenable secret 9 <removed>\n!\n");
        var n = 0;
        while (sb.Length < size - 400)
        {
            n++;
            var kind = n % 4;
            if (kind == 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"ip access-list extended ACL-{n}\n");
                for (var j = 0; j < 4; j++)
                    sb.Append(CultureInfo.InvariantCulture, $" {(j + 1) * 10} permit tcp 10.{rnd.Next(256)}.{rnd.Next(256)}.0 0.0.0.255 any eq {rnd.Next(1, 65535)}\n");
                sb.Append("!\n");
                continue;
            }
            sb.Append(CultureInfo.InvariantCulture, $"interface GigabitEthernet{n / 48}/{n % 48}\n");
            // 1% of devices: a customer circuit with the literal; 2%: an address the regex matches.
            var description = device % 100 == 7 && n == 5 ? "CUST-7731 leased line" : $"link to sw{rnd.Next(10000):0000} port {rnd.Next(48)}";
            sb.Append(CultureInfo.InvariantCulture, $" description {description}\n");
            var second = device % 50 == 3 && n == 6 ? 40 + rnd.Next(10) : 50 + rnd.Next(200);
            sb.Append(CultureInfo.InvariantCulture, $" ip address 10.{second}.{rnd.Next(256)}.1 255.255.255.252\n");
            sb.Append(" no shutdown\n switchport mode trunk\n spanning-tree portfast\n!\n");
        }
        sb.Append("router bgp 65000\n");
        for (var j = 0; j < 4; j++) sb.Append(CultureInfo.InvariantCulture, $" neighbor 192.0.2.{j + 1} remote-as {65001 + j}\n");
        sb.Append("!\nline vty 0 4\n transport input ssh\n!\nend\n");
        return sb.ToString();
    }
}
