using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Diffing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Benchmarks;

/// <summary>
/// Snapshot storage over a year of daily backups of one ~50 KB IOS config with a few changes a week.
/// `dotnet run -c Release --project tests/ConfigPortal.Benchmarks -- storage [days=365] [rounds=7]`
/// Every distinct version is stored with the application's own code (SnapshotContentStore.AddAsync on the real SQLite
/// schema, loading the previous version the way the backup pipeline does); days without a change are deduplicated by
/// the pipeline (skipped_duplicate) and store nothing. Compared in the same run with compressing each version alone
/// (deflate as before, gzip -9, zstd) and with a git repository (one commit per changed day, `git gc --aggressive`,
/// `du -sb .git/objects/pack`). Decode time: every version read back through SnapshotContentStore.LoadTextAsync (one or
/// two rows from SQLite + zstd), `rounds` times in shuffled order; worst case and median of the per-version medians.
/// </summary>
public static class StorageBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 365;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7;
        var (versions, perDay) = Generate(days, seed: 2026);
        long Utf8(string s) => Encoding.UTF8.GetByteCount(s);
        var rawDays = perDay.Sum(v => Utf8(versions[v]));
        var rawVersions = versions.Sum(Utf8);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Storage benchmark: {days} daily backups, {versions.Count} distinct versions (first {Utf8(versions[0]):N0} B, last {Utf8(versions[^1]):N0} B), {rounds} decode rounds. {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Raw bytes: all daily backups {rawDays:N0} B; distinct versions only {rawVersions:N0} B."));

        await using var bench = await BenchHost.CreateAsync(new Dictionary<string, string?>());
        var ids = new List<long>();
        var encodeMs = new List<double>();
        long contentBytes = 0, diffBytes = 0;
        var keyframes = 0;
        await using (var scope = bench.SystemScope())
        {
            var factory = scope.ServiceProvider.GetRequiredService<IPortalDbFactory>();
            int deviceId;
            await using (var db = await factory.CreateAsync())
                deviceId = await db.Devices.OrderBy(d => d.Id).Select(d => d.Id).FirstAsync();
            StoredSnapshotText? previous = null;
            var start = new DateTime(2026, 1, 1, 2, 0, 0, DateTimeKind.Utc);
            for (var v = 0; v < versions.Count; v++)
            {
                await using var db = await factory.CreateAsync();
                var text = versions[v];
                var snap = new Snapshot
                {
                    TenantId = bench.TenantId, DeviceId = deviceId, CreatedByRunId = 0, PreviousSnapshotId = previous?.SnapshotId,
                    FirstSeenAtUtc = start.AddDays(v), LastSeenAtUtc = start.AddDays(v), CompareHash = v.ToString("x64", CultureInfo.InvariantCulture),
                    SizeBytes = (int)Utf8(text), LineCount = LineDiffer.SplitLines(text).Length, Trigger = "schedule",
                };
                db.Snapshots.Add(snap);
                await db.SaveChangesAsync();
                var sw = Stopwatch.StartNew();
                var row = await SnapshotContentStore.AddAsync(db, snap.Id, bench.TenantId, text, previous);
                await db.SaveChangesAsync();
                encodeMs.Add(sw.Elapsed.TotalMilliseconds);
                if (row.Encoding != ContentEncoding.ZstdDelta) keyframes++;
                if (previous is not null)
                    diffBytes += Utf8(UnifiedDiff.Write(LineDiffer.Diff(previous.Text, text), "a/core-sw", "b/core-sw"));
                ids.Add(snap.Id);
                previous = await SnapshotContentStore.LoadAsync(db, snap.Id); // what the pipeline reads as "latest" next time
                if (previous.Text != text) throw new InvalidOperationException($"Version {v} does not round-trip.");
            }
            await using (var db = await factory.CreateAsync())
                contentBytes = await db.SnapshotContents.Where(c => ids.Contains(c.SnapshotId)).SumAsync(c => (long)c.Data.Length);

            // Decode every version, shuffled, several rounds (after one warm-up round).
            var perVersion = ids.ToDictionary(id => id, _ => new List<double>());
            var codecOnly = new List<double>();
            var rows = new Dictionary<long, SnapshotContent>();
            await using (var db = await factory.CreateAsync())
                foreach (var c in await db.SnapshotContents.AsNoTracking().Where(c => ids.Contains(c.SnapshotId)).ToListAsync()) rows[c.SnapshotId] = c;
            var rng = new Random(1);
            for (var r = 0; r <= rounds; r++)
            {
                foreach (var id in ids.OrderBy(_ => rng.Next()).ToList())
                {
                    await using var db = await factory.CreateAsync();
                    var sw = Stopwatch.StartNew();
                    var text = await SnapshotContentStore.LoadTextAsync(db, id);
                    var ms = sw.Elapsed.TotalMilliseconds;
                    GC.KeepAlive(text);
                    if (r == 0) continue;
                    perVersion[id].Add(ms);
                    var row = rows[id];
                    sw.Restart();
                    if (row.BaseSnapshotId is { } b)
                        GC.KeepAlive(ContentCodec.Decode(row.Encoding, row.Data, ContentCodec.Decode(rows[b].Encoding, rows[b].Data)));
                    else
                        GC.KeepAlive(ContentCodec.Decode(row.Encoding, row.Data));
                    codecOnly.Add(sw.Elapsed.TotalMilliseconds);
                }
            }
            var medians = perVersion.Values.Select(Median).ToList();
            var worst = medians.Max();
            var median = Median(medians);
            var worstSingle = perVersion.Values.SelectMany(x => x).Max();

            // References, same versions, same run.
            long deflate = 0, gzip = 0, zstdAlone = 0;
            foreach (var text in versions)
            {
                var raw = Encoding.UTF8.GetBytes(text);
                deflate += Compress(raw, s => new DeflateStream(s, CompressionLevel.Optimal, leaveOpen: true));
                gzip += Compress(raw, s => new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true));
                zstdAlone += ContentCodec.Encode(text).Data.Length;
            }
            var (gitPack, gitSeconds) = Git(versions);

            string R(long bytes, long raw) => (bytes / (double)raw).ToString("0.0000", CultureInfo.InvariantCulture) + "×";
            Console.WriteLine();
            Console.WriteLine("| storage | bytes | ÷ raw bytes of all 365 daily backups | ÷ raw bytes of the distinct versions |");
            Console.WriteLine("|---|---:|---:|---:|");
            void Row(string name, long bytes) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {bytes:N0} | {R(bytes, rawDays)} | {R(bytes, rawVersions)} |"));
            Row($"**ConfigPortal: zstd keyframes + deltas** ({keyframes} keyframes, {versions.Count - keyframes} deltas)", contentBytes);
            Row("ConfigPortal content + the stored unified diffs (SnapshotDiffs)", contentBytes + diffBytes);
            Row("each version alone: deflate (the codec before)", deflate);
            Row("each version alone: gzip -9", gzip);
            Row($"each version alone: zstd level {ContentCodec.Level}", zstdAlone);
            Row($"git: one commit per changed day, gc --aggressive, du -sb .git/objects/pack ({gitSeconds:0.0} s)", gitPack);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Decode through SnapshotContentStore.LoadTextAsync (SQLite + zstd), per-version medians of {rounds} rounds: worst {worst:0.00} ms, median {median:0.00} ms; slowest single read {worstSingle:0.00} ms; codec alone (keyframe + delta): median {Median(codecOnly):0.00} ms, max {codecOnly.Max():0.00} ms."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Store (encode + insert) per version: median {Median(encodeMs):0.00} ms, max {encodeMs.Max():0.00} ms."));
        }
        return 0;
    }

    private static long Compress(byte[] raw, Func<Stream, Stream> make)
    {
        using var ms = new MemoryStream();
        using (var z = make(ms)) z.Write(raw);
        return ms.Length;
    }

    private static (long Bytes, double Seconds) Git(List<string> versions)
    {
        var dir = Directory.CreateTempSubdirectory("cp-storagebench-git-").FullName;
        var sw = Stopwatch.StartNew();
        Run(dir, "git", "init -q");
        var file = Path.Combine(dir, "core-sw.cfg");
        for (var v = 0; v < versions.Count; v++)
        {
            File.WriteAllText(file, versions[v]);
            Run(dir, "git", "add core-sw.cfg");
            Run(dir, "git", $"-c user.name=bench -c user.email=bench@example.invalid commit -q -m v{v}");
        }
        Run(dir, "git", "gc --aggressive --prune=now -q");
        var du = Run(dir, "du", "-sb .git/objects/pack");
        var bytes = long.Parse(du.Split('\t')[0], CultureInfo.InvariantCulture);
        var seconds = sw.Elapsed.TotalSeconds;
        Directory.Delete(dir, recursive: true);
        return (bytes, seconds);
    }

    private static string Run(string dir, string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments}: {err}");
        return output;
    }

    /// <summary>
    /// A year of daily backups: a ~50 KB IOS config; on about 3 days a week (random) 1–4 edits (a description, a vlan,
    /// shutdown, an interface added or removed) and the "Last configuration change" header moves; other days are
    /// identical to the day before (the pipeline stores nothing for them). Returns the distinct versions and, per day,
    /// the index of the version that day's backup saw.
    /// </summary>
    public static (List<string> Versions, List<int> PerDay) Generate(int days, int seed)
    {
        var rng = new Random(seed);
        var body = Body(rng, 50 * 1024);
        int endAt;
        var nextIface = 400;
        var versions = new List<string>();
        var perDay = new List<int>();
        var start = new DateTime(2026, 1, 1, 9, 0, 0, DateTimeKind.Utc);
        string Render(DateTime changed) =>
            string.Create(CultureInfo.InvariantCulture, $"Building configuration...\n\nCurrent configuration : 51234 bytes\n!\n! Last configuration change at {changed:HH:mm:ss} UTC {changed:ddd MMM d yyyy} by netops\n!\n")
            + string.Join('\n', body) + "\n";
        versions.Add(Render(start));
        perDay.Add(0);
        for (var d = 1; d < days; d++)
        {
            if (rng.NextDouble() < 3.0 / 7)
            {
                var edits = rng.Next(1, 5);
                for (var e = 0; e < edits; e++)
                {
                    var ifaces = Enumerable.Range(0, body.Count).Where(i => body[i].StartsWith("interface ", StringComparison.Ordinal)).ToList();
                    var at = ifaces[rng.Next(ifaces.Count)];
                    switch (rng.Next(5))
                    {
                        case 0: body[at + 1] = string.Create(CultureInfo.InvariantCulture, $" description changed {d}-{e} ticket CHG{rng.Next(100000)}"); break;
                        case 1:
                            if (body[at + 2].StartsWith(" switchport access vlan", StringComparison.Ordinal))
                                body[at + 2] = string.Create(CultureInfo.InvariantCulture, $" switchport access vlan {rng.Next(1, 4000)}");
                            else
                                body.Insert(at + 2, string.Create(CultureInfo.InvariantCulture, $" ip helper-address 10.{rng.Next(256)}.0.{rng.Next(1, 255)}"));
                            break;
                        case 2:
                            var shut = body.FindIndex(at, l => l is " shutdown" or " no shutdown");
                            body[shut] = body[shut] == " no shutdown" ? " shutdown" : " no shutdown";
                            break;
                        case 3:
                            endAt = body.FindIndex(l => l.StartsWith("ip access-list", StringComparison.Ordinal));
                            nextIface++;
                            body.InsertRange(endAt, [
                                string.Create(CultureInfo.InvariantCulture, $"interface GigabitEthernet9/0/{nextIface}"),
                                string.Create(CultureInfo.InvariantCulture, $" description new port {nextIface}"),
                                string.Create(CultureInfo.InvariantCulture, $" switchport access vlan {rng.Next(1, 4000)}"),
                                " switchport mode access", " spanning-tree portfast", " no shutdown", "!"]);
                            break;
                        default:
                            if (ifaces.Count > 100) body.RemoveRange(at, body.FindIndex(at, l => l == "!") - at + 1);
                            break;
                    }
                }
                versions.Add(Render(start.AddDays(d).AddMinutes(rng.Next(600))));
            }
            perDay.Add(versions.Count - 1);
        }
        return (versions, perDay);
    }

    private static readonly string[] Sites = ["fra1", "ams2", "lon3", "par1", "zrh4", "vie2", "mad1", "waw3", "osl1", "hel2"];
    private static readonly string[] Roles = ["uplink", "server", "printer", "ap", "camera", "voip", "storage", "mgmt", "backup", "lab"];

    /// <summary>
    /// A core switch's running config of about <paramref name="bytes"/> bytes: access and routed interfaces with
    /// descriptions naming circuits and hosts, ACLs with host entries, static routes, local users with secret hashes,
    /// SNMP/NTP/logging: roughly the entropy of a real config (each version alone deflates to about a quarter).
    /// </summary>
    private static List<string> Body(Random rng, int bytes)
    {
        string Ip() => string.Create(CultureInfo.InvariantCulture, $"10.{rng.Next(256)}.{rng.Next(256)}.{rng.Next(1, 255)}");
        string Hash(int n) => new(Enumerable.Range(0, n).Select(_ => "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[rng.Next(64)]).ToArray());
        var lines = new List<string> { "version 17.9", "service timestamps debug datetime msec", "service timestamps log datetime msec", "service password-encryption", "!", "hostname core-fra1-sw01", "!" };
        for (var u = 0; u < 12; u++) lines.Add($"username netops{u} privilege 15 secret 9 $9${Hash(14)}${Hash(43)}");
        lines.Add("!");
        int size() => lines.Sum(l => l.Length + 1);
        var iface = 0;
        while (size() < bytes * 0.62)
        {
            iface++;
            var site = Sites[rng.Next(Sites.Length)];
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"interface GigabitEthernet{iface / 48 + 1}/0/{iface % 48 + 1}"));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $" description {Roles[rng.Next(Roles.Length)]}-{site}-{rng.Next(1000):000} ckt {rng.Next(100000, 999999)}"));
            if (rng.Next(4) == 0)
            {
                lines.Add(" no switchport");
                lines.Add($" ip address {Ip()} 255.255.255.252");
                lines.Add(" ip ospf network point-to-point");
            }
            else
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $" switchport access vlan {rng.Next(1, 4000)}"));
                lines.Add(" switchport mode access");
                if (rng.Next(2) == 0) lines.Add(" spanning-tree portfast");
            }
            lines.Add(rng.Next(10) == 0 ? " shutdown" : " no shutdown");
            lines.Add("!");
        }
        var acl = 100;
        while (size() < bytes * 0.85)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"ip access-list extended ACL-{Sites[rng.Next(Sites.Length)].ToUpperInvariant()}-{acl++}"));
            for (var k = 0; k < 12; k++)
                lines.Add(string.Create(CultureInfo.InvariantCulture, $" {(k + 1) * 10} {(rng.Next(5) == 0 ? "deny" : "permit")} tcp host {Ip()} host {Ip()} eq {rng.Next(1, 65535)}"));
            lines.Add("!");
        }
        while (size() < bytes * 0.97)
            lines.Add($"ip route {Ip()} 255.255.255.0 {Ip()} name {Roles[rng.Next(Roles.Length)]}-{Hash(4)}");
        lines.AddRange(["!", $"snmp-server community {Hash(16)} RO", $"ntp server {Ip()}", $"ntp server {Ip()}", $"logging host {Ip()}", "!", "line vty 0 4", " transport input ssh", "!", "end"]);
        return lines;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
