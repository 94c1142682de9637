using System.Text;
using System.Text.Json;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Data;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.AuditTrail;

public sealed class ExportTests
{
    private const int Tenant = 3;

    // Hostile values a device name or a details field can carry: CR/LF, an ANSI colour escape, markup, CSV formulas.
    private const string FormulaDevice = "=cmd|' /C calc'!A0";
    private const string HostileNote = "line1\r\nline2 \u001b[31mred\u001b[0m <script>alert(1)</script> =cmd|' /C calc'!A0";

    private static AuditRecord Hostile(int i) => new()
    {
        TenantId = Tenant,
        Action = AuditActions.DeviceUpdated,
        ResourceType = "device",
        ResourceId = i switch { 1 => "+1+1", 2 => "-2+3", 3 => "@SUM(A1)", _ => "\tTAB" },
        DeviceId = i,
        DeviceName = i == 1 ? FormulaDevice : "<script>alert('x')</script>\u001b[2J",
        Details = i == 2 ? "=HYPERLINK(\"http://evil\")" : new { note = HostileNote },
    };

    private static List<Dictionary<string, string>> ParseCsv(byte[] csv)
    {
        using var reader = CsvReader.Create(new MemoryStream(csv), null, leaveOpen: false);
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
            rows.Add(AuditExportService.CsvColumns.ToDictionary(c => c, c => reader.GetString(c)));
        Assert.Equal(AuditExportService.CsvColumns, reader.Headers);
        return rows;
    }

    [Theory]
    [InlineData(AuditExportFormat.Csv)]
    [InlineData(AuditExportFormat.JsonLines)]
    public async Task The_whole_chain_export_reads_plainly_and_writes_what_the_filtered_path_writes(AuditExportFormat format)
    {
        // The whole-chain export streams through a plain data reader, a filtered one through EF: a filter that selects
        // every entry must give the same lines, hostile values included, across several of the filtered path's batches.
        await using var db = await AuditTestDatabase.CreateAsync();
        await db.AppendAsync(Tenant, 4, Hostile);
        await db.AppendAsync(Tenant, AuditExportService.BatchSize * 2 + 17, startAt: 5);

        var whole = Encoding.UTF8.GetString(await db.ExportAsync(Tenant, format));
        var filtered = Encoding.UTF8.GetString(await db.ExportAsync(Tenant, format, new AuditFilter { FromUtc = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc) }));

        // The second export also holds the first one's audit_exported entry, after every line the first one wrote.
        Assert.StartsWith(whole, filtered, StringComparison.Ordinal);
        Assert.True(filtered.Length > whole.Length);
        Assert.Contains(AuditActions.DeviceUpdated, whole, StringComparison.Ordinal);
        Assert.Contains((AuditExportService.BatchSize * 2 + 21).ToString(System.Globalization.CultureInfo.InvariantCulture), whole, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_round_trips_through_CsvHelper_with_every_chain_field()
    {
        await using var db = await AuditTestDatabase.CreateAsync();
        await db.AppendAsync(Tenant, 30);

        var csv = await db.ExportAsync(Tenant, AuditExportFormat.Csv);
        var rows = ParseCsv(csv);
        var jsonl = Encoding.UTF8.GetString(await db.ExportAsync(Tenant, AuditExportFormat.JsonLines))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<AuditExportLine>(l, AuditExportService.JsonOptions)!)
            .Where(l => l.Sequence <= 30) // the second export also holds the first one's audit_exported entry (31)
            .ToList();

        Assert.Equal(30, rows.Count);
        Assert.Equal(30, jsonl.Count);
        Assert.Equal("\r\n", Encoding.UTF8.GetString(csv).Split("tenantId")[1].Split("hash")[^1][..2]);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var l = jsonl[i];
            Assert.Equal((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), r["sequence"]);
            Assert.Equal(l.Hash, r["hash"]);
            Assert.Equal(l.PreviousHash, r["previousHash"]);
            Assert.Equal(l.DetailsJson, r["detailsJson"]);
            Assert.Equal(l.Action, r["action"]);
            Assert.Equal(l.DeviceName, r["deviceName"]);
            Assert.Equal(l.TimestampUtc, DateTime.Parse(r["timestampUtc"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal));
            // Every CSV row re-hashes to its hash: the chain fields are all there.
            var entry = l.ToEntry();
            Assert.Equal(r["hash"], db.Hasher.ComputeHash(entry));
        }
    }

    [Fact]
    public async Task Formulas_and_terminal_escapes_are_neutralized_in_the_csv_and_escaped_in_json_lines()
    {
        await using var db = await AuditTestDatabase.CreateAsync();
        await db.AppendAsync(Tenant, 4, Hostile);

        var csv = await db.ExportAsync(Tenant, AuditExportFormat.Csv);
        var text = Encoding.UTF8.GetString(csv);
        var rows = ParseCsv(csv);

        Assert.DoesNotContain('\u001b', text);
        foreach (var cell in rows.SelectMany(r => r.Values))
            Assert.False(cell.Length > 0 && "=+-@\t\r".Contains(cell[0], StringComparison.Ordinal), $"Cell '{cell}' starts like a formula.");
        Assert.Equal("'" + FormulaDevice, rows[0]["deviceName"]);
        Assert.Equal("'+1+1", rows[0]["resourceId"]);
        Assert.Equal("'-2+3", rows[1]["resourceId"]);
        Assert.Equal("'@SUM(A1)", rows[2]["resourceId"]);
        Assert.Equal("'\tTAB", rows[3]["resourceId"]);
        Assert.Equal("'=HYPERLINK(\"http://evil\")", rows[1]["detailsJson"]);
        // Details are JSON text: CR/LF and ESC are JSON escapes there, the markup is escaped too, and the value is intact.
        Assert.Contains("\\u001B[31m", rows[0]["detailsJson"], StringComparison.Ordinal);
        var note = JsonSerializer.Deserialize<JsonElement>(rows[0]["detailsJson"]).GetProperty("note").GetString();
        Assert.Equal(HostileNote, note);
        // Outside JSON, the ESC of the ANSI sequence is shown as its control picture.
        Assert.Equal("<script>alert('x')</script>\u241b[2J", rows[1]["deviceName"]);

        // JSON Lines keeps exact values, escaped: no raw control character and no raw markup in the file.
        var jsonl = Encoding.UTF8.GetString(await db.ExportAsync(Tenant, AuditExportFormat.JsonLines));
        Assert.DoesNotContain('\u001b', jsonl);
        Assert.DoesNotContain("<script>", jsonl, StringComparison.Ordinal);
        Assert.Equal(5, jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // 4 + the CSV export's audit_exported
        var first = JsonSerializer.Deserialize<AuditExportLine>(jsonl.Split('\n')[0], AuditExportService.JsonOptions)!;
        Assert.Equal(FormulaDevice, first.DeviceName);
        Assert.True((await db.VerifyOfflineAsync(Encoding.UTF8.GetBytes(jsonl))).Intact);
    }

    [Fact]
    public async Task A_filtered_export_holds_only_matching_entries_and_each_export_is_recorded_once()
    {
        await using var db = await AuditTestDatabase.CreateAsync();
        await db.AppendAsync(Tenant, 30);

        var csv = await db.ExportAsync(Tenant, AuditExportFormat.Csv, new AuditFilter { Actions = [AuditActions.DeviceUpdated], DeviceId = 1 });
        var rows = ParseCsv(csv);

        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(AuditActions.DeviceUpdated, r["action"]));
        Assert.All(rows, r => Assert.Equal("1", r["deviceId"]));

        await using var scope = db.Scope(Tenant);
        await using var portal = await scope.ServiceProvider.GetRequiredService<IPortalDbFactory>().CreateAsync(TestContext.Current.CancellationToken);
        var exported = await portal.AuditEntries.Where(e => e.Action == AuditActions.AuditExported).ToListAsync(TestContext.Current.CancellationToken);
        var entry = Assert.Single(exported);
        Assert.Equal(31, entry.Sequence);
        Assert.Equal(AuditOutcome.Success, entry.Outcome);
        using var details = JsonDocument.Parse(entry.DetailsJson);
        Assert.Equal("csv", details.RootElement.GetProperty("format").GetString());
        Assert.Equal(rows.Count, details.RootElement.GetProperty("rows").GetInt32());
        Assert.Equal(30, details.RootElement.GetProperty("upToSequence").GetInt64());
        Assert.Equal(1, details.RootElement.GetProperty("filter").GetProperty("deviceId").GetInt32());
    }

    [Fact]
    public async Task A_20000_entry_export_is_written_progressively_in_small_flushed_chunks()
    {
        await using var db = await AuditTestDatabase.CreateAsync();
        await db.AppendAsync(Tenant, 20_000);

        var previousExports = 0;
        foreach (var format in new[] { AuditExportFormat.Csv, AuditExportFormat.JsonLines })
        {
            await using var scope = db.Scope(Tenant);
            var export = await scope.ServiceProvider.GetRequiredService<AuditExportService>().PrepareAsync(new AuditFilter(), format, TestContext.Current.CancellationToken);
            var sink = new RecordingStream();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            await export.WriteAsync(sink, TestContext.Current.CancellationToken);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

            // The rows (plus the CSV header), and the audit_exported entries of the exports before this one.
            Assert.Equal(20_000 + previousExports++, sink.Lines - (format == AuditExportFormat.Csv ? 1 : 0));
            Assert.True(sink.TotalBytes > 5_000_000, $"{format}: {sink.TotalBytes} bytes");
            // Streamed: many flushes (one per keyset batch or 32 KiB at least) and no write anywhere near the whole file.
            Assert.True(sink.Flushes >= 20, $"{format}: {sink.Flushes} flushes");
            Assert.True(sink.LargestWrite <= 256 * 1024, $"{format}: largest write {sink.LargestWrite} bytes of {sink.TotalBytes}");
            // The first bytes left before the last batch was read: at most 2 batches' worth of output preceded the first flush.
            Assert.True(sink.BytesAtFirstFlush < sink.TotalBytes / 5, $"{format}: {sink.BytesAtFirstFlush} bytes before the first flush");
            TestContext.Current.SendDiagnosticMessage($"{format}: {sink.TotalBytes} bytes, {sink.Flushes} flushes, largest write {sink.LargestWrite}, allocated {allocated / 1024 / 1024} MiB");
        }
    }

    /// <summary>A sink that keeps nothing: it counts bytes, lines, writes and flushes.</summary>
    private sealed class RecordingStream : Stream
    {
        public long TotalBytes { get; private set; }
        public long Lines { get; private set; }
        public int Flushes { get; private set; }
        public int LargestWrite { get; private set; }
        public long BytesAtFirstFlush { get; private set; } = -1;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            TotalBytes += buffer.Length;
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            Lines += buffer.Count((byte)'\n');
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
            if (TotalBytes == 0) return;
            Flushes++;
            if (BytesAtFirstFlush < 0) BytesAtFirstFlush = TotalBytes;
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flush();
            return Task.CompletedTask;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => TotalBytes;
        public override long Position { get => TotalBytes; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
